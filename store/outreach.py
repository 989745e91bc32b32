"""The planner's data: who may be invited, what a day already holds, and what was planned."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from store import campaigns
from store.campaigns import Campaign
from store.database import Database
from store.errors import UserError
from store.influencers import decode

# Outgoing kinds that belong to the outreach sequence (and so follow the campaign's windows).
SEQUENCE_KINDS = ("invitation", "welcome")
# Flags that keep a message from being sent as it is, until someone fixes it.
BLOCKING_FLAGS = frozenset({"over_limit", "missing_data"})


@dataclass(frozen=True)
class PlannedRow:
    """One invitation the planner writes."""

    influencer_id: int
    to_addr: str
    language: str | None
    subject: str
    body: str
    body_html: str | None
    scheduled_at: str
    flags: tuple[str, ...]


def is_sequence_kind(kind: str) -> bool:
    return kind in SEQUENCE_KINDS or kind.startswith("followup-")


def segment_filter(db: Database, segment: str, now: datetime) -> tuple[str, list | dict]:
    """The campaign segment as SQL over `influencers AS i`; nobody when it is empty, since a
    campaign without a segment takes applications only and must never cold-invite everyone.
    A `segment:NAME` in it is read as that saved segment is on the planning day."""
    if not segment.strip():
        return "0", []
    from store import segments

    return segments.where(db, segment, now)


def unreadable_segment(db: Database, segment: str) -> str | None:
    """Why the campaign segment cannot be read today (a saved segment it names is gone), or None."""
    from store import segments
    from store.query.parser import parse_query

    try:
        segments.resolve(db, parse_query(segment))
    except UserError as error:
        return error.sentence
    return None


def live_campaigns(db: Database, name: str | None = None) -> list[Campaign]:
    """Campaigns not closed (open or paused), oldest first; one named campaign, whatever its state."""
    if name:
        return [campaigns.get(db, name)]
    rows = db.query("SELECT name FROM campaigns WHERE status != 'closed' ORDER BY id")
    return [campaigns.get(db, row["name"]) for row in rows]


def open_campaigns(db: Database, name: str | None = None) -> list[Campaign]:
    """Campaigns that may send (status open), oldest first; one named campaign when asked."""
    if name:
        return [campaigns.get(db, name)]
    rows = db.query("SELECT name FROM campaigns WHERE status = 'open' ORDER BY id")
    return [campaigns.get(db, row["name"]) for row in rows]


_CANDIDATES = """SELECT i.* FROM influencers AS i
    WHERE ({segment})
      AND i.unsubscribed = 0 AND i.bounced = 0 AND coalesce(i.email, '') != ''
      AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.influencer_id = i.id AND a.campaign_id = {c})
      AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.campaign_id = {c} AND m.influencer_id = i.id
                      AND m.direction = 'out')
      AND i.id NOT IN (SELECT value FROM json_each({x}))
    ORDER BY i.followers DESC, i.id LIMIT {n}"""


def candidates(db: Database, campaign: Campaign, where: tuple[str, list | dict], limit: int,
               exclude: Iterable[int] = ()) -> list[dict]:
    """Up to `limit` influencers of the segment this campaign may still invite, best-followed first.

    Never: suppressed, without an address, already in its pipeline, already written to by it.
    """
    if limit <= 0:
        return []
    segment_sql, params = where
    excluded = json.dumps(sorted(set(exclude)))
    if isinstance(params, dict):  # the segment binds by name: so do we
        sql = _CANDIDATES.format(segment=segment_sql, c=":_campaign", x=":_excluded", n=":_limit")
        bound: list | dict = {**params, "_campaign": campaign.id, "_excluded": excluded, "_limit": limit}
    else:
        sql = _CANDIDATES.format(segment=segment_sql, c="?", x="?", n="?")
        bound = [*params, campaign.id, campaign.id, excluded, limit]
    return [decode(row) for row in db.query(sql, bound)]


def still_invitable(db: Database, campaign_id: int, influencer_id: int) -> bool:
    """Not suppressed, not in the campaign's pipeline, never written to by it (checked at write time)."""
    return db.execute(
        """SELECT 1 FROM influencers i WHERE i.id = ? AND i.unsubscribed = 0 AND i.bounced = 0
           AND NOT EXISTS (SELECT 1 FROM applications WHERE campaign_id = ? AND influencer_id = i.id)
           AND NOT EXISTS (SELECT 1 FROM messages WHERE campaign_id = ? AND influencer_id = i.id
                           AND direction = 'out')""",
        (influencer_id, campaign_id, campaign_id),
    ).fetchone() is not None


def invitations_between(db: Database, campaign_id: int, start: str, end: str) -> int:
    """How many invitations of the campaign are scheduled in [start, end), whatever their state."""
    row = db.execute(
        """SELECT count(*) FROM messages WHERE campaign_id = ? AND kind = 'invitation'
           AND direction = 'out' AND scheduled_at >= ? AND scheduled_at < ?""",
        (campaign_id, start, end),
    ).fetchone()
    return int(row[0])


