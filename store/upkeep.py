"""Time-driven chores in plain SQL: closing campaigns at their closing time, expiring agreements.

The daemon prefers the pipeline's own functions (which also send the emails those
moves trigger); these are the fallback when they are not installed.
"""

from __future__ import annotations

from sqlite_utils import Database

from store import audit

AGREEMENT_SENT = ("agreement sent", "agreement_sent")


def close_due_campaigns(db: Database, *, now: str, actor: str) -> list[str]:
    """Close every open campaign whose closing time has passed; returns their names."""
    due = list(db.query("SELECT id, name FROM campaigns WHERE status != 'closed' AND closes_at IS NOT NULL "
                        "AND closes_at <= ?", [now]))
    for row in due:
        db.conn.execute("UPDATE campaigns SET status = 'closed', updated_at = ? WHERE id = ? "
                        "AND status != 'closed'", (now, row["id"]))
        audit.record(db, at=now, actor=actor, action="campaign.close", entity="campaign", entity_id=row["id"],
                     campaign_id=row["id"], reason="closing time")
    return [row["name"] for row in due]


def expire_agreements(db: Database, *, now: str, actor: str) -> int:
    """Move applications whose agreement deadline passed unsigned to `expired`."""
    marks = ", ".join("?" for _ in AGREEMENT_SENT)
    due = list(db.query(f"SELECT id, campaign_id, stage FROM applications WHERE stage IN ({marks}) "
                        f"AND agreement_deadline IS NOT NULL AND agreement_deadline <= ?",
                        [*AGREEMENT_SENT, now]))
    for row in due:
        db.conn.execute("UPDATE applications SET stage = 'expired', agreement_state = 'expired', "
                        "updated_at = ? WHERE id = ? AND stage = ?", (now, row["id"], row["stage"]))
        audit.record(db, at=now, actor=actor, action="application.stage", entity="application",
                     entity_id=row["id"], campaign_id=row["campaign_id"],
                     **{"from": row["stage"], "to": "expired"}, via="expire")
    return len(due)
