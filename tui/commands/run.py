"""`callsheet run`: the daemon, in the foreground, stopping cleanly on SIGTERM or Ctrl-C."""

from __future__ import annotations

from contextlib import ExitStack

import click

from mailer.actions.sending import run_daemon
from mailer.daemon import DaemonSettings
from tui.commands.serve import serving, stop_on_signals, web_options
from tui.context import CliContext


@click.command("run")
@click.option("--once", is_flag=True, help="Do one pass and exit.")
@click.option("--plan-hour", type=click.IntRange(0, 23), default=17, show_default=True,
              help="Local hour (campaign zone) from which the next window day is planned.")
@click.option("--interval", type=click.FloatRange(0.05, 3600), default=15.0, show_default=True,
              help="Seconds between passes.")
@click.option("--serve", "serve_pages", is_flag=True,
              help="Also serve the casting-call pages (as `callsheet serve`), in this process.")
@web_options
@click.pass_obj
def run(obj: CliContext, once: bool, plan_hour: int, interval: float, serve_pages: bool, host: str,
        port: int, forwarded_allow_ips: str | None) -> None:
    """Plan, send, sync replies, close campaigns and expire agreements (and serve pages), until stopped."""
    with ExitStack() as stack:
        stop = stack.enter_context(stop_on_signals())
        store = obj.store
        if serve_pages:
            stack.enter_context(serving(obj, host, port, forwarded_allow_ips, click.echo))
        run_daemon(store, DaemonSettings(plan_hour=plan_hour, interval=interval),
                   log=lambda line: click.echo(line), stop=stop, once=once)
