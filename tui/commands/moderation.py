"""`callsheet moderation list | show | skip | unskip | approve | language | edit`, for scripts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from mailer.actions import outreach
from store import moderation as queue
from store.campaigns import get as get_campaign
from store.campaigns import zone
from store.clock import from_iso
from store.db import Store
from store.errors import UserError
from tui.commands.plan import parse_day
from tui.context import CliContext
from tui.files import read_text
from tui.output import emit_json, emit_table
from tui.visible import visible


@click.group("moderation")
def moderation_group() -> None:
    """Work the queue of upcoming invitations."""


def _rows(obj: CliContext, day_text: str | None, campaign: str | None) -> list[queue.Invitation]:
    reader = obj.store.reader()
    day = parse_day(day_text)
    campaign_id = get_campaign(reader, campaign).id if campaign else None
    return queue.queue(reader, obj.store.now_iso(), plan_date=day.isoformat() if day else None,
                       campaign_id=campaign_id)


def _local(row: queue.Invitation) -> str | None:
    if not row.scheduled_at:
        return None
    return from_iso(row.scheduled_at).astimezone(zone(row.timezone)).strftime("%Y-%m-%d %H:%M %Z")


def _when(row: queue.Invitation) -> str:
    return _local(row) or queue.untimed(row) or ""


def _public(row: queue.Invitation) -> dict:
    return {"id": row.id, "campaign": row.campaign, "sender": row.sender, "handle": row.handle,
            "language": row.language, "length": row.length, "limit": row.invite_limit,
            "status": row.status, "flags": list(row.flags), "approved_by": row.approved_by,
            "scheduled_at": row.scheduled_at, "local_time": _local(row), "unscheduled": queue.untimed(row),
            "plan_date": row.plan_date,
            "subject": row.subject}


@moderation_group.command("list")
@click.option("--date", "day_text", metavar="YYYY-MM-DD", help="Only invitations planned for this date.")
@click.option("--campaign", metavar="NAME")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(obj: CliContext, day_text: str | None, campaign: str | None, as_json: bool) -> None:
    """Upcoming invitations by campaign and sender, with the counters."""
    rows = _rows(obj, day_text, campaign)
    counts = queue.counters(rows)
    reader = obj.store.reader()
    notes = queue.unplanned(reader, get_campaign(reader, campaign).id if campaign else None)
    if as_json:
        emit_json({"counters": {"to_review": counts.to_review, "approved": counts.approved,
                                "skipped": counts.skipped, "flagged": counts.flagged},
                   "messages": [_public(row) for row in rows], "notes": notes})
        return
    if rows:
        _table(rows)
        click.echo(counts.describe())
    else:
        click.echo("The moderation queue is empty.")
    for note in notes:
        click.echo(visible(note) + ".")


def _table(rows: list[queue.Invitation]) -> None:
    emit_table(("id", "campaign", "sender", "handle", "lang", "length", "status", "flags", "approved", "at"),
               [(r.id, r.campaign, r.sender, r.handle, r.language,
                 f"{r.length}/{r.invite_limit}", r.status, ", ".join(r.flags),
                 r.approved_by or "", _when(r)) for r in rows])


@moderation_group.command("show")
@click.argument("message_id", type=int)
@click.pass_obj
def show(obj: CliContext, message_id: int) -> None:
    """One invitation as it will be sent."""
    row = queue.message(obj.store.reader(), message_id)
    click.echo(f"#{row.id} {row.campaign} → @{row.handle} ({row.language}, "
               f"{row.length}/{row.invite_limit} characters, {row.status}"
               f"{', ' + ', '.join(row.flags) if row.flags else ''}), at {_when(row)}")
    click.echo(f"Subject: {row.subject}\n\n{row.body}")


def _bulk(obj: CliContext, verb: str, action: Callable[[Store, tuple[int, ...]], outreach.Decided],
          ids: tuple[int, ...]) -> None:
    if not ids:
        raise UserError(f"Name the invitations to {verb.lower()} by id (see `callsheet moderation list`).")
    outcome = action(obj.store, ids)
    click.echo(outcome.sentence)
    if not outcome.done:
        raise SystemExit(1)


@moderation_group.command("skip")
@click.argument("ids", nargs=-1, type=int)
@click.pass_obj
def skip(obj: CliContext, ids: tuple[int, ...]) -> None:
    """Skip invitations: they will not be sent."""
    _bulk(obj, "Skipped", outreach.skip, ids)


@moderation_group.command("unskip")
@click.argument("ids", nargs=-1, type=int)
@click.pass_obj
def unskip(obj: CliContext, ids: tuple[int, ...]) -> None:
    """Put skipped invitations back; they go out at their time."""
    _bulk(obj, "Unskipped", outreach.unskip, ids)


@moderation_group.command("approve")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "approve_all", is_flag=True, help="Approve every invitation listed (see --date).")
@click.option("--date", "day_text", metavar="YYYY-MM-DD", help="With --all: only this plan date.")
@click.pass_obj
def approve(obj: CliContext, ids: tuple[int, ...], approve_all: bool, day_text: str | None) -> None:
    """Mark invitations as reviewed (flagged ones need an edit first)."""
    if approve_all:
        ids = tuple(row.id for row in _rows(obj, day_text, None)
                    if row.status != "skipped" and not row.approved_by
                    and not queue.is_blocked(row.flags))
        if not ids:
            click.echo("Nothing left to approve.")
            return
    _bulk(obj, "Approved", outreach.approve, ids)


@moderation_group.command("language")
@click.argument("message_id", type=int)
@click.argument("language")
@click.pass_obj
def language(obj: CliContext, message_id: int, language: str) -> None:
    """Re-render one invitation in LANGUAGE."""
    click.echo(outreach.relanguage(obj.store, [(message_id, language.strip().lower())]).sentence)


@moderation_group.command("edit")
@click.argument("message_id", type=int)
@click.option("--subject", help="New subject template (default: unchanged).")
@click.option("--body-file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File holding the new text ('-' for standard input).")
@click.pass_obj
def edit(obj: CliContext, message_id: int, subject: str | None, body_file: Path) -> None:
    """Replace one invitation's text: a template for its recipient ({{ firstName }}…), limit checked."""
    body = read_text(body_file, "--body-file")
    click.echo(outreach.edit(obj.store, message_id, subject, body).sentence)

