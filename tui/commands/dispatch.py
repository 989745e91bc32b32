"""`callsheet dispatch` and `callsheet outbox [retry|cancel|show]`."""

from __future__ import annotations

import sys
from datetime import UTC

import click

from mailer.actions import outbox as actions
from mailer.dispatch.progress import DispatchProgress
from store.errors import UserError
from store.outbox.admin import VIEW_STATUSES, outbox_rows
from tui.context import CliContext
from tui.output import emit_json, emit_table, raw
from tui.times import shown_time
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
    progress = ProgressLine() if not as_json and sys.stderr.isatty() else None
    try:
        done = actions.send_due(obj.store, until_empty=until_empty, progress=progress)
    finally:
        if progress is not None:
            progress.finish()
    report = done.report
    if as_json:
        emit_json(report.as_json())
    else:
        click.echo(done.sentence)
        for sentence in report.paused:
            click.echo(sentence)
    if report.halted:
        raise UserError(report.halted)
    if report.failed:
        click.get_current_context().exit(1)


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
    rows = outbox_rows(obj.store.reader(), statuses or ("queued", "deferred", "failed"), limit, 0,
                       now=obj.store.now_iso())
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    if not rows:
        click.echo("The outbox is empty.")
        return
    # The app's time format, the zone named once in the title (--json keeps the ISO instants).
    emit_table(["id", "status", "to", "campaign", "attempts", "next attempt (UTC)", "reply"],
               [(row.id, row.shown_status, row.to_addr, row.campaign or "", row.attempts,
                 shown_time(row.next_attempt_at, UTC) if row.status in ("queued", "deferred") else "",
                 row.last_smtp_response or "") for row in rows])


@outbox.command("retry")
@click.argument("message_id", type=int)
@click.pass_obj
def retry(obj: CliContext, message_id: int) -> None:
    """Send a failed or deferred message again, now."""
    click.echo(visible(actions.retry(obj.store, message_id).sentence))


@outbox.command("cancel")
@click.argument("message_id", type=int)
@click.pass_obj
def cancel(obj: CliContext, message_id: int) -> None:
    """Make sure a message that has not gone out never does."""
    click.echo(actions.cancel(obj.store, message_id).sentence)


@outbox.command("show")
@click.argument("message_id", type=int)
@click.option("--all-headers", is_flag=True, help="Every header, not only From, To, Date and Subject.")
@click.option("--json", "as_json", is_flag=True, help="Print the headers and the text as JSON.")
@click.pass_obj
def show(obj: CliContext, message_id: int, all_headers: bool, as_json: bool) -> None:
    """Show one message, sent or received, with its headers and text as they went or came."""
    from mailer.message_source import message_source

    source = message_source(obj.store, message_id)
    headers = source.headers if all_headers or as_json else source.short_headers()
    if as_json:
        emit_json({"id": source.id, "direction": source.direction, "status": source.status,
                   "kind": source.kind, "handle": source.handle, "campaign": source.campaign,
                   "headers": [list(pair) for pair in headers], "text": source.text})
        return
    for name, value in headers:
        click.echo(f"{name}: {visible(' '.join(value.split()))}")
    click.echo("")
    click.echo(visible(source.text, lines=True))
