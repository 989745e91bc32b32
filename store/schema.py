"""The schema, as named and ordered sqlite-utils migrations.

Each migration is a list of statements run inside the caller's `BEGIN IMMEDIATE`
transaction, so two processes opening a new file at once cannot both migrate it.
Never edit a migration that has shipped: add a new one at the end.
"""

from __future__ import annotations

from contextvars import ContextVar

import sqlite_utils
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from store import attachments, audit, conversation_summary, handles, pipeline_upkeep, reply_marks
from store.clock import Clock
from store.database import Database as StoreDatabase
from store.schema_version import MIGRATION_SET

migrations = Migrations(MIGRATION_SET)
_migrated_at: ContextVar[str] = ContextVar("migrated_at")  # the store's `now`, for migrations that audit


def _run(db: Database, statements: list[str]) -> None:
    for statement in statements:
        db.conn.execute(statement)


INITIAL = [
    """CREATE TABLE operators (
        id INTEGER PRIMARY KEY,
        login TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL DEFAULT '',
        from_address TEXT,
        role TEXT NOT NULL CHECK (role IN ('manager','evaluator','moderator','viewer')),
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE influencers (
        id INTEGER PRIMARY KEY,
        handle TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL DEFAULT '',
        first_name TEXT NOT NULL DEFAULT '',
        email TEXT,
        platforms TEXT NOT NULL DEFAULT '[]',
        followers INTEGER,
        engagement_rate REAL,
        country TEXT,
        language TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        address TEXT,
        custom TEXT NOT NULL DEFAULT '{}',
        bookmarked INTEGER NOT NULL DEFAULT 0,
        unsubscribed INTEGER NOT NULL DEFAULT 0,
        bounced INTEGER NOT NULL DEFAULT 0,
        bounce_reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX influencers_email ON influencers(email)",
    "CREATE INDEX influencers_followers ON influencers(followers)",
    "CREATE INDEX influencers_country ON influencers(country)",
    """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        influencer_id INTEGER NOT NULL REFERENCES influencers(id) ON DELETE CASCADE,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX notes_influencer ON notes(influencer_id, created_at)",
    """CREATE TABLE campaigns (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        program TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        brief TEXT NOT NULL DEFAULT '',
        sender_email TEXT,
        sender_name TEXT NOT NULL DEFAULT '',
        budget REAL,
        currency TEXT NOT NULL DEFAULT 'EUR',
        min_followers INTEGER NOT NULL DEFAULT 0,
        min_engagement REAL NOT NULL DEFAULT 0,
        opens_at TEXT,
        closes_at TEXT,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        windows TEXT NOT NULL DEFAULT '[]',
        daily_cap INTEGER NOT NULL DEFAULT 50,
        moderation INTEGER NOT NULL DEFAULT 1,
        languages TEXT NOT NULL DEFAULT '["en"]',
        requires_agreement INTEGER NOT NULL DEFAULT 0,
        agreement_days INTEGER NOT NULL DEFAULT 3,
        invite_limit INTEGER NOT NULL DEFAULT 300,
        segment TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','paused','closed')),
        paused_reason TEXT,
        collaborated_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        query TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE applications (
        id INTEGER PRIMARY KEY,
        influencer_id INTEGER NOT NULL REFERENCES influencers(id),
        campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
        source TEXT NOT NULL CHECK (source IN ('invited','applied')),
        stage TEXT NOT NULL,
        fee REAL,
        agreement_state TEXT,
        agreement_deadline TEXT,
        decided_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (influencer_id, campaign_id)
    )""",
    "CREATE INDEX applications_campaign_stage ON applications(campaign_id, stage)",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        influencer_id INTEGER REFERENCES influencers(id),
        campaign_id INTEGER REFERENCES campaigns(id),
        direction TEXT NOT NULL CHECK (direction IN ('in','out')),
        kind TEXT NOT NULL,
        language TEXT,
        from_addr TEXT,
        from_name TEXT NOT NULL DEFAULT '',
        to_addr TEXT,
        subject TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        body_html TEXT,
        message_id TEXT UNIQUE,
        in_reply_to TEXT,
        refs TEXT,
        is_read INTEGER NOT NULL DEFAULT 1,
        status TEXT CHECK (status IS NULL OR status IN
            ('planned','queued','sending','sent','deferred','failed','skipped')),
        flags TEXT NOT NULL DEFAULT '[]',
        approved_by TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_smtp_response TEXT,
        scheduled_at TEXT,
        next_attempt_at TEXT,
        lease_owner TEXT,
        lease_token TEXT,
        lease_expires_at TEXT,
        sent_at TEXT,
        received_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX messages_due ON messages(status, next_attempt_at)",
    "CREATE INDEX messages_influencer ON messages(influencer_id, created_at)",
    "CREATE INDEX messages_campaign ON messages(campaign_id, kind, status)",
    """CREATE TABLE templates (
        id INTEGER PRIMARY KEY,
        campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
        kind TEXT NOT NULL,
        language TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        body_html TEXT,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (campaign_id, kind, language)
    )""",
    """CREATE TABLE triggers (
        id INTEGER PRIMARY KEY,
        campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
        event TEXT NOT NULL,
        template_kind TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        UNIQUE (campaign_id, event)
    )""",
    """CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id INTEGER,
        campaign_id INTEGER,
        detail TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX audit_campaign ON audit_events(campaign_id, at)",
    # Append-only: the audit trail cannot be rewritten, only added to.
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TABLE imap_folders (
        folder TEXT PRIMARY KEY,
        uidvalidity INTEGER NOT NULL,
        last_uid INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
]


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    _run(db, INITIAL)


# A message counts in a conversation once it is real: received, or outgoing and not
# still planned (tomorrow's queue) or skipped (suppressed, never sent).
_VISIBLE = "({m}.direction = 'in' OR coalesce({m}.status, '') NOT IN ('planned', 'skipped'))"


def _conversation_rows(influencers: str) -> list[str]:
    """Rebuild the summary rows of `influencers` (an SQL list) from their messages."""
    visible = _VISIBLE.format(m="m")
    latest = f"""(SELECT m2.id FROM messages m2 WHERE m2.influencer_id = m.influencer_id
                  AND {_VISIBLE.format(m="m2")} {{campaign}}
                  ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1)"""
    return [
        f"DELETE FROM conversations WHERE influencer_id IN ({influencers})",
        f"""INSERT INTO conversations (influencer_id, campaign_id, last_at, last_message_id, unread, total)
            SELECT m.influencer_id, 0, max(m.created_at), {latest.format(campaign="")},
                   sum(m.direction = 'in' AND m.is_read = 0), count(*)
            FROM messages m WHERE m.influencer_id IN ({influencers}) AND {visible}
            GROUP BY m.influencer_id""",
        f"""INSERT INTO conversations (influencer_id, campaign_id, last_at, last_message_id, unread, total)
            SELECT m.influencer_id, m.campaign_id, max(m.created_at),
                   {latest.format(campaign="AND m2.campaign_id = m.campaign_id")},
                   sum(m.direction = 'in' AND m.is_read = 0), count(*)
            FROM messages m WHERE m.influencer_id IN ({influencers}) AND m.campaign_id IS NOT NULL
              AND {visible}
            GROUP BY m.influencer_id, m.campaign_id""",
    ]


def _trigger(name: str, event: str, when: str, statements: list[str]) -> str:
    body = ";\n".join(statements)
    return f"CREATE TRIGGER {name} {event} ON messages WHEN {when} BEGIN {body}; END"


# One summary row per influencer (campaign_id 0) and per influencer and campaign, kept
# up to date on every write: the inbox list is read from here, never from `messages`
# (3.9 s from messages at 1M rows, 0.12 ms from a summary row, measured).
INBOX_CONVERSATIONS = [
    """CREATE TABLE conversations (
        influencer_id INTEGER NOT NULL REFERENCES influencers(id) ON DELETE CASCADE,
        campaign_id INTEGER NOT NULL,
        last_at TEXT NOT NULL,
        last_message_id INTEGER NOT NULL,
        unread INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        has_unread INTEGER GENERATED ALWAYS AS (unread > 0) VIRTUAL,
        PRIMARY KEY (influencer_id, campaign_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX conversations_order ON conversations(campaign_id, has_unread, last_at, influencer_id)",
    _trigger(
        "inbox_conversation_insert", "AFTER INSERT",
        f"new.influencer_id IS NOT NULL AND {_VISIBLE.format(m='new')}",
        ["""INSERT INTO conversations (influencer_id, campaign_id, last_at, last_message_id, unread, total)
            SELECT new.influencer_id, scope.campaign_id, new.created_at, new.id,
                   new.direction = 'in' AND new.is_read = 0, 1
            FROM (SELECT 0 AS campaign_id UNION ALL
                  SELECT new.campaign_id WHERE new.campaign_id IS NOT NULL) AS scope
            WHERE true
            ON CONFLICT (influencer_id, campaign_id) DO UPDATE SET
              last_message_id = CASE WHEN excluded.last_at >= last_at
                                     THEN excluded.last_message_id ELSE last_message_id END,
              last_at = max(last_at, excluded.last_at),
              unread = unread + excluded.unread,
              total = total + 1"""],
    ),
    _trigger(
        "inbox_conversation_update",
        "AFTER UPDATE OF influencer_id, campaign_id, is_read, created_at, direction, status",
        f"""old.influencer_id IS NOT new.influencer_id OR old.campaign_id IS NOT new.campaign_id
            OR old.is_read IS NOT new.is_read OR old.created_at IS NOT new.created_at
            OR {_VISIBLE.format(m='old')} IS NOT {_VISIBLE.format(m='new')}""",
        _conversation_rows("old.influencer_id, new.influencer_id"),
    ),
    _trigger("inbox_conversation_delete", "AFTER DELETE", "old.influencer_id IS NOT NULL",
             _conversation_rows("old.influencer_id")),
    *_conversation_rows("SELECT DISTINCT influencer_id FROM messages"),
    # Mail nobody could be matched to is kept aside, listed newest first.
    """CREATE INDEX messages_unmatched ON messages(created_at)
        WHERE direction = 'in' AND influencer_id IS NULL""",
    # Threading looks up our own Message-IDs (UNIQUE already indexes them) and then the
    # sender, whose address may differ in case from the one imported.
    "CREATE INDEX influencers_email_nocase ON influencers(email COLLATE NOCASE)",
    "CREATE INDEX influencers_bounced ON influencers(id) WHERE bounced = 1",
    "CREATE INDEX influencers_bookmarked ON influencers(id) WHERE bookmarked = 1",
    # Raw bytes of the few inbound messages worth keeping whole: bounce reports and
    # malformed mail, shown in the bounce inspector and kept for diagnosis.
    """CREATE TABLE inbound_raw (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        raw BLOB NOT NULL
    )""",
]

# Full-text search over subjects and bodies, an external-content FTS5 index kept in
# sync by triggers so every write path (outbox, sync, moderation edits) is covered.
INBOX_SEARCH = [
    """CREATE VIRTUAL TABLE messages_fts USING fts5(
        subject, body, content='messages', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER inbox_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, subject, body) VALUES (new.id, new.subject, new.body);
    END""",
    """CREATE TRIGGER inbox_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, subject, body)
        VALUES ('delete', old.id, old.subject, old.body);
    END""",
    """CREATE TRIGGER inbox_fts_update AFTER UPDATE OF subject, body ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, subject, body)
        VALUES ('delete', old.id, old.subject, old.body);
        INSERT INTO messages_fts(rowid, subject, body) VALUES (new.id, new.subject, new.body);
    END""",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
    # A search maps each matching message to its influencer; reading that from this narrow
    # index instead of the wide message rows measured 3x faster on 1M messages.
    "CREATE INDEX messages_owner ON messages(id, influencer_id)",
]


# The summary and full-text triggers as they are now (the summary's were redefined later).
INBOX_TRIGGERS = [*conversation_summary.TRIGGERS,
                  *(s for s in INBOX_SEARCH if s.lstrip().startswith("CREATE TRIGGER"))]


def rebuild_inbox(db: Database) -> None:
    """Recompute every conversation summary and the full-text index from `messages`."""
    _run(db, [*conversation_summary.REBUILD_ALL, "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')"])


@migrations(name="inbox_conversations")
def _inbox_conversations(db: Database) -> None:
    _run(db, INBOX_CONVERSATIONS)


@migrations(name="inbox_search")
def _inbox_search(db: Database) -> None:
    _run(db, INBOX_SEARCH)


def migrate(db: StoreDatabase, now: str) -> None:
    """Apply every pending migration (the caller holds the write transaction) at the store's `now`."""
    token = _migrated_at.set(now)
    try:
        migrations.apply(sqlite_utils.Database(db.conn))
    finally:
        _migrated_at.reset(token)


@migrations(name="query_indexes")
def _query_indexes(db: Database) -> None:
    # The query syntax matches country and language case-insensitively, and asks "replied?" and
    # "contacted within N days?" per influencer: covering that from the index alone measured 4-6x
    # faster over 100k influencers and 1M messages than reading each message row.
    _run(db, [
        "CREATE INDEX influencers_country_nocase ON influencers(country COLLATE NOCASE)",
        "CREATE INDEX influencers_language_nocase ON influencers(language COLLATE NOCASE)",
        "CREATE INDEX messages_influencer_contact ON messages(influencer_id, direction, status, sent_at)",
    ])


PIPELINE_INDEXES = [
    # Covers the dashboard counters: one index-only scan per campaign.
    "CREATE INDEX applications_counters ON applications(campaign_id, stage, source, fee, updated_at)",
    # The Pipeline pane's default order (most recently changed first) without a sort step.
    "CREATE INDEX applications_recent ON applications(campaign_id, updated_at, id)",
    # Undo and the timeline read an application's latest stage change.
    "CREATE INDEX audit_entity ON audit_events(entity, entity_id, id)",
]


@migrations(name="pipeline_indexes")
def _pipeline_indexes(db: Database) -> None:
    _run(db, PIPELINE_INDEXES)


OUTREACH_SEQUENCE = [
    # The sequence after an invitation is accepted: welcome on/off, its two stop rules,
    # and the follow-ups' day offsets after the welcome (a JSON array such as [3, 7]).
    "ALTER TABLE campaigns ADD COLUMN welcome_enabled INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE campaigns ADD COLUMN stop_if_ongoing INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE campaigns ADD COLUMN stop_if_incoming INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE campaigns ADD COLUMN followup_days TEXT NOT NULL DEFAULT '[]'",
    # When the invited influencer accepted, and when their welcome/follow-ups were scheduled.
    "ALTER TABLE applications ADD COLUMN accepted_at TEXT",
    "ALTER TABLE applications ADD COLUMN sequence_at TEXT",
    """CREATE INDEX applications_sequence_pending ON applications(campaign_id)
        WHERE sequence_at IS NULL AND source = 'invited' AND stage != 'invited'""",
    # The local date (campaign zone) an invitation was planned for: the moderation queue's day.
    "ALTER TABLE messages ADD COLUMN plan_date TEXT",
    "CREATE INDEX messages_plan_date ON messages(plan_date, campaign_id) WHERE plan_date IS NOT NULL",
    "CREATE INDEX messages_campaign_influencer ON messages(campaign_id, influencer_id)",
    # One row per campaign and local date planned: what makes planning idempotent.
    """CREATE TABLE plan_runs (
        campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
        plan_date TEXT NOT NULL,
        planned INTEGER NOT NULL,
        flagged INTEGER NOT NULL,
        planned_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        PRIMARY KEY (campaign_id, plan_date)
    )""",
]


@migrations(name="outreach_sequence")
def _outreach_sequence(db: Database) -> None:
    _run(db, OUTREACH_SEQUENCE)


DISPATCH_OUTBOX = [
    # The flattened bytes of a queued message, built once ahead of sending (building
    # an EmailMessage costs ~1.2 ms, several times the cost of sending it).
    """CREATE TABLE outbox_raw (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        raw BLOB NOT NULL
    )""",
    # Any edit of what the bytes were built from makes them stale.
    """CREATE TRIGGER outbox_raw_stale AFTER UPDATE OF from_addr, from_name, to_addr, subject, body,
        body_html, message_id, in_reply_to, refs, scheduled_at, created_at ON messages
        BEGIN DELETE FROM outbox_raw WHERE message_id = NEW.id; END""",
    # Claims read due rows in order without scanning the sent history.
    """CREATE INDEX messages_claimable ON messages(next_attempt_at)
        WHERE status IN ('queued', 'deferred')""",
]


@migrations(name="dispatch_outbox")
def _dispatch_outbox(db: Database) -> None:
    _run(db, DISPATCH_OUTBOX)


@migrations(name="query_replies_index")
def _query_replies_index(db: Database) -> None:
    # `replied:` asks whether an influencer wrote back (bounces and unsubscribes are not replies):
    # a partial index answers it without reading the message rows.
    _run(db, ["""CREATE INDEX messages_replies ON messages(influencer_id)
                 WHERE direction = 'in' AND kind = 'reply'"""])


@migrations(name="outbox_sent_journal")
def _outbox_sent_journal(db: Database) -> None:
    # A sent message's result is first written here, one narrow row appended (one page),
    # instead of rewriting the wide message row and the four indexes its status and
    # sent_at are in (~7 pages: 142 µs per one-row commit against 35 µs, measured); the
    # claims fold it into `messages` in bulk (store/outbox/results.py).
    _run(db, ["""CREATE TABLE outbox_sent (
        message_id INTEGER PRIMARY KEY,
        token TEXT NOT NULL,
        response TEXT,
        sent_at TEXT NOT NULL
    )"""])


@migrations(name="outbox_sent_log")
def _outbox_sent_log(db: Database) -> None:
    # Sends are now recorded in each dispatcher's log file (store/outbox/sent_log.py), not in a table
    # that every record had to take the write lock for: fold what the table still holds, then drop it.
    _run(db, [
        """UPDATE messages SET status = 'sent', last_smtp_response = s.response, sent_at = s.sent_at,
               updated_at = s.sent_at, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
           FROM outbox_sent s
           WHERE messages.id = s.message_id AND messages.lease_token = s.token
             AND messages.status = 'sending'""",
        "DROP TABLE outbox_sent",
    ])


# Handles are matched by their key (store/handles.py: NFKC, case-folded), which NOCASE
# cannot express: a unique key column, kept right by triggers whatever writes a handle
# (the function is registered on every connection the store opens; a connection without
# it can read influencers but not write their handles).
_KEY = f"{handles.SQL_FUNCTION}(new.handle)"
HANDLE_KEY_TRIGGERS = [
    f"""CREATE TRIGGER influencers_handle_key_insert AFTER INSERT ON influencers
        WHEN new.handle_key IS NOT {_KEY}
        BEGIN UPDATE influencers SET handle_key = {_KEY} WHERE id = new.id; END""",
    f"""CREATE TRIGGER influencers_handle_key_update AFTER UPDATE OF handle, handle_key ON influencers
        WHEN new.handle_key IS NOT {_KEY}
        BEGIN UPDATE influencers SET handle_key = {_KEY} WHERE id = new.id; END""",
]


@migrations(name="handle_keys")
def _handle_keys(db: Database) -> None:
    # Handles that only NOCASE told apart (`élise`, `ÉLISE`) now share a key: the oldest keeps
    # its handle, each later one is renamed `ÉLISE-2` (audited), so no row, message or
    # application is lost and every influencer can still be named.
    db.conn.execute("ALTER TABLE influencers ADD COLUMN handle_key TEXT")
    rows = db.conn.execute("SELECT id, handle FROM influencers ORDER BY id").fetchall()
    keyed, renamed = handles.unique_keys(rows)
    db.conn.executemany("UPDATE influencers SET handle = ? WHERE id = ?", [(new, i) for i, _, new in renamed])
    db.conn.executemany("UPDATE influencers SET handle_key = ? WHERE id = ?", keyed)
    _run(db, ["CREATE UNIQUE INDEX influencers_handle_key ON influencers(handle_key)",
              *HANDLE_KEY_TRIGGERS])
    at = _migrated_at.get(None) or Clock.from_env().now_iso()
    for influencer_id, old, new in renamed:
        audit.record(StoreDatabase(db.conn), at=at, actor="callsheet", action="influencer.rename",
                     entity="influencer", entity_id=influencer_id, handle=old, renamed_to=new,
                     reason="another influencer has the same handle in other letter case or width")


@migrations(name="workspace_meta")
def _workspace_meta(db: Database) -> None:
    # Facts about the workspace itself, e.g. that the demo made it (store/workspace.py).
    _run(db, ["CREATE TABLE workspace_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"])


@migrations(name="message_author")
def _message_author(db: Database) -> None:
    # Who wrote each outgoing message: an operator's login, or `callsheet` for what the planner
    # and the sequence wrote from templates. NULL on older rows, where nobody kept it.
    _run(db, ["ALTER TABLE messages ADD COLUMN author TEXT"])


@migrations(name="invitation_edit_sources")
def _invitation_edit_sources(db: Database) -> None:
    # A moderator's edit is a template for one recipient: its source is kept so a re-edit
    # starts from the tokens, not from the text they were rendered into.
    _run(db, ["""CREATE TABLE invitation_edits (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        subject TEXT NOT NULL,
        body TEXT NOT NULL
    )"""])


@migrations(name="inbox_activity_time")
def _inbox_activity_time(db: Database) -> None:
    # A conversation's time is when its latest mail was sent or received, no longer when a
    # message row was made (a queued invitation counted as activity): new triggers, and
    # every summary recomputed once. Read state may now be set on any message.
    _run(db, [*(f"DROP TRIGGER IF EXISTS {name}" for name in conversation_summary.NAMES),
              *conversation_summary.TRIGGERS, *conversation_summary.REBUILD_ALL])


@migrations(name="inbox_own_mail_and_bounce_reports")
def _inbox_own_mail_and_bounce_reports(db: Database) -> None:
    _run(db, [
        # Mail kept aside is whatever arrived by sync and matched nobody, copies of our own mail
        # included: messages_influencer (influencer_id IS NULL, by created_at) serves that list.
        "DROP INDEX IF EXISTS messages_unmatched",
        # Every delivery report stored, whom it names, and whether it refers to mail we sent
        # them: only a verified one suppresses; the rest wait in the bounce inspector.
        """CREATE TABLE bounce_reports (
            message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            recipient TEXT,
            influencer_id INTEGER REFERENCES influencers(id) ON DELETE SET NULL,
            verified INTEGER NOT NULL,
            permanent INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX bounce_reports_unverified ON bounce_reports(message_id) WHERE verified = 0",
    ])


@migrations(name="casting_page")
def _casting_page(db: Database) -> None:
    # The public casting-call page: each campaign gets a random token for its address (/c/<token>),
    # never its id or name, so the pages cannot be enumerated. An application from the page can
    # carry a flag for the operator (e.g. the email typed differs from the stored contact's).
    import secrets

    _run(db, ["ALTER TABLE campaigns ADD COLUMN apply_token TEXT",
              "ALTER TABLE applications ADD COLUMN flag TEXT"])
    ids = [row[0] for row in db.conn.execute("SELECT id FROM campaigns")]
    db.conn.executemany("UPDATE campaigns SET apply_token = ? WHERE id = ?",
                        [(secrets.token_urlsafe(16), campaign_id) for campaign_id in ids])
    _run(db, ["CREATE UNIQUE INDEX campaigns_apply_token ON campaigns(apply_token)"])


@migrations(name="tracked_links")
def _tracked_links(db: Database) -> None:
    # `{{ track(url) }}` in a template: each target an operator wrote gets an id (the redirect
    # goes only to these), and each click on `/t/<message token>/<id>` is one row (store/clicks.py).
    _run(db, [
        """CREATE TABLE link_targets (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE clicks (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            influencer_id INTEGER REFERENCES influencers(id) ON DELETE CASCADE,
            campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
            target_id INTEGER NOT NULL REFERENCES link_targets(id),
            clicked_at TEXT NOT NULL
        )""",
        "CREATE INDEX clicks_influencer ON clicks(influencer_id, clicked_at)",
        "CREATE INDEX clicks_campaign ON clicks(campaign_id, influencer_id)",
        "CREATE INDEX clicks_message ON clicks(message_id)",
    ])


# The Inbox's header counts (conversations, with unread mail) per campaign (0: all), kept by
# triggers on the summary rows: counting 100,000 summaries on every unfiltered load took 218 ms.
CONVERSATION_COUNTS = [
    """CREATE TABLE conversation_counts (
        campaign_id INTEGER PRIMARY KEY,
        total INTEGER NOT NULL DEFAULT 0,
        unread INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TRIGGER conversation_counts_insert AFTER INSERT ON conversations BEGIN
        INSERT INTO conversation_counts (campaign_id, total, unread)
        VALUES (new.campaign_id, 1, new.unread > 0)
        ON CONFLICT (campaign_id) DO UPDATE SET total = total + 1, unread = unread + excluded.unread;
    END""",
    """CREATE TRIGGER conversation_counts_delete AFTER DELETE ON conversations BEGIN
        UPDATE conversation_counts SET total = total - 1, unread = unread - (old.unread > 0)
        WHERE campaign_id = old.campaign_id;
    END""",
    """CREATE TRIGGER conversation_counts_update AFTER UPDATE OF unread, campaign_id ON conversations
    WHEN old.campaign_id IS NOT new.campaign_id OR (old.unread > 0) IS NOT (new.unread > 0) BEGIN
        UPDATE conversation_counts SET total = total - 1, unread = unread - (old.unread > 0)
        WHERE campaign_id = old.campaign_id;
        INSERT INTO conversation_counts (campaign_id, total, unread)
        VALUES (new.campaign_id, 1, new.unread > 0)
        ON CONFLICT (campaign_id) DO UPDATE SET total = total + 1, unread = unread + excluded.unread;
    END""",
    """INSERT INTO conversation_counts (campaign_id, total, unread)
       SELECT campaign_id, count(*), coalesce(sum(unread > 0), 0) FROM conversations GROUP BY campaign_id""",
]


@migrations(name="inbox_conversation_counts")
def _inbox_conversation_counts(db: Database) -> None:
    _run(db, CONVERSATION_COUNTS)


@migrations(name="pipeline_sort_columns_and_tallies")
def _pipeline_sort_columns_and_tallies(db: Database) -> None:
    # The Pipeline sorts, counts and charts a campaign from indexes and small tables kept by
    # triggers (store/pipeline_upkeep.py), backfilled here from the rows already stored.
    _run(db, pipeline_upkeep.MIGRATION)


@migrations(name="reply_signal")
def _reply_signal(db: Database) -> None:
    # Each incoming reply's sentiment and who set it, auto-replies apart (store/reply_marks.py).
    _run(db, reply_marks.MIGRATION)


@migrations(name="attachments")
def _attachments(db: Database) -> None:
    # Files sent and received, stored once by content beside the database (store/attachments.py).
    _run(db, attachments.MIGRATION)


@migrations(name="outbox_sent_order")
def _outbox_sent_order(db: Database) -> None:
    # The Outbox lists sent mail by when it went, newest first (store/outbox/admin.py): read
    # backwards along this index, a page needs no sort of the whole history. Partial, so queued
    # mail pays nothing; `status` leads so that the planner prefers it to `messages_due`.
    _run(db, ["CREATE INDEX messages_sent_order ON messages(status, sent_at) WHERE status = 'sent'"])
