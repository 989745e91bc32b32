"""`callsheet serve`: the public casting-call pages, in the foreground, stopping on SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from tui.context import CliContext, no_workspace
from tui.errors import ErrorsLog

if TYPE_CHECKING:
    from mailer.web.server import WebServer

WEB_LOGGER = "callsheet.web"  # mailer/web's logger: its failures go to errors.log
HOST_HELP = "Address to listen on; anything but loopback needs an https public_url."


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or Ctrl-C while inside; the previous handlers come back after."""
    stop = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def serving(obj: CliContext, host: str, port: int, forwarded_allow_ips: str | None,
            say: Callable[[str], None]) -> Iterator[WebServer]:
    """The pages served from `obj`'s workspace while inside (uvicorn in its own thread)."""
    from mailer.config import load_public_url
    from mailer.web.server import WebServer, check_bind, web_store

    if not obj.db_path.exists():
        raise no_workspace(obj.db_path)
    public_url = load_public_url()
    check_bind(host, public_url)
    store = web_store(obj.db_path, obj.clock)
    server = WebServer(store, host, port, forwarded_allow_ips=forwarded_allow_ips)
    errors = ErrorsLog()
    logging.getLogger(WEB_LOGGER).addHandler(errors)
    try:
        server.start()
        say(f"Serving the casting-call pages on {server.address}" + _public_part(server.address, public_url))
        yield server
    finally:
        server.stop()
        store.close()
        logging.getLogger(WEB_LOGGER).removeHandler(errors)


def _public_part(address: str, public_url: str | None) -> str:
    """The end of the serving line: the public address only when it says something new."""
    if not public_url:
        return "; set [web] public_url or CALLSHEET_PUBLIC_URL for the links' address."
    if public_url.rstrip("/") == address.rstrip("/"):
        return "."  # the demo's own address: naming it twice reads as two servers
    return f" (public address {public_url})."


def web_options(command: Callable) -> Callable:
    command = click.option("--forwarded-allow-ips", default=None, metavar="IPS",
                           help="Proxies whose X-Forwarded-* headers are believed (default: "
                                "$FORWARDED_ALLOW_IPS, else 127.0.0.1).")(command)
    command = click.option("--port", type=click.IntRange(0, 65535), default=8025, show_default=True,
                           help="Port to listen on (0: any free one).")(command)
    return click.option("--host", default="127.0.0.1", show_default=True, help=HOST_HELP)(command)


@click.command("serve")
@web_options
@click.pass_obj
def serve(obj: CliContext, host: str, port: int, forwarded_allow_ips: str | None) -> None:
    """Serve each campaign's casting-call page, where influencers apply (see `campaign show`)."""
    with stop_on_signals() as stop, serving(obj, host, port, forwarded_allow_ips, click.echo) as server:
        while not stop.wait(0.5):
            if not server.alive:
                raise click.ClickException("The web server stopped; see the log above.")
    click.echo("stopped")
