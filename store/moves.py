"""Writing one stage change: the application row, its email in the outbox, its audit event.

Callers render every email first and write afterwards, all inside one
`store.write()` transaction, so a bulk action is all or nothing (R2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from store import audit, sequence, stages
from store.database import Database
from store.outbox import queueing
from store.outreach_rules.sequence import stage_stop

UNDOABLE = "undoable"
STAGE_CHANGE = "application.stage"


@dataclass(frozen=True)
class Email:
    """A rendered email ready for the outbox; `to_addr` None means it cannot be sent."""

    kind: str
    language: str
    subject: str
    body: str
    body_html: str | None
    to_addr: str | None
    from_addr: str
    from_name: str = ""
    status: str = "queued"
    flags: tuple[str, ...] = ()


# (event, influencer, application) -> the email that event sends, or None when it sends nothing.
Compose = Callable[[str, dict, dict], Email | None]


def no_email(_event: str, _influencer: dict, _application: dict) -> Email | None:
    return None


@dataclass
class Move:
    """What happened to one application, for the report and the audit trail."""

    application_id: int
    influencer_id: int
    handle: str
    from_stage: str | None
    to_stage: str
    via: str
    email_kind: str | None = None
    email_status: str | None = None
    message_row: int | None = None
    note: str | None = None
    undo_until: str | None = None
    extra: dict = field(default_factory=dict)

    def describe(self) -> str:
        before = stages.label(self.from_stage) if self.from_stage else "new"
        change = (f"{before} → {stages.label(self.to_stage)}"
                  if self.from_stage != self.to_stage else stages.label(self.to_stage))
        mail = ""
        if self.email_kind:
            mail = f", {self.email_kind} email {self.email_status}"
            if self.undo_until:
                mail += f" (undo until {self.undo_until})"
        if self.note:
            mail += f" ({self.note})"
        return f"@{self.handle}: {change}{mail}"


def send(db: Database, move: Move, email: Email | None, *, campaign_id: int, now: str, author: str,
         scheduled_at: str | None = None) -> None:
    """Put `email` in the outbox for `move`, written by the deciding `author` (or note why it cannot go)."""
    if email is None:
        return
    move.email_kind = email.kind
    if email.to_addr is None:
        move.email_status, move.note = "not sent", "no email address"
        return
    flags = (*email.flags, UNDOABLE) if move.undo_until else email.flags
    move.message_row, move.email_status = queueing.enqueue(
        db, now=now, kind=email.kind, to_addr=email.to_addr, from_addr=email.from_addr,
        from_name=email.from_name, subject=email.subject, body=email.body, body_html=email.body_html,
        influencer_id=move.influencer_id, campaign_id=campaign_id, language=email.language,
        status=email.status, scheduled_at=scheduled_at, flags=flags, author=author,
    )
    if move.email_status == "skipped":
        move.note = f"{queueing.suppression(db, move.influencer_id)}: no email sent"


def record(db: Database, move: Move, *, campaign_id: int, now: str, actor: str) -> None:
    """The audit event of a stage change: who, when, from which stage to which, and its email."""
    audit.record(
        db, at=now, actor=actor, action=STAGE_CHANGE, entity="application",
        entity_id=move.application_id, campaign_id=campaign_id, handle=move.handle,
        influencer_id=move.influencer_id, **{"from": move.from_stage, "to": move.to_stage},
        via=move.via, email=move.email_kind, email_status=move.email_status,
        message=move.message_row, undo_until=move.undo_until, **move.extra,
    )


def set_stage(db: Database, move: Move, *, now: str, columns: dict | None = None) -> None:
    """Update the application, guarded on its stage so a concurrent change is never overwritten."""
    values = {"stage": move.to_stage, "updated_at": now, **(columns or {})}
    assignments = ", ".join(f"{name} = ?" for name in values)
    cursor = db.conn.execute(
        f"UPDATE applications SET {assignments} WHERE id = ? AND stage IS ?",
        [*values.values(), move.application_id, move.from_stage],
    )
    if cursor.rowcount != 1:
        raise RuntimeError(f"application {move.application_id} changed under a write transaction")
    changed = sequence.follow_stage(db, move.application_id, move.to_stage, now)
    if changed:
        verb = "stopped" if stage_stop(move.to_stage) else "restored"
        move.extra["sequence"] = f"{changed} step(s) {verb}"
