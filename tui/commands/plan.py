"""`callsheet plan [--date D]` and `callsheet plan --dry-run --days N`."""

from __future__ import annotations

from datetime import date

import click

from mailer import dryrun, planner
from mailer.drafting import Renderer
from store.clock import check_day
from store.errors import UserError
from store.wording import plural
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
    store = obj.store
    store.require("manage_campaign")
    day, results = planner.plan(store, day, campaign=campaign)
    planned, flagged = sum(r.planned for r in results), sum(r.flagged for r in results)
    if as_json:
        emit_json({"date": day.isoformat(), "planned": planned, "flagged": flagged,
                   "campaigns": [{"campaign": r.campaign, "date": r.day.isoformat(), "planned": r.planned,
                                  "flagged": r.flagged, "already_planned": r.already_planned,
                                  "skipped": r.skipped, "note": r.note} for r in results]})
        return
    if not results:
        click.echo("No open campaign to plan.")
    for result in results:
        click.echo(_describe(result))


def _describe(result: planner.PlanResult) -> str:
    if result.skipped:
        return visible(result.note) + "."
    head = f"{result.campaign}, {result.day:%a %Y-%m-%d}: "
    if result.already_planned:
        return head + "already planned; nothing new."
    line = head + f"planned {plural(result.planned, 'invitation')}"
    line += f" ({result.flagged} flagged)" if result.flagged else ""
    return line + (f"; {result.note}." if result.note else ".")


def _dry_run(obj: CliContext, day: date | None, campaign: str | None, days: int, as_json: bool) -> None:
    if days < 1 or days > 366:
        raise UserError(f"--days takes a number of days from 1 to 366 (got {days}).")
    store = obj.store
    store.require("read")
    reader = store.reader()
    first = day or planner.default_day(reader, store.clock.now())
    previews = dryrun.preview(reader, store.clock.now(), days, Renderer.default(), first=first,
                              campaign=campaign)
    notes = dryrun.notes(reader, campaign)
    if as_json:
        emit_json({"from": first.isoformat(), "days": days, "messages": [p.as_dict() for p in previews],
                   "notes": notes})
        return
    for note in notes:
        click.echo(visible(note) + ".")
    if not previews:
        click.echo(f"Nothing would be sent in the {plural(days, 'day')} from {first}.")
        return
    emit_table(("date", "time", "campaign", "window", "cap", "handle", "kind", "lang", "length", "note"),
               [(p.date, p.local_time, p.campaign, p.window, p.cap, p.handle, p.kind, p.language or "",
                 "" if p.length is None else p.length, p.note) for p in previews])
    click.echo(f"Dry run: {plural(len(previews), 'message')} over {plural(days, 'day')} from {first}; "
               "nothing was written.")
