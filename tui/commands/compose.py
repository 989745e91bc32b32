"""`callsheet reply | compose | bulk`: outgoing mail to influencers, always through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from mailer import bulk as bulk_mail
from mailer.actions import inbox as inbox_actions
from mailer.outgoing_files import OutgoingFile, read_files
from store import influencers
from store.errors import UserError
from store.wording import plural
from tui.commands.inbox import campaign_id
from tui.context import CliContext
from tui.files import read_text
from tui.output import confirm

PREVIEW = 3


def read_body(path: Path) -> str:
    return read_text(path, "--body-file")


def attach_option(command: Callable) -> Callable:
    return click.option("--attach", "attach", multiple=True, type=click.Path(path_type=Path),
                        metavar="FILE", help="Attach this file (repeatable; the total is limited by "
                        "max_send_bytes in [attachments]).")(command)


def _show_files(files: list[OutgoingFile]) -> None:
    if files:
        click.echo("Attached: " + ", ".join(file.label for file in files))


@click.command("reply")
@click.argument("handle")
@click.option("--body-file", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The reply text ('-' for stdin); the original is quoted below it.")
@click.option("--message", "message_row", type=int, metavar="ID",
              help="Reply to this message (default: their latest).")
@click.option("--campaign", "campaign", metavar="NAME", help="Reply in this campaign's thread.")
@click.option("--quote/--no-quote", default=True, show_default=True, help="Quote the original.")
@attach_option
@click.pass_obj
def reply(obj: CliContext, handle: str, body_file: Path, message_row: int | None, campaign: str | None,
          quote: bool, attach: tuple[Path, ...]) -> None:
    """Reply to an influencer, threaded with In-Reply-To and References."""
    body, files = read_body(body_file), read_files(attach)
    queued = inbox_actions.reply(obj.store, handle, body, message_row=message_row,
                                 with_quote=quote, campaign=campaign, files=files)
    click.echo(queued.sentence)


@click.command("compose")
@click.argument("handle")
@click.option("--subject", required=True)
@click.option("--body-file", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The message text ('-' for stdin).")
@click.option("--campaign", "campaign", metavar="NAME", help="File it under this campaign (and its sender).")
@attach_option
@click.pass_obj
def compose(obj: CliContext, handle: str, subject: str, body_file: Path, campaign: str | None,
            attach: tuple[Path, ...]) -> None:
    """Write a new message to an influencer."""
    body, files = read_body(body_file), read_files(attach)
    queued = inbox_actions.compose(obj.store, handle, subject, body, campaign=campaign, files=files)
    click.echo(queued.sentence)


@click.command("bulk")
@click.argument("handles", nargs=-1, required=True)
@click.option("--subject", required=True)
@click.option("--body-file", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--campaign", "campaign", metavar="NAME", help="File them under this campaign.")
@click.option("--yes", is_flag=True, help="Queue without asking (scripts).")
@attach_option
@click.pass_obj
def bulk(obj: CliContext, handles: tuple[str, ...], subject: str, body_file: Path, campaign: str | None,
         yes: bool, attach: tuple[Path, ...]) -> None:
    """Email several influencers, after a preview and a confirmation.

    The subject and body are templates: `{{ firstName }}`, `{{ campaign.name }}` and the other
    tokens of `template set` are filled in for each recipient.
    """
    store = obj.store
    body, files = read_body(body_file), read_files(attach)  # each file read once, for every copy
    db = store.reader()
    ids = [row["id"] for row in influencers.by_handles(db, list(handles))]
    campaign_row = campaign_id(db, campaign)
    plan = inbox_actions.plan_bulk(store, ids, campaign_row, subject, body)
    _preview(plan)
    _show_files(files)
    if not plan.count:
        raise UserError("Nobody in the selection can be emailed.")
    # Ask before taking the write lock: a prompt must never hold up other writers.
    confirm(f"Queue {plural(plan.count, 'message')}?",
            "Nothing was queued: confirm with --yes when not at a terminal.", yes)
    click.echo(inbox_actions.queue_bulk(store, ids, campaign_row, subject, body, plan.count,
                                        files=files).sentence)


def _preview(plan: bulk_mail.BulkPlan) -> None:
    for draft in plan.drafts[:PREVIEW]:
        click.echo(f"To: {draft.to_addr}\nSubject: {draft.subject}\n\n{draft.body.rstrip()}\n" + "-" * 40)
    if plan.count > PREVIEW:
        click.echo(f"… and {plan.count - PREVIEW} more.")
    for handle, reason in plan.problems:
        click.echo(f"Cannot email {handle}: {reason}")


COMMANDS = (reply, compose, bulk)
