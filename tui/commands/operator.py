"""`callsheet operator add | remove | list`."""

from __future__ import annotations

import click

from mailer.actions.operators import add_operator, remove_operator
from store import operators
from tui.context import CliContext
from tui.output import emit_json, emit_table


@click.group()
def operator() -> None:
    """Who may do what."""


@operator.command("add")
@click.argument("login")
@click.option("--role", type=click.Choice(operators.ROLES), required=True)
@click.option("--from", "from_address", metavar="EMAIL", help="The operator's from-address.")
@click.option("--name", default="", help="Display name.")
@click.pass_obj
def add(obj: CliContext, login: str, role: str, from_address: str | None, name: str) -> None:
    """Add LOGIN with ROLE, or change an operator's role."""
    from store.addresses import normalise_address

    address = normalise_address(from_address, "--from") if from_address else None
    click.echo(add_operator(obj.store, login, role, from_address=address, name=name).sentence)


@operator.command("remove")
@click.argument("login")
@click.pass_obj
def remove(obj: CliContext, login: str) -> None:
    """Take LOGIN off the operators; from then on it reads as a viewer."""
    click.echo(remove_operator(obj.store, login).sentence)


@operator.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(obj: CliContext, as_json: bool) -> None:
    """List operators and their roles."""
    rows = operators.listing(obj.store.reader())
    if as_json:
        emit_json(rows)
        return
    emit_table(("login", "role", "name", "from"),
               [(r["login"], r["role"], r["display_name"], r["from_address"]) for r in rows])
