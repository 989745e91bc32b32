"""What an operator does to a conversation: read state, bookmarks, attaching stray mail.

Read state lives on the messages (`is_read`); the conversation summary follows
through its triggers. Mail arrives unread; marking a conversation unread marks its
latest message, whichever way it went, so a conversation of our mail alone can be too.
Marks and bookmarks are the `triage_inbox` right (no viewer) and each change is audited
(read marks as the `conversation` entity, so they stay out of the influencer's timeline).
"""

from __future__ import annotations

from store import audit, operators, reply_marks, threads
from store.database import Database
from store.errors import NotFound, UserError
from store.influencers import get_by_handle


def mark_read(db: Database, influencer_id: int, campaign_id: int | None = None, *, now: str,
              actor: str) -> int:
    """Mark their unread mail read (in one campaign, or all); returns how many changed."""
    operators.require(db, actor, "triage_inbox")
    scope, params = ("AND campaign_id = ?", [campaign_id]) if campaign_id else ("", [])
    cursor = db.conn.execute(
        f"""UPDATE messages SET is_read = 1, updated_at = ?
            WHERE influencer_id = ? AND is_read = 0 {scope}""",
        [now, influencer_id, *params],
    )
    if cursor.rowcount:
        audit.record(db, at=now, actor=actor, action="conversation.read", entity="conversation",
                     entity_id=influencer_id, campaign_id=campaign_id, messages=cursor.rowcount)
    return cursor.rowcount


def mark_unread(db: Database, influencer_id: int, *, now: str, actor: str) -> None:
    """Mark the conversation's latest message (theirs or ours) unread, as a reminder to come back."""
    operators.require(db, actor, "triage_inbox")
    row = db.execute(
        "SELECT last_message_id FROM conversations WHERE influencer_id = ? AND campaign_id = 0",
        (influencer_id,),
    ).fetchone()
    if row is None:
        raise UserError("There is no conversation with them to mark unread.")
    db.conn.execute("UPDATE messages SET is_read = 0, updated_at = ? WHERE id = ?", (now, row[0]))
    audit.record(db, at=now, actor=actor, action="conversation.unread", entity="conversation",
                 entity_id=influencer_id, message=row[0])


def has_unread(db: Database, influencer_id: int) -> bool:
    row = db.execute(
        "SELECT unread FROM conversations WHERE influencer_id = ? AND campaign_id = 0", (influencer_id,)
    ).fetchone()
    return bool(row and row[0])


def toggle_unread(db: Database, influencer_id: int, *, now: str, actor: str) -> bool:
    """Read if anything is unread, else unread again; returns whether it is now unread."""
    if has_unread(db, influencer_id):
        mark_read(db, influencer_id, now=now, actor=actor)
        return False
    mark_unread(db, influencer_id, now=now, actor=actor)
    return True


def set_bookmark(db: Database, influencer_id: int, on: bool, *, now: str, actor: str) -> None:
    operators.require(db, actor, "triage_inbox")
    db.conn.execute(
        "UPDATE influencers SET bookmarked = ?, updated_at = ? WHERE id = ?", (int(on), now, influencer_id)
    )
    audit.record(db, at=now, actor=actor, action="influencer.bookmark" if on else "influencer.unbookmark",
                 entity="influencer", entity_id=influencer_id)


def toggle_bookmark(db: Database, influencer_id: int, *, now: str, actor: str) -> bool:
    """Flip the bookmark; returns whether it is now set."""
    row = db.execute("SELECT bookmarked FROM influencers WHERE id = ?", (influencer_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no influencer #{influencer_id}.")
    set_bookmark(db, influencer_id, not row[0], now=now, actor=actor)
    return not row[0]


def replied_since(db: Database, influencer_id: int, since: str) -> bool:
    """Whether they wrote to us (a reply, not a bounce) at or after `since`: stops follow-ups."""
    row = db.execute(
        """SELECT 1 FROM messages WHERE influencer_id = ? AND direction = 'in' AND kind = 'reply'
             AND coalesce(received_at, created_at) >= ? LIMIT 1""",
        (influencer_id, since),
    ).fetchone()
    return row is not None


def unmatched(db: Database, limit: int = 200) -> list[dict]:
    """Mail that arrived by sync and matched nobody (copies of our own included), newest first."""
    return list(db.query(
        """SELECT id, created_at, direction, kind, from_addr, from_name, to_addr, subject, message_id
           FROM messages WHERE influencer_id IS NULL AND received_at IS NOT NULL
           ORDER BY created_at DESC, id DESC LIMIT ?""",
        [limit],
    ))


def _as_sent(db: Database, message_row: int, now: str) -> None:
    """A copy of mail we sent, stored as received before: outgoing, sent at its Date, read."""
    db.conn.execute(
        """UPDATE messages SET direction = 'out', kind = 'manual', status = 'sent', sent_at = created_at,
               is_read = 1, updated_at = ? WHERE id = ?""",
        (now, message_row),
    )


def attach(
    db: Database, message_row: int, handle: str, *, campaign_id: int | None = None, now: str, actor: str,
    own_addresses: tuple[str, ...] = (),
) -> dict:
    """Attach mail that arrived by sync to an influencer by hand (it becomes part of their history).

    Mail from one of our addresses (see `threads.is_ours`) is a copy of what we sent: it is
    attached as sent to them, never as their reply.
    """
    row = db.execute(
        "SELECT direction, influencer_id, received_at, kind, from_addr FROM messages WHERE id = ?",
        (message_row,),
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no message #{message_row}.")
    direction, owner, received_at, kind, from_addr = row
    if received_at is None:
        raise UserError(f"Message #{message_row} is one we sent; only received mail can be attached.")
    influencer = get_by_handle(db, handle)
    if owner == influencer["id"]:
        raise UserError(f"Message #{message_row} is already in {influencer['handle']}'s history.")
    campaign = campaign_id or threads.latest_campaign(db, influencer["id"])
    db.conn.execute(
        "UPDATE messages SET influencer_id = ?, campaign_id = ?, updated_at = ? WHERE id = ?",
        (influencer["id"], campaign, now, message_row),
    )
    ours = direction == "out" or (kind in reply_marks.REPLY_KINDS
                                  and threads.is_ours(db, from_addr, own_addresses))
    if ours and direction == "in":
        _as_sent(db, message_row, now)
    audit.record(db, at=now, actor=actor, action="message.attached", entity="message",
                 entity_id=message_row, campaign_id=campaign, influencer=influencer["handle"],
                 previous_influencer=owner, outgoing=ours)
    return influencer


def replies_since(db: Database, after_id: int | None) -> tuple[int, list[str]]:
    """The newest message id now, and the handles of the replies stored after `after_id`, oldest
    first (None: only the mark, for a first look). Reads by rowid, so it costs nothing at 1,000,000."""
    newest = db.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
    if after_id is None or newest <= after_id:
        return newest, []
    rows = db.execute(
        """SELECT i.handle FROM messages m JOIN influencers i ON i.id = m.influencer_id
           WHERE m.id > ? AND m.id <= ? AND m.direction = 'in' AND m.kind = 'reply' ORDER BY m.id""",
        (after_id, newest)).fetchall()
    return newest, [row[0] for row in rows]
