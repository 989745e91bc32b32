"""`callsheet plan [--date D]` and `callsheet plan --dry-run --days N`."""

from __future__ import annotations

from datetime import date

import click

from mailer.actions import outreach
from store.clock import check_day
from store.errors import UserError
from tui.context import CliContext
from tui.output import emit_json, emit_table
from tui.visible import visible


def parse_day(text: str | None, option: str = "--date") -> date | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{option} {text!r} is not a date of the form YYYY-MM-DD.") from None
    return check_day(day, option)


@click.command("plan")
@click.option("--date", "day_text", metavar="YYYY-MM-DD",
              help="Local date to plan (default: the next day a campaign's window opens).")
@click.option("--campaign", metavar="NAME", help="Only this campaign.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent, day by day, writing nothing.")
@click.option("--days", type=int, default=None, help="With --dry-run: how many days to show (default 1).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def plan(obj: CliContext, day_text: str | None, campaign: str | None, dry_run: bool, days: int | None,
         as_json: bool) -> None:
    """Fill the moderation queue for a date: up to each campaign's daily cap, from its segment."""
    day = parse_day(day_text)
    if days is not None and not dry_run:
        raise UserError("--days goes with --dry-run; `plan` itself plans one date at a time.")
    if dry_run:
        _dry_run(obj, day, campaign, 1 if days is None else days, as_json)
        return
    planned = outreach.plan(obj.store, day, campaign=campaign)
    if as_json:
        emit_json({"date": planned.day.isoformat(), "planned": planned.planned, "flagged": planned.flagged,
                   "campaigns": [{"campaign": r.campaign, "date": r.day.isoformat(), "planned": r.planned,
                                  "flagged": r.flagged, "already_planned": r.already_planned,
                                  "skipped": r.skipped, "note": r.note} for r in planned.results]})
        return
    click.echo(visible(planned.sentence, lines=True))


def _dry_run(obj: CliContext, day: date | None, campaign: str | None, days: int, as_json: bool) -> None:
    preview = outreach.dry_run(obj.store, day, days=days, campaign=campaign)
    first, previews = preview.first, preview.previews
    if as_json:
        emit_json({"from": first.isoformat(), "days": days, "messages": [p.as_dict() for p in previews],
                   "notes": list(preview.notes)})
        return
    for note in preview.notes:
        click.echo(visible(note) + ".")
    if previews:
        emit_table(("date", "time", "campaign", "window", "cap", "handle", "kind", "lang", "length", "note"),
                   [(p.date, p.local_time, p.campaign, p.window, p.cap, p.handle, p.kind, p.language or "",
                     "" if p.length is None else p.length, p.note) for p in previews])
    click.echo(preview.sentence)
