"""Undoing the last decision on an application while its email has not left.

An accept or reject made with a grace period holds its email (`scheduled_at` =
decision + grace, flag `undoable`). Until a dispatcher claims it, the decision
can be taken back: the stage returns and the email is withdrawn (`skipped`).
Private moves (shortlist, decline) can always be taken back; they sent nothing.
"""

from __future__ import annotations

import json
from datetime import datetime

from store import stages
from store.clock import from_iso, iso
from store.database import Database
from store.errors import NotFound, UserError
from store.moves import STAGE_CHANGE, Move, record, set_stage

UNDOABLE_VIAS = frozenset({"accept", "reject", "shortlist", "decline"})


def last_change(db: Database, application_id: int) -> dict | None:
    """The latest stage-change event of an application, detail decoded."""
    row = db.execute(
        """SELECT id, at, actor, detail FROM audit_events
           WHERE entity = 'application' AND entity_id = ? AND action = ? ORDER BY id DESC LIMIT 1""",
        (application_id, STAGE_CHANGE),
    ).fetchone()
    if row is None:
        return None
    return {"id": row[0], "at": row[1], "actor": row[2], **json.loads(row[3])}


def _withdraw(db: Database, change: dict, handle: str, now: datetime) -> None:
    """Take back the decision's email, or refuse if it may already be on its way."""
    undo_until = change.get("undo_until")
    if not undo_until:
        raise UserError(f"The decision to {change['via']} @{handle} was final at once (no undo window).")
    message = change.get("message")
    if message is None or _status(db, message) == "skipped":
        if now >= from_iso(undo_until):
            raise UserError(f"The undo window for @{handle} closed at {undo_until}; the decision is final.")
        return
    cursor = db.conn.execute(
        """UPDATE messages SET status = 'skipped', flags = json_insert(flags, '$[#]', 'withdrawn'),
               updated_at = ? WHERE id = ? AND status = 'queued' AND lease_owner IS NULL""",
        (iso(now), message),
    )
    if cursor.rowcount != 1:
        raise UserError(f"The {change.get('email')} email to @{handle} has already left "
                        f"(status '{_status(db, message)}'); the decision is final.")


def _status(db: Database, message_row: int) -> str | None:
    row = db.execute("SELECT status FROM messages WHERE id = ?", (message_row,)).fetchone()
    return row[0] if row else None


def undo(db: Database, application_id: int, now: datetime, *, actor: str = "callsheet") -> Move:
    """Restore the stage before the last decision and withdraw its email, or one sentence why not."""
    application = db.execute(
        """SELECT a.stage, a.influencer_id, a.campaign_id, i.handle FROM applications a
           JOIN influencers i ON i.id = a.influencer_id WHERE a.id = ?""", (application_id,)).fetchone()
    if application is None:
        raise NotFound(f"There is no application #{application_id}.")
    stage, influencer_id, campaign_id, handle = application
    change = last_change(db, application_id)
    if change is None or change.get("via") not in UNDOABLE_VIAS or change.get("to") != stage:
        via = change.get("via") if change else "none"
        raise UserError(f"Nothing to undo for @{handle}: its last change ({via}, now at stage "
                        f"'{stages.label(stage)}') is not a decision that can be taken back.")
    if change["via"] in stages.IRREVERSIBLE:
        _withdraw(db, change, handle, now)
    move = Move(application_id, influencer_id, handle, stage, change["from"], "undo",
                extra={"undoes": change["id"]})
    if change.get("message") is not None:
        move.email_kind, move.email_status = change.get("email"), "withdrawn"
    set_stage(db, move, now=iso(now), columns={"decided_by": None})
    record(db, move, campaign_id=campaign_id, now=iso(now), actor=actor)
    return move
