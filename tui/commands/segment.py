"""`callsheet segment save | list | show | delete`: saved filters in the query syntax."""

from __future__ import annotations

import click

from mailer.actions import influencers as actions
from mailer.actions.influencers import matching_now
from store import segments
from store.query import search
from tui.commands.influencers import QUERY_SETTINGS, emit_influencers, public, query_text
from tui.context import CliContext
from tui.output import emit_json, emit_table


@click.group()
def segment() -> None:
    """Saved filters over influencers, in the query syntax of the search bar."""


@segment.command("save", context_settings=QUERY_SETTINGS,
                 short_help="Save QUERY as the segment NAME.")
@click.argument("name")
@click.argument("words", nargs=-1, required=True, metavar="QUERY")
@click.option("--replace", is_flag=True, help="Change the query of an existing segment.")
@click.pass_obj
def save(obj: CliContext, name: str, words: tuple[str, ...], replace: bool) -> None:
    """Save QUERY as the segment NAME, e.g. NAME 'tag:beauty followers>=10k -replied:yes'."""
    click.echo(actions.save_segment(obj.store, name, query_text(words), replace=replace).sentence)


@segment.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(obj: CliContext, as_json: bool) -> None:
    """List segments with how many influencers each matches now."""
    db, now = obj.store.reader(), obj.clock.now()
    rows = [{"name": r["name"], "query": r["query"],
             "matches": search.count(db, segments.check_query(r["query"]), now),
             "created_at": r["created_at"]} for r in segments.listing(db)]
    if as_json:
        emit_json(rows)
    elif not rows:
        click.echo("No segments yet: save one with `callsheet segment save NAME QUERY`.")
    else:
        emit_table(("name", "matches", "query"), [(r["name"], r["matches"], r["query"]) for r in rows])


@segment.command("show")
@click.argument("name")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Show at most this many matching influencers (0: all).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(obj: CliContext, name: str, limit: int, as_json: bool) -> None:
    """Show a segment's query and the first influencers it matches."""
    db, now = obj.store.reader(), obj.clock.now()
    row = segments.get(db, name)
    query = segments.check_query(row["query"])
    matches = search.count(db, query, now)
    found = search.find(db, query, now, limit=limit)
    if as_json:
        emit_json({"name": row["name"], "query": row["query"], "matches": matches,
                   "created_at": row["created_at"], "influencers": [public(r) for r in found]})
        return
    click.echo(f"{row['name']}: {row['query']}")
    click.echo(f"{matching_now(matches).capitalize()}.")
    if found:
        emit_influencers(found)


@segment.command("delete")
@click.argument("name")
@click.pass_obj
def delete(obj: CliContext, name: str) -> None:
    """Delete the segment NAME."""
    click.echo(actions.delete_segment(obj.store, name).sentence)
