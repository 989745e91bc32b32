"""`callsheet attachment save`: files of sent and received mail, out of the attachment store."""

from __future__ import annotations

from pathlib import Path

import click

from mailer.actions import attachments as actions
from tui.context import CliContext


@click.group("attachment")
def attachment() -> None:
    """Files sent and received (their ids are in `callsheet history`)."""


@attachment.command("save")
@click.argument("ids", nargs=-1, type=int, required=True, metavar="ID...")
@click.option("--out", "folder", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="The folder to write into; an existing file is never overwritten (`name (1).pdf`).")
@click.pass_obj
def save(obj: CliContext, ids: tuple[int, ...], folder: Path) -> None:
    """Write attachments by ID into a folder."""
    click.echo(actions.save(obj.store, list(ids), folder).sentence)
