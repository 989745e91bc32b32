"""Email triggers per campaign: which template an event sends, with built-in defaults.

Events are `submitted` (a self-applicant lands in "to review"), a stage name
(the application entered that stage) and `collaboration-in` / `collaboration-out`
(the two halves of "start collaboration"). A row in `triggers` overrides the default.
"""

from __future__ import annotations

from store import audit, stages
from store.database import Database
from store.errors import UserError

SUBMITTED = "submitted"
COLLABORATION_IN = "collaboration-in"
COLLABORATION_OUT = "collaboration-out"

DEFAULTS: dict[str, str] = {
    SUBMITTED: "acknowledgement",
    stages.INVITED: "invitation",
    stages.AGREEMENT_SENT: "agreement",
    stages.IN_CAMPAIGN: "accepted",
    stages.REJECTED: "rejected",
    COLLABORATION_IN: "congratulations",
    COLLABORATION_OUT: "bummer",
}
# Events an operator may attach a template to; private stages tell nobody.
EVENTS = (SUBMITTED, *(s for s in stages.STAGES if s not in stages.PRIVATE),
          COLLABORATION_IN, COLLABORATION_OUT)


def parse_event(text: str) -> str:
    """An event from what a person typed ('in-campaign', 'in campaign', 'submitted')."""
    raw = text.strip().lower()
    if raw in (SUBMITTED, COLLABORATION_IN, COLLABORATION_OUT):
        return raw
    stage = " ".join(raw.replace("-", " ").replace("_", " ").split())
    if stage in stages.PRIVATE:
        raise UserError(f"The stage '{stages.label(stage)}' is private: no email may be sent on it.")
    if stage in stages.STAGES:
        return stage
    names = ", ".join(event_name(e) for e in EVENTS)
    raise UserError(f"Unknown trigger event {text!r}; events are {names}.")


def event_name(event: str) -> str:
    """The event as typed on the command line."""
    return event.replace(" ", "-")


def effective(db: Database, campaign_id: int) -> dict[str, dict]:
    """Every event with its template kind, whether it is on, and whether it is the default."""
    table = {event: {"event": event, "template_kind": DEFAULTS.get(event), "enabled":
                     event in DEFAULTS, "default": True} for event in EVENTS}
    for row in db.query("SELECT event, template_kind, enabled FROM triggers WHERE campaign_id = ?",
                        [campaign_id]):
        table[row["event"]] = {"event": row["event"], "template_kind": row["template_kind"],
                               "enabled": bool(row["enabled"]), "default": False}
    return table


def template_for(db: Database, campaign_id: int, event: str) -> str | None:
    """The template kind `event` sends in this campaign, or None when nothing is sent."""
    row = db.execute(
        "SELECT template_kind, enabled FROM triggers WHERE campaign_id = ? AND event = ?",
        (campaign_id, event),
    ).fetchone()
    if row is None:
        return DEFAULTS.get(event)
    return row[0] if row[1] else None


def set_trigger(db: Database, *, campaign_id: int, event: str, template_kind: str | None,
                enabled: bool, actor: str, now: str) -> None:
    """Attach a template to an event, or switch the event off (kind kept for switching back)."""
    kind = template_kind or DEFAULTS.get(event) or ""
    if enabled and not kind:
        raise UserError(f"The event {event_name(event)} needs a template kind.")
    db.conn.execute(
        """INSERT INTO triggers (campaign_id, event, template_kind, enabled) VALUES (?, ?, ?, ?)
           ON CONFLICT (campaign_id, event) DO UPDATE SET
               template_kind = CASE WHEN excluded.template_kind = '' THEN template_kind
                                    ELSE excluded.template_kind END,
               enabled = excluded.enabled""",
        (campaign_id, event, kind, int(enabled)),
    )
    audit.record(db, at=now, actor=actor, action="trigger.set" if enabled else "trigger.off",
                 entity="trigger", campaign_id=campaign_id, event=event, template_kind=kind)
