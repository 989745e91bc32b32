"""`callsheet operator add | remove | list`."""

from __future__ import annotations

import click

from store import audit, operators
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
    store = obj.store
    with store.write() as db:
        store.require("manage_operators")
        operators.add(db, login, role, address, name, store.now_iso())
        audit.record(db, at=store.now_iso(), actor=store.actor, action="operator.add",
                     entity="operator", login=login, role=role)
    click.echo(f"{login} is now a {role}.")


@operator.command("remove")
@click.argument("login")
@click.pass_obj
def remove(obj: CliContext, login: str) -> None:
    """Take LOGIN off the operators; from then on it reads as a viewer."""
    store = obj.store
    with store.write() as db:
        store.require("manage_operators")
        operators.remove(db, login)
        audit.record(db, at=store.now_iso(), actor=store.actor, action="operator.remove",
                     entity="operator", login=login)
    click.echo(f"{login} is no longer an operator (a viewer from now on).")


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
