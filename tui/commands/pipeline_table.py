"""`callsheet pipeline CAMPAIGN`: the Pipeline pane's table on the command line.

It reads exactly what the pane reads (`store.pipeline_view`: the same stage and source
filters, the same query semantics with `stage:` meaning this campaign, the same sorts), a
page at a time by keyset, so `--limit 0` streams a pipeline of any size.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import click

from store import campaigns, pipeline_view, stages
from store.database import Database
from store.pipeline_view import ApplicationRow, View
from store.query.parser import parse_query
from tui.context import CliContext
from tui.output import emit_json, emit_table
from tui.visible import visible

HEADERS = ("handle", "name", "stage", "source", "followers", "engagement", "fee", "last message")
PAGE = 500


def _stages(chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The pane's default (every stage but ineligible), `all`, or the stages named."""
    if not chosen:
        return pipeline_view.SHOWN_BY_DEFAULT
    if any(text.strip().lower() == "all" for text in chosen):
        return stages.STAGES
    return tuple(dict.fromkeys(stages.parse_stage(text) for text in chosen))


def _rows(db: Database, view: View, now: datetime, limit: int) -> Iterator[ApplicationRow]:
    """Up to `limit` rows (0: all) in the view's order, read a page at a time."""
    after: tuple | None = None
    left = limit or None
    while left is None or left > 0:
        size = PAGE if left is None else min(PAGE, left)
        rows = pipeline_view.page(db, view, now, after=after, limit=size)
        yield from rows
        if len(rows) < size:
            return
        after = pipeline_view.bound_of(rows[-1])
        if left is not None:
            left -= len(rows)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _cells(row: ApplicationRow) -> tuple[str, ...]:
    engagement = "" if row.engagement_rate is None else f"{row.engagement_rate:.1f}%"
    last = (row.last_message or "")[:16].replace("T", " ")
    return (f"@{row.handle}", row.name, stages.label(row.stage), row.source, _number(row.followers),
            engagement, _number(row.fee), last)


def _public(row: ApplicationRow) -> dict:
    return {"handle": row.handle, "name": row.name, "stage": row.stage, "source": row.source,
            "followers": row.followers, "engagement_rate": row.engagement_rate, "fee": row.fee,
            "last_message": row.last_message, "updated_at": row.updated_at, "flag": row.flag}


@click.command("pipeline")
@click.argument("campaign")
@click.option("--stage", "stage_names", multiple=True, metavar="STAGE",
              help="Only this stage (repeatable; 'all' for every stage; default: all but ineligible).")
@click.option("--source", type=click.Choice(pipeline_view.SOURCES), help="Only the invited or the applied.")
@click.option("--query", default="", metavar="QUERY", help="Only those matching, in the query syntax.")
@click.option("--sort", type=click.Choice(tuple(pipeline_view.SORTS)), default="updated", show_default=True)
@click.option("--desc/--asc", "descending", default=None,
              help="Order (default: newest and largest first, names A to Z), as in the pane.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="At most this many rows (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of applications.")
@click.pass_obj
def pipeline(obj: CliContext, campaign: str, stage_names: tuple[str, ...], source: str | None, query: str,
             sort: str, descending: bool | None, limit: int, as_json: bool) -> None:
    """The applications of CAMPAIGN as the Pipeline pane shows them."""
    parse_query(query)  # a bad query is one sentence before anything is read
    db, now = obj.store.reader(), obj.clock.now()
    chosen = campaigns.get(db, campaign)
    first = sort in pipeline_view.DESCENDING_FIRST if descending is None else descending
    view = View(chosen.id, stages=_stages(stage_names), source=source, search=query, sort=sort,
                descending=first)
    rows = _rows(db, view, now, limit)
    if as_json:
        emit_json([_public(row) for row in rows])
        return
    shown = list(rows)
    total = pipeline_view.count(db, view, now)
    if not shown:
        filtered = bool(query.strip() or stage_names or source)
        click.echo(visible(f"No applications in {chosen.name} match these filters." if filtered
                           else f"No applications in {chosen.name} yet."))
        return
    emit_table(HEADERS, [_cells(row) for row in shown])
    for row in shown:
        if row.flag:
            click.echo(visible(f"Flagged: @{row.handle}: {row.flag}."))
    more = "; use --limit to see more" if len(shown) < total else ""
    click.echo(visible(f"Showing {len(shown):,} of {total:,} applications in {chosen.name}{more}."))
