"""`callsheet influencers [QUERY]`: who matches a query, as a table or JSON."""

from __future__ import annotations

import click

from store.errors import UserError
from store.query import search
from store.query.parser import parse_query
from tui.context import CliContext
from tui.output import emit_json, emit_table

HEADERS = ("handle", "name", "email", "followers", "engagement", "country", "language", "tags")
# Query words may start with '-' (negation): let them through as arguments, not options.
QUERY_SETTINGS = {"ignore_unknown_options": True}


def query_text(words: tuple[str, ...]) -> str:
    """The query typed as one or several shell words; a mistyped `--option` is not a query word."""
    for word in words:
        if word.startswith("--"):
            raise UserError(f"No such option: {word.split('=')[0]}.")
    return " ".join(words)


def public(row: dict) -> dict:
    """An influencer as the JSON output shows it."""
    return {key: row[key] for key in ("handle", "name", "email", "followers", "engagement_rate",
                                      "country", "language", "tags", "platforms")}


def _engagement(value: float | None) -> str:
    return "" if value is None else f"{value:g}%"


def emit_influencers(rows: list[dict]) -> None:
    emit_table(HEADERS, [(r["handle"], r["name"], r["email"], r["followers"],
                          _engagement(r["engagement_rate"]), r["country"], r["language"],
                          ",".join(r["tags"])) for r in rows])


@click.command("influencers", context_settings=QUERY_SETTINGS,
               short_help="List the influencers matching QUERY (all without one).")
@click.argument("words", nargs=-1, metavar="[QUERY]")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="At most this many influencers (0: all).")
@click.option("--sort", type=click.Choice(tuple(search.SORTS)), default="handle", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of influencers.")
@click.pass_obj
def influencers(obj: CliContext, words: tuple[str, ...], limit: int, sort: str, as_json: bool) -> None:
    """List the influencers matching QUERY (all without one), e.g. 'tag:beauty followers>=10k'.

    Quote the query for the shell: > and < are redirections there.
    """
    query = parse_query(query_text(words))
    db, now = obj.store.reader(), obj.clock.now()
    rows = search.find(db, query, now, limit=limit, sort=sort)
    if as_json:
        emit_json([public(r) for r in rows])
        return
    total = search.count(db, query, now)
    if not total:
        click.echo(f"No influencers match {str(query)!r}." if not query.is_empty else "No influencers yet.")
        return
    emit_influencers(rows)
    if len(rows) < total:
        click.echo(f"Showing {len(rows)} of {total} influencers; use --limit to see more.")
