"""What the operator sees of the outbox and can do to it: counts, a page of rows, retry, cancel."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Self

from store import audit
from store.database import Database
from store.errors import NotFound, UserError
from store.outbox.queueing import suppression

OPEN_STATUSES = ("queued", "sending", "deferred", "failed")
VIEW_STATUSES = ("planned", "queued", "sending", "deferred", "failed", "sent", "skipped")
RETRYABLE = ("failed", "deferred")
CANCELLABLE = ("planned", "queued", "deferred", "failed")


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One outgoing message as the outbox lists it, with its campaign's name and the influencer's handle."""

    id: int
    status: str
    kind: str
    to_addr: str | None
    subject: str
    attempts: int
    next_attempt_at: str | None
    sent_at: str | None
    last_smtp_response: str | None
    flags: tuple[str, ...]
    message_id: str | None
    campaign: str | None
    handle: str | None
    listed_at: str | None = None  # the time it is listed by: sent, due, else last written (_LISTED_AT)
    unreviewed: bool = False  # an invitation of a moderated campaign nobody approved yet (it still goes)

    @property
    def shown_status(self) -> str:
        """The status as the Outbox shows it: an invitation waiting for its evening review says so, as
        Moderation does, not `queued` as if someone had let it go."""
        return "to review" if self.unreviewed else self.status

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """From a row of `outbox_rows`' query; the stored JSON flags decoded here."""
        return cls(
            id=row["id"], status=row["status"], kind=row["kind"], to_addr=row["to_addr"],
            subject=row["subject"], attempts=row["attempts"], next_attempt_at=row["next_attempt_at"],
            sent_at=row["sent_at"], last_smtp_response=row["last_smtp_response"],
            flags=tuple(json.loads(row["flags"])), message_id=row["message_id"], campaign=row["campaign"],
            handle=row["handle"], listed_at=row["listed_at"], unreviewed=bool(row["unreviewed"]))

    def to_json(self) -> dict[str, Any]:
        """The row as `callsheet outbox --json` prints it, in the query's column order."""
        return {**asdict(self), "flags": list(self.flags)}


def outbox_counts(db: Database, statuses: Sequence[str] = ("planned", *OPEN_STATUSES)) -> dict[str, int]:
    """Outgoing messages per status asked for (by default the unfinished ones, not the history)."""
    counts = dict.fromkeys(statuses, 0)
    for status, count in db.execute(
        """SELECT status, count(*) FROM messages
           WHERE status IN (SELECT value FROM json_each(?)) GROUP BY status""", [json.dumps(list(statuses))]
    ).fetchall():
        counts[status] = count
    return counts


def unreviewed_count(db: Database, statuses: Sequence[str], now: str) -> int:
    """How many messages in these statuses the Outbox shows as `to review` (see `_UNREVIEWED`)."""
    sql = f"""SELECT count(*) FROM messages m JOIN campaigns c ON c.id = m.campaign_id
              WHERE m.direction = 'out' AND m.status IN (SELECT value FROM json_each(:statuses))
              AND {_UNREVIEWED}"""
    return db.execute(sql, {"now": now, "statuses": json.dumps(list(statuses))}).fetchone()[0]


# Waiting mail: what needs a person first, then by when it falls due. Sent mail: newest sent
# first, ties by id, along `messages_sent_order` (so a page of 1,000,000 sent rows reads backwards
# along an index). Other history (skipped, all) the same way, by the time each row is listed at:
# when it went, when it is due, else when it was last written (skipped, failed, cancelled).
_LISTED_AT = """CASE WHEN m.status = 'sent' THEN m.sent_at
                     WHEN m.status IN ('planned', 'queued', 'deferred', 'sending')
                          THEN coalesce(m.next_attempt_at, m.updated_at)
                     ELSE m.updated_at END"""
# An invitation still in Moderation's queue (store/moderation.py `_scope`): upcoming, nobody approved it.
_UNREVIEWED = """:now IS NOT NULL AND m.kind = 'invitation' AND m.approved_by IS NULL
                 AND c.moderation = 1 AND m.status IN ('planned', 'queued')
                 AND (m.status = 'planned' OR coalesce(m.scheduled_at, m.created_at) >= :now)"""
_DUE_ORDER = "m.status = 'failed' DESC, m.next_attempt_at, m.id"
_SENT_ORDER = "m.sent_at DESC, m.id DESC"
_NEWEST = "listed_at DESC, m.id DESC"


