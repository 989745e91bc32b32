"""`callsheet dispatch` and `callsheet outbox [retry|cancel]`."""

from __future__ import annotations

import asyncio
import sys

import click

from mailer.config import load_config
from mailer.dispatcher import Dispatcher
from mailer.progress import DispatchProgress, DispatchReport
from store.errors import UserError
from store.outbox_admin import VIEW_STATUSES, cancel_message, outbox_rows, retry_message
from store.outbox_claims import due_count
from tui.context import CliContext
from tui.output import emit_json, emit_table, raw
from tui.visible import visible

BAR_WIDTH = 24


class ProgressLine:
    """A one-line progress bar on stderr, redrawn in place."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, progress: DispatchProgress) -> None:
        total = max(progress.total, progress.done, 1)
        filled = int(BAR_WIDTH * progress.done / total)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        # Its own control sequences (carriage return, erase line) reach the terminal; the text is neutralised.
        terminal = raw(sys.stderr)
        terminal.write(f"\r[{bar}] {visible(progress.line())}\x1b[K")
        terminal.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


@click.command("dispatch")
@click.option("--until-empty", is_flag=True,
              help="Keep claiming until nothing is due now, including mail that fell due meanwhile.")
@click.option("--json", "as_json", is_flag=True, help="Print sent, deferred and failed as JSON.")
@click.pass_obj
def dispatch(obj: CliContext, until_empty: bool, as_json: bool) -> None:
    """Send the mail that is due now; exit 1 when any message failed."""
    store = obj.store
    store.require("dispatch")
    config = load_config()
    due = due_count(store.reader(), store.now_iso())
    if due == 0 and config.smtp is None:
        report = DispatchReport()
    else:
        dispatcher = Dispatcher(store, config)
        progress = ProgressLine() if not as_json and sys.stderr.isatty() else None
        try:
            report = asyncio.run(dispatcher.run_until_empty(progress, limit=None if until_empty else due))
        finally:
            if progress is not None:
                progress.finish()
    _print_report(report, as_json)
    if report.halted:
        raise UserError(report.halted)
    if report.failed:
        click.get_current_context().exit(1)


def _print_report(report: DispatchReport, as_json: bool) -> None:
    if as_json:
        emit_json(report.as_json())
        return
    click.echo(f"Sent {report.sent:,}, deferred {report.deferred:,}, failed {report.failed:,}, "
               f"skipped {report.skipped:,}.")
    for sentence in report.paused:
        click.echo(sentence)


@click.group("outbox", invoke_without_command=True)
@click.option("--status", "statuses", multiple=True, type=click.Choice(VIEW_STATUSES),
              help="Show messages in this status (repeatable; default queued, deferred, failed).")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True,
              help="Show at most this many messages.")
@click.option("--json", "as_json", is_flag=True, help="Print the messages as JSON.")
@click.pass_context
def outbox(ctx: click.Context, statuses: tuple[str, ...], limit: int, as_json: bool) -> None:
    """List outgoing mail waiting or failed, with the SMTP server's last reply."""
    if ctx.invoked_subcommand is not None:
        return
    obj: CliContext = ctx.obj
    rows = outbox_rows(obj.store.reader(), statuses or ("queued", "deferred", "failed"), limit, 0)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("The outbox is empty.")
        return
    emit_table(["id", "status", "to", "campaign", "attempts", "next attempt", "reply"],
               [(row["id"], row["status"], row["to_addr"], row["campaign"] or "", row["attempts"],
                 row["next_attempt_at"] if row["status"] in ("queued", "deferred") else "",
                 row["last_smtp_response"] or "") for row in rows])


@outbox.command("retry")
@click.argument("message_id", type=int)
@click.pass_obj
def retry(obj: CliContext, message_id: int) -> None:
    """Send a failed or deferred message again, now."""
    store = obj.store
    with store.write() as db:
        store.require("write_message")
        paused = retry_message(db, message_id, store.now_iso(), actor=store.actor)
    if paused:
        click.echo(visible(f"Message #{message_id} is queued; it waits while {paused} is paused "
                           f"(`callsheet campaign resume {paused}` sends it)."))
    else:
        click.echo(f"Message #{message_id} is queued to be sent now.")


@outbox.command("cancel")
@click.argument("message_id", type=int)
@click.pass_obj
def cancel(obj: CliContext, message_id: int) -> None:
    """Make sure a message that has not gone out never does."""
    store = obj.store
    with store.write() as db:
        store.require("write_message")
        cancel_message(db, message_id, store.now_iso(), actor=store.actor)
    click.echo(f"Message #{message_id} is cancelled and will not be sent.")
