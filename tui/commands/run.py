"""`callsheet run`: the daemon, in the foreground, stopping cleanly on SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
import threading

import click

from mailer.actions.sending import run_daemon
from mailer.daemon import DaemonSettings
from tui.context import CliContext


@click.command("run")
@click.option("--once", is_flag=True, help="Do one pass and exit.")
@click.option("--plan-hour", type=click.IntRange(0, 23), default=17, show_default=True,
              help="Local hour (campaign zone) from which the next window day is planned.")
@click.option("--interval", type=click.FloatRange(0.05, 3600), default=15.0, show_default=True,
              help="Seconds between passes.")
@click.pass_obj
def run(obj: CliContext, once: bool, plan_hour: int, interval: float) -> None:
    """Plan, send, sync replies, close campaigns and expire agreements, until stopped."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        run_daemon(obj.store, DaemonSettings(plan_hour=plan_hour, interval=interval),
                   log=lambda line: click.echo(line), stop=stop, once=once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
