"""Bounced influencers: marked from delivery reports, inspected, and cleared when wrong."""

from __future__ import annotations

from store import audit, bounce_reports
from store.database import Database
from store.errors import UserError
from store.influencers import get_by_handle


def mark(
    db: Database,
    influencer_id: int,
    reason: str,
    *,
    now: str,
    actor: str,
    report_row: int | None = None,
    original_message_id: str | None = None,
) -> None:
    """Suppress the influencer and flag the message that bounced."""
    db.conn.execute(
        "UPDATE influencers SET bounced = 1, bounce_reason = ?, updated_at = ? WHERE id = ?",
        (reason, now, influencer_id),
    )
    if original_message_id:
        db.conn.execute(
            """UPDATE messages SET flags = json_insert(flags, '$[#]', 'bounced'), updated_at = ?
               WHERE message_id = ? AND NOT EXISTS (
                   SELECT 1 FROM json_each(messages.flags) WHERE value = 'bounced')""",
            (now, original_message_id),
        )
    audit.record(db, at=now, actor=actor, action="influencer.bounced", entity="influencer",
                 entity_id=influencer_id, reason=reason, report_message=report_row)


def listing(db: Database) -> list[dict]:
    """Every bounced influencer with the reason and the latest report, newest first."""
    return list(db.query(
        """SELECT i.id AS influencer_id, i.handle, i.email, i.bounce_reason,
                  r.id AS report_id, r.created_at AS reported_at, r.subject AS report_subject
           FROM influencers i
           LEFT JOIN messages r ON r.id = (
               SELECT m.id FROM messages m WHERE m.influencer_id = i.id AND m.kind = 'bounce'
               ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
           WHERE i.bounced = 1
           ORDER BY coalesce(r.created_at, i.updated_at) DESC, i.id DESC"""
    ))


def inspector(db: Database) -> list[dict]:
    """What the bounce inspector lists: bounced influencers, then reports that suppressed nobody.

    Each row has a `state`: bounced, or unverified (the report refers to no mail we sent them).
    """
    bounced = [{**row, "state": "bounced"} for row in listing(db)]
    unverified = [{"influencer_id": row["influencer_id"], "handle": row["handle"], "email": row["recipient"],
                   "bounce_reason": row["reason"], "report_id": row["report_id"],
                   "reported_at": row["reported_at"], "report_subject": row["report_subject"],
                   "state": "unverified"}
                  for row in bounce_reports.unverified(db)]
    return bounced + unverified


def report(db: Database, influencer_id: int) -> dict | None:
    """The latest bounce report for an influencer: its text and raw bytes when kept."""
    rows = list(db.query(
        """SELECT m.id, m.created_at, m.from_addr, m.subject, m.body, r.raw
           FROM messages m LEFT JOIN inbound_raw r ON r.message_id = m.id
           WHERE m.influencer_id = ? AND m.kind = 'bounce'
           ORDER BY m.created_at DESC, m.id DESC LIMIT 1""",
        [influencer_id],
    ))
    return rows[0] if rows else None


def report_text(db: Database, report_id: int) -> str:
    """The text of one stored delivery report."""
    row = db.execute("SELECT body FROM messages WHERE id = ? AND kind = 'bounce'", (report_id,)).fetchone()
    return row[0] if row else ""


def clear(db: Database, handle: str, *, now: str, actor: str) -> dict:
    """Lift a false positive: the influencer may be emailed again (audited)."""
    influencer = get_by_handle(db, handle)
    if not influencer["bounced"]:
        raise UserError(f"{influencer['handle']} is not marked as bounced.")
    db.conn.execute(
        "UPDATE influencers SET bounced = 0, bounce_reason = NULL, updated_at = ? WHERE id = ?",
        (now, influencer["id"]),
    )
    audit.record(db, at=now, actor=actor, action="influencer.bounce_cleared", entity="influencer",
                 entity_id=influencer["id"], reason=influencer["bounce_reason"])
    return influencer