def plan_run(db: Database, campaign_id: int, plan_date: str) -> dict | None:
    rows = list(db.query("SELECT * FROM plan_runs WHERE campaign_id = ? AND plan_date = ?",
                         [campaign_id, plan_date]))
    return rows[0] if rows else None


def planned_dates(db: Database, campaign_id: int, first: str) -> set[str]:
    rows = db.execute("SELECT plan_date FROM plan_runs WHERE campaign_id = ? AND plan_date >= ?",
                      (campaign_id, first))
    return {row[0] for row in rows}


def record_plan_run(db: Database, campaign_id: int, plan_date: str, planned: int, flagged: int,
                    *, now: str, actor: str) -> bool:
    """Mark the day planned; False when another planner got there first (nothing written)."""
    cursor = db.conn.execute(
        """INSERT OR IGNORE INTO plan_runs (campaign_id, plan_date, planned, flagged, planned_at, actor)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (campaign_id, plan_date, planned, flagged, now, actor),
    )
    return cursor.rowcount == 1


def add_invited(db: Database, campaign_id: int, influencer_id: int, now: str) -> None:
    """The `invited` application that goes with a planned invitation."""
    db.conn.execute(
        """INSERT OR IGNORE INTO applications (influencer_id, campaign_id, source, stage,
               created_at, updated_at) VALUES (?, ?, 'invited', 'invited', ?, ?)""",
        (influencer_id, campaign_id, now, now),
    )


def set_plan_date(db: Database, message_id: int, plan_date: str) -> None:
    db.conn.execute("UPDATE messages SET plan_date = ? WHERE id = ?", (plan_date, message_id))


def planned_invitations(db: Database, campaign_id: int, plan_date: str) -> list[dict]:
    """The invitations written for one campaign day, in send order, with the recipient's handle."""
    return list(db.query(
        """SELECT m.id, m.scheduled_at, m.language, m.subject, m.body, m.status, m.flags,
                  i.handle, i.id AS influencer_id
           FROM messages m JOIN influencers i ON i.id = m.influencer_id
           WHERE m.campaign_id = ? AND m.plan_date = ? AND m.kind = 'invitation'
           ORDER BY m.scheduled_at, m.id""",
        [campaign_id, plan_date],
    ))


_SEQUENCE_SQL = "(kind IN ('invitation', 'welcome') OR kind LIKE 'followup-%')"


def overdue(db: Database, now: str) -> list[dict]:
    """Queued outreach (invitations, welcomes, follow-ups) that is due now, by campaign and time."""
    return list(db.query(
        f"""SELECT id, campaign_id, kind, scheduled_at, next_attempt_at, flags FROM messages
            WHERE status = 'queued' AND direction = 'out' AND next_attempt_at <= ? AND {_SEQUENCE_SQL}
              AND campaign_id IS NOT NULL
            ORDER BY campaign_id, next_attempt_at, id""",
        [now],
    ))


def retime(db: Database, message_id: int, when: str, plan_date: str | None, now: str) -> bool:
    """Move an unsent message (queued, or planned and flagged) to `when` and flag it `retimed`;
    False if it was claimed meanwhile."""
    row = db.execute("SELECT flags, kind FROM messages WHERE id = ? AND status IN ('planned', 'queued')",
                     (message_id,)).fetchone()
    if row is None:
        return False
    flags = json.dumps(sorted({*json.loads(row[0]), "retimed"}))
    db.conn.execute(
        """UPDATE messages SET scheduled_at = ?, next_attempt_at = ?, flags = ?, updated_at = ?,
               plan_date = CASE WHEN kind = 'invitation' THEN ? ELSE plan_date END
           WHERE id = ?""",
        (when, when, flags, now, plan_date, message_id),
    )
    return True


def cancel_closed(db: Database, now: str) -> list[tuple[int, int]]:
    """Skip the unsent outreach of campaigns that are closed; returns (campaign id, count)."""
    rows = db.execute(
        f"""SELECT campaign_id, count(*) FROM messages
            WHERE status IN ('planned', 'queued') AND {_SEQUENCE_SQL}
              AND campaign_id IN (SELECT id FROM campaigns WHERE status = 'closed')
            GROUP BY campaign_id"""
    ).fetchall()
    if rows:
        db.conn.execute(
            f"""UPDATE messages SET status = 'skipped', updated_at = ?,
                   flags = (SELECT json_group_array(value) FROM (
                       SELECT value FROM json_each(messages.flags) UNION SELECT 'campaign_closed'))
                WHERE status IN ('planned', 'queued') AND {_SEQUENCE_SQL}
                  AND campaign_id IN (SELECT id FROM campaigns WHERE status = 'closed')""",
            (now,),
        )
    return [(row[0], row[1]) for row in rows]
