"""`callsheet unsubscribe HANDLE…|--token TOKEN` and `callsheet resubscribe HANDLE`."""

from __future__ import annotations

import click

from store import unsubscribes
from store.errors import UserError
from tui.context import CliContext


def _said(handle: str, changed: bool) -> str:
    if changed:
        return f"Unsubscribed {handle}; they will not be emailed again."
    return f"{handle} was already unsubscribed; nothing changed."


@click.command("unsubscribe")
@click.argument("handles", nargs=-1, metavar="HANDLE…")
@click.option("--token", help="The token of an unsubscribe link (the local part of our Message-ID).")
@click.pass_obj
def unsubscribe(obj: CliContext, handles: tuple[str, ...], token: str | None) -> None:
    """Never email these influencers again (or whoever received the message TOKEN names)."""
    if bool(handles) == (token is not None):
        raise UserError("Name the influencers to unsubscribe, or give --token, not both.")
    store = obj.store
    with store.write() as db:
        store.require("edit_influencer")
        now, actor = store.now_iso(), store.actor
        if token is not None:
            done = [unsubscribes.unsubscribe_token(db, token, now=now, actor=actor)]
        else:
            done = unsubscribes.unsubscribe_handles(db, list(handles), now=now, actor=actor)
    for person, changed in done:
        click.echo(_said(person["handle"], changed))


@click.command("resubscribe")
@click.argument("handle")
@click.pass_obj
def resubscribe(obj: CliContext, handle: str) -> None:
    """Lift HANDLE's unsubscribe: they may be emailed again (audited)."""
    store = obj.store
    with store.write() as db:
        store.require("edit_influencer")
        person = unsubscribes.resubscribe(db, handle, now=store.now_iso(), actor=store.actor)
    click.echo(f"Resubscribed {person['handle']}; they can be emailed again.")


COMMANDS = (unsubscribe, resubscribe)
