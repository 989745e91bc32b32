"""`callsheet unsubscribe HANDLE…|--token TOKEN` and `callsheet resubscribe HANDLE`."""

from __future__ import annotations

import click

from mailer.actions import influencers as actions
from store.errors import UserError
from tui.context import CliContext


@click.command("unsubscribe")
@click.argument("handles", nargs=-1, metavar="HANDLE…")
@click.option("--token", help="The token of an unsubscribe link (the local part of our Message-ID).")
@click.pass_obj
def unsubscribe(obj: CliContext, handles: tuple[str, ...], token: str | None) -> None:
    """Never email these influencers again (or whoever received the message TOKEN names)."""
    if bool(handles) == (token is not None):
        raise UserError("Name the influencers to unsubscribe, or give --token, not both.")
    if token is not None:
        done = actions.unsubscribe_by_token(obj.store, token)
    else:
        done = actions.unsubscribe(obj.store, handles)
    click.echo(done.sentence)


@click.command("resubscribe")
@click.argument("handle")
@click.pass_obj
def resubscribe(obj: CliContext, handle: str) -> None:
    """Lift HANDLE's unsubscribe: they may be emailed again (audited)."""
    click.echo(actions.resubscribe(obj.store, handle).sentence)


COMMANDS = (unsubscribe, resubscribe)
