"""`callsheet influencer add | edit | tag | untag | show`: one contact by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from mailer.actions import contacts
from mailer.actions.contacts import ContactSaved
from store.contact import InfluencerCard
from store.contact_edit import ContactChange
from store.errors import UserError
from tui.context import CliContext
from tui.output import emit_json
from tui.visible import visible

# option → the importer's column name (store/ingest/rows.py PARSERS)
TEXT_OPTIONS = (("--email", "email"), ("--name", "name"), ("--first-name", "first_name"),
                ("--followers", "followers"), ("--engagement", "engagement_rate"), ("--country", "country"),
                ("--language", "language"), ("--address", "address"))


def contact_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of `add` and `edit`: each field, the repeatable lists and the variables."""
    for option, column in reversed(TEXT_OPTIONS):
        words = column.replace("_", " ")
        command = click.option(option, column, metavar="TEXT", help=f"The {words}.")(command)
    command = click.option("--platform", "platforms", multiple=True, help="A platform (repeatable).")(command)
    command = click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")(command)
    command = click.option("--var", "variables", multiple=True, metavar="KEY=VALUE",
                           help="A custom variable (repeatable).")(command)
    return click.option("--json", "as_json", is_flag=True, help="Print the contact card as JSON.")(command)


def _change(fields: dict[str, str | None], platforms: tuple[str, ...], tags: tuple[str, ...],
            variables: tuple[str, ...], clear: tuple[str, ...] = ()) -> ContactChange:
    values: dict[str, Any] = {column: value for column, value in fields.items() if value is not None}
    if platforms:
        values["platform"] = list(platforms)
    if tags:
        values["tags"] = list(tags)
    pairs: dict[str, str] = {}
    for item in variables:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--var takes KEY=VALUE (got {item!r}).")
        pairs[key.strip()] = value
    return ContactChange(values=values, variables=pairs, clear=clear)


def _saved(done: ContactSaved, as_json: bool) -> None:
    if as_json:
        emit_json(done.card.to_json())
    else:
        click.echo(visible(done.sentence))


@click.group("influencer")
def influencer() -> None:
    """Add, change, tag or show one influencer by hand."""


@influencer.command("add")
@click.argument("handle")
@contact_options
@click.pass_obj
def add(obj: CliContext, handle: str, platforms: tuple[str, ...], tags: tuple[str, ...],
        variables: tuple[str, ...], as_json: bool, **fields: str | None) -> None:
    """Add the influencer HANDLE, checked as an imported row is."""
    _saved(contacts.add(obj.store, handle, _change(fields, platforms, tags, variables)), as_json)


@influencer.command("edit")
@click.argument("handle")
@contact_options
@click.option("--clear", "clear", multiple=True, metavar="FIELD",
              help="Erase a field (repeatable): email, name, first-name, followers, engagement, country, "
                   "language, platforms, tags, address, vars or var.NAME.")
@click.pass_obj
def edit(obj: CliContext, handle: str, platforms: tuple[str, ...], tags: tuple[str, ...],
         variables: tuple[str, ...], clear: tuple[str, ...], as_json: bool, **fields: str | None) -> None:
    """Change the given fields of HANDLE; empty or left out means unchanged. --tag and --platform
    replace the list (see `influencer tag` to add one)."""
    _saved(contacts.edit(obj.store, handle, _change(fields, platforms, tags, variables, clear)), as_json)


def _retag(obj: CliContext, words: tuple[str, ...], *, adding: bool) -> None:
    """Handles are the words written with @ (or, with none, the first word); the others are tags."""
    marked = [word for word in words if word.startswith("@")]
    if marked:
        handles, tags = marked, [word for word in words if not word.startswith("@")]
    else:
        handles, tags = list(words[:1]), list(words[1:])
    if not handles or not tags:
        raise UserError("Name the influencers and the tags, e.g. `influencer tag @ana @bob beauty paris`.")
    click.echo(visible(contacts.retag(obj.store, handles, tags, adding=adding).sentence))


@influencer.command("tag")
@click.argument("words", nargs=-1, required=True, metavar="HANDLE... TAG...")
@click.pass_obj
def tag(obj: CliContext, words: tuple[str, ...]) -> None:
    """Add TAGs to every HANDLE (handles written with @: `tag @ana @bob beauty`)."""
    _retag(obj, words, adding=True)


@influencer.command("untag")
@click.argument("words", nargs=-1, required=True, metavar="HANDLE... TAG...")
@click.pass_obj
def untag(obj: CliContext, words: tuple[str, ...]) -> None:
    """Remove TAGs from every HANDLE (handles written with @: `untag @ana @bob beauty`)."""
    _retag(obj, words, adding=False)


@influencer.command("show")
@click.argument("handle")
@click.option("--json", "as_json", is_flag=True, help="Print the contact card as JSON.")
@click.pass_obj
def show(obj: CliContext, handle: str, as_json: bool) -> None:
    """The whole contact card of HANDLE."""
    found = contacts.card(obj.store, handle)
    if as_json:
        emit_json(found.to_json())
        return
    for line in card_lines(found):
        click.echo(visible(line))


def _number(value: float | None, suffix: str = "") -> str:
    return "" if value is None else f"{value:,g}{suffix}"


def card_lines(card: InfluencerCard) -> list[str]:
    """The card as aligned `field  value` lines, then one line per campaign."""
    bounce = f" ({card.bounce_reason})" if card.bounced and card.bounce_reason else ""
    flags = [word for word, on in (("unsubscribed", card.unsubscribed), ("bounced", card.bounced),
                                    ("bookmarked", card.bookmarked)) if on]
    rows = [("handle", f"@{card.handle}"), ("name", card.name), ("first name", card.first_name),
            ("email", card.email or ""), ("address", (card.address or "").replace("\n", ", ")),
            ("platforms", ", ".join(card.platforms)), ("followers", _number(card.followers)),
            ("engagement", _number(card.engagement_rate, "%")), ("country", card.country or ""),
            ("language", card.language or ""), ("tags", " ".join(f"#{t}" for t in card.tags)),
            ("flags", (", ".join(flags) or "none") + bounce),
            *((f"var.{key}", str(value)) for key, value in card.custom.items()),
            ("notes", str(len(card.notes)))]
    width = max(len(label) for label, _value in rows)
    lines = [f"{label.ljust(width)}  {value}".rstrip() for label, value in rows]
    for standing in card.applications:
        fee = f" · fee {standing.fee:g} {standing.currency}" if standing.fee is not None else ""
        agreement = (f" · agreement {standing.agreement_state}"
                     + (f" (due {standing.agreement_deadline[:16].replace('T', ' ')})"
                        if standing.agreement_deadline else "")) if standing.agreement_state else ""
        lines.append(f"{'campaign'.ljust(width)}  {standing.campaign}: {standing.stage} "
                     f"({standing.source}){fee}{agreement}")
    return lines


COMMANDS = (influencer,)
