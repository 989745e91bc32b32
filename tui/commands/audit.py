"""`callsheet audit`: the append-only trail of who changed what, when."""

from __future__ import annotations

import click

from store import audit as trail
from store import campaigns, stages
from tui.context import CliContext
from tui.output import emit_json, emit_table


def _summary(event: dict) -> str:
    detail = event["detail"]
    if event["action"] == "application.stage":
        before = stages.label(detail["from"]) if detail.get("from") else "new"
        change = f"{before} → {stages.label(detail.get('to'))}"
        mail = f", {detail['email']} {detail.get('email_status')}" if detail.get("email") else ""
        return f"@{detail.get('handle')}: {change} ({detail.get('via')}{mail})"
    return ", ".join(f"{key}={value}" for key, value in detail.items() if value is not None)


@click.command("audit")
@click.option("--campaign", help="Only this campaign's events.")
@click.option("--limit", type=click.IntRange(1), default=1000, show_default=True,
              help="At most this many events (the most recent).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def audit(obj: CliContext, campaign: str | None, limit: int, as_json: bool) -> None:
    """The audit trail, oldest first."""
    db = obj.store.reader()
    campaign_id = campaigns.get(db, campaign).id if campaign else None
    events = trail.recent(db, campaign_id=campaign_id, limit=limit)
    if as_json:
        emit_json(events)
        return
    if not events:
        click.echo("No events yet.")
        return
    emit_table(("at", "actor", "action", "what"),
               [(e["at"], e["actor"], e["action"], _summary(e)) for e in events])


COMMANDS = (audit,)
