"""Putting a message in the outbox: one `messages` row with a stable Message-ID.

Everything that sends mail (triggers, outreach, replies, bulk) calls `enqueue`
inside the transaction of the action that caused it, so both happen or neither.
The dispatcher (mailer/) claims rows from here; it never creates them.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable

from store.clicks import resolve_pending
from store.database import Database
from store.outbox.tokens import fill
from store.rowids import inserted_id

# CR, LF and every other character that some mail parser treats as a line end.
# The author of what callsheet wrote by itself (planned invitations, sequence steps), as in the audit trail.
SYSTEM_AUTHOR = "callsheet"
_HEADER_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """Fold anything that could end a header line into a space (header injection guard)."""
    return _HEADER_BREAKS.sub(" ", text).strip()


def new_message_id(from_addr: str | None) -> str:
    domain = (from_addr or "").rpartition("@")[2] or "callsheet.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def suppression(db: Database, influencer_id: int | None) -> str | None:
    """'unsubscribed' or 'bounced' when the influencer must not be emailed, else None."""
    if influencer_id is None:
        return None
    row = db.execute(
        "SELECT unsubscribed, bounced FROM influencers WHERE id = ?", (influencer_id,)
    ).fetchone()
    if row is None:
        return None
    if row[0]:
        return "unsubscribed"
    if row[1]:
        return "bounced"
    return None


def enqueue(
    db: Database,
    *,
    now: str,
    kind: str,
    to_addr: str,
    from_addr: str,
    subject: str,
    body: str,
    influencer_id: int | None = None,
    campaign_id: int | None = None,
    language: str | None = None,
    from_name: str = "",
    body_html: str | None = None,
    in_reply_to: str | None = None,
    refs: str | None = None,
    status: str = "queued",
    scheduled_at: str | None = None,
    flags: Iterable[str] = (),
    author: str = SYSTEM_AUTHOR,
) -> tuple[int, str]:
    """Insert an outgoing message written by `author` and return (row id, status).

    Suppressed influencers get a `skipped` row, so their timeline says why nothing left.
    """
    suppressed = suppression(db, influencer_id)
    if suppressed:
        status, flags = "skipped", [*flags, suppressed]
    message_id = new_message_id(from_addr)
    body, body_html = resolve_pending(db, body, now) or "", resolve_pending(db, body_html, now)
    body, body_html = fill(body, message_id) or "", fill(body_html, message_id)
    cursor = db.conn.execute(
        """INSERT INTO messages (influencer_id, campaign_id, direction, kind, language, from_addr,
               from_name, to_addr, subject, body, body_html, message_id, in_reply_to, refs, is_read, status,
               flags, scheduled_at, next_attempt_at, created_at, updated_at, author)
           VALUES (?, ?, 'out', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)""",
        (influencer_id, campaign_id, kind, language, from_addr, one_line(from_name), to_addr,
         one_line(subject), body, body_html, message_id, in_reply_to, refs, status,
         json.dumps(sorted(set(flags))), scheduled_at, scheduled_at or now, now, now, author),
    )
    return inserted_id(cursor), status