def _filter_and_order(statuses: Sequence[str], newest_first: bool) -> tuple[str, str]:
    """The WHERE term on status and the ORDER BY of one listing; the sent listing names its status
    literally, since SQLite uses a partial index only for a query that states its condition."""
    if tuple(statuses) == ("sent",) and newest_first:
        return "m.status = 'sent'", _SENT_ORDER
    return ("m.status IN (SELECT value FROM json_each(:statuses))",
            _NEWEST if newest_first else _DUE_ORDER)


def outbox_sql(statuses: Sequence[str], newest_first: bool) -> str:
    """The query of one page of `outbox_rows` (also read by its query-plan test)."""
    where, order = _filter_and_order(statuses, newest_first)
    return f"""SELECT m.id, m.status, m.kind, m.to_addr, m.subject, m.attempts, m.next_attempt_at,
                  m.sent_at, m.last_smtp_response, m.flags, m.message_id, c.name AS campaign,
                  i.handle, {_LISTED_AT} AS listed_at,
                  ({_UNREVIEWED}) AS unreviewed
           FROM messages m LEFT JOIN campaigns c ON c.id = m.campaign_id
           LEFT JOIN influencers i ON i.id = m.influencer_id
           WHERE m.direction = 'out' AND {where}
           ORDER BY {order}
           LIMIT :limit OFFSET :offset"""


def outbox_rows(db: Database, statuses: Sequence[str] = ("queued", "deferred", "failed"),
                limit: int = 100, offset: int = 0, *, newest_first: bool = False,
                now: str | None = None) -> list[OutboxRow]:
    """One page of outgoing messages in the given statuses, failed first, then by due time;
    `newest_first` for history: newest first by the time each is listed at (`listed_at`), ties by id.
    With `now`, invitations still in Moderation's queue (upcoming, unapproved) are marked `unreviewed`."""
    unknown = [status for status in statuses if status not in VIEW_STATUSES]
    if unknown:
        raise UserError(f"Unknown outbox status {unknown[0]!r}; choose from {', '.join(VIEW_STATUSES)}.")
    rows = db.query(outbox_sql(statuses, newest_first),
                    {"statuses": json.dumps(list(statuses)), "limit": limit, "offset": offset, "now": now})
    return [OutboxRow.from_row(row) for row in rows]


def _outgoing(db: Database, message_id: int) -> dict:
    rows = list(db.query(
        "SELECT id, status, campaign_id, influencer_id FROM messages WHERE id = ? AND direction = 'out'",
        [message_id]))
    if not rows:
        raise NotFound(f"There is no outgoing message #{message_id}.")
    return rows[0]


def retry_message(db: Database, message_id: int, now: str, *, actor: str = "callsheet") -> str | None:
    """Make a failed or deferred message due now; call in a write transaction. Returns the name of
    its campaign when that is paused (the message then waits for the resume), else None."""
    row = _outgoing(db, message_id)
    if row["status"] not in RETRYABLE:
        raise UserError(f"Message #{message_id} is {row['status']}; only failed or deferred "
                        "messages can be retried.")
    suppressed = suppression(db, row["influencer_id"])
    if suppressed:
        words = {"unsubscribed": "unsubscribed", "bounced": "has a bounced address"}[suppressed]
        raise UserError(f"Message #{message_id} cannot be retried: the influencer {words}.")
    db.conn.execute(
        "UPDATE messages SET status = 'queued', next_attempt_at = ?, updated_at = ? WHERE id = ?",
        [now, now, message_id])
    audit.record(db, at=now, actor=actor, action="message.retry", entity="message",
                 entity_id=message_id, campaign_id=row["campaign_id"], was=row["status"])
    paused = db.execute("SELECT name FROM campaigns WHERE id = ? AND status = 'paused'",
                        [row["campaign_id"]]).fetchone()
    return paused[0] if paused else None


def cancel_message(db: Database, message_id: int, now: str, *, actor: str = "callsheet") -> None:
    """Make sure a message that has not gone out never does; call in a write transaction."""
    row = _outgoing(db, message_id)
    if row["status"] == "sending":
        raise UserError(f"Message #{message_id} is being sent right now; cancel it once it has "
                        "failed or been deferred.")
    if row["status"] not in CANCELLABLE:
        raise UserError(f"Message #{message_id} is {row['status']}; only planned, queued, deferred "
                        "or failed messages can be cancelled.")
    db.conn.execute(
        """UPDATE messages SET status = 'skipped', last_smtp_response = ?, updated_at = ?,
               flags = (SELECT json_group_array(value) FROM
                        (SELECT value FROM json_each(flags) UNION SELECT 'cancelled' ORDER BY 1))
           WHERE id = ?""",
        [f"Cancelled by {actor}.", now, message_id])
    audit.record(db, at=now, actor=actor, action="message.cancel", entity="message",
                 entity_id=message_id, campaign_id=row["campaign_id"], was=row["status"])
