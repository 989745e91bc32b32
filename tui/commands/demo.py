"""`callsheet demo`: a realistic workspace with a local mail catcher and its casting pages, opened in the app.

The demo only ever runs on a file it made itself (marked inside it, `store.workspace`): it points
sending at a local catcher, which on a real workspace would swallow real queued mail. Beside the
catcher it serves the casting-call pages (`callsheet serve`) on a free loopback port, and the
links in its mail point there, so an application made in a browser lands in the open app.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mailer.demo import build, casting_calls
from store import workspace
from store.clock import Clock
from store.db import Store
from store.errors import UserError
from store.wording import plural
from store.workspace import Kind
from tui import output
from tui.commands.serve import serving
from tui.context import CliContext, demo_db_path
from tui.held_output import HeldLines, warnings_after_the_app
from tui.visible import visible

if TYPE_CHECKING:
    from mailer.smtp.catcher import MailCatcher
    from mailer.web.server import WebServer

LOOPBACK = "127.0.0.1"


def _demo_path(obj: CliContext) -> Path:
    """The file named by --db or $CALLSHEET_DB, else the demo's own file."""
    return obj.db_path if obj.explicit else demo_db_path()


def _refuse_foreign(path: Path) -> None:
    if workspace.kind_of(path) is Kind.OTHER:
        raise UserError(f"{path} is not a demo workspace (the demo did not make it), so the demo will not "
                        f"open it nor send its mail to a local catcher; name a new file with --db.")


def _inventory(store: Store) -> str:
    counts = workspace.contents(store.reader())
    return ", ".join(plural(counts.get(table, 0), one, many) for table, one, many in workspace.CONTENTS)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{path}.attachments", ignore_errors=True)  # its files (store/attachment_files.py)


def prepare(path: Path, reset: bool, say: Callable[[str], None] = click.echo) -> tuple[Store, dict | None]:
    """Open the demo workspace at `path` (rebuilt with `reset`), seeding it when it is new."""
    _refuse_foreign(path)
    if reset and path.exists():
        old = Store(path)
        try:
            say(f"Rebuilding the demo workspace {path}; deleting its {_inventory(old)}.")
        finally:
            old.close()
        _remove(path)
    store = Store(path)
    if store.reader().execute("SELECT 1 FROM influencers LIMIT 1").fetchone():
        return store, None
    return store, build(store)


@click.command("demo")
@click.option("--no-open", is_flag=True, help="Create the workspace and exit without opening the app.")
@click.option("--reset", is_flag=True, help="Delete the demo workspace's data and build it afresh.")
@click.pass_obj
def demo(obj: CliContext, no_open: bool, reset: bool) -> None:
    """Create the demo workspace, or reopen it as it was left, and open the app on it."""
    path = _demo_path(obj)
    held = HeldLines(hold=not no_open)  # said after the app, which would hide it (tui/held_output.py)
    try:
        _demo(path, no_open, reset, held)
    finally:
        held.release()


def _demo(path: Path, no_open: bool, reset: bool, held: HeldLines) -> None:
    store, counts = prepare(path, reset, held.say)
    try:
        if counts:
            held.say(f"Demo workspace {path}: {plural(counts['influencers'], 'influencer')}, "
                       f"{plural(counts['campaigns'], 'campaign')}, {plural(counts['messages'], 'message')}, "
                       f"{plural(counts['planned'], 'invitation')} planned for tomorrow "
                       f"({counts['flagged']} flagged).")
        else:
            # --no-open opens nothing: it only says the workspace is there.
            lead = "The demo workspace {} is there" if no_open else "Opening the existing demo workspace {}"
            held.say(f"{lead.format(path)}, kept as you left it ({_inventory(store)}); "
                     f"`callsheet demo --reset` rebuilds it.")
        if no_open:
            return
        _run_app(store, path, held)
    finally:
        store.close()


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """`name` set to `value` in this process while inside; what it was comes back after."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def ssh_hint(port: int, environ: Mapping[str, str] = os.environ) -> str:
    """How another computer reaches the pages: a port forward over SSH (to where this session came in)."""
    host = "HOST"
    arrived = environ.get("SSH_CONNECTION", "").split()
    if len(arrived) == 4:  # client address and port, then this machine's address and SSH port
        user = environ.get("USER") or environ.get("LOGNAME")
        host = f"{user}@{arrived[2]}" if user else arrived[2]
        if arrived[3] != "22":
            host = f"-p {arrived[3]} {host}"
    return (f"From another computer, forward the port over SSH first: ssh -L {port}:{LOOPBACK}:{port} "
            f"{visible(host)} (then open the same addresses in its browser).")


@contextmanager
def casting_pages(path: Path, clock: Clock, say: Callable[[str], None],
                  port: int | None = None) -> Iterator[WebServer | None]:
    """The demo's casting-call pages on a free loopback port (or `port`), the links of mail sent by
    this process pointing there, while inside; None, said in one sentence, when it cannot listen."""
    from mailer.config import ENV_PUBLIC_URL
    from mailer.smtp.catcher import free_port

    port = free_port() if port is None else port
    with ExitStack() as stack:
        stack.enter_context(_environment(ENV_PUBLIC_URL, f"http://{LOOPBACK}:{port}"))
        refusal: str | None = None
        try:
            server = stack.enter_context(serving(CliContext(path, clock, explicit=True), LOOPBACK, port,
                                                 None, say))
        except UserError as error:
            refusal = error.sentence
        if refusal is not None:
            stack.close()  # no page to link to: mail goes out as it would without the pages
            say(f"{refusal.rstrip('.')}, so the demo opens without its casting pages.")
            yield None
            return
        for name, page in casting_calls(server.store):
            say(f"Casting page for {visible(name)}: {server.address}{page}")
        say(ssh_hint(server.port))
        yield server


@dataclass(frozen=True)
class DemoParts:
    """What runs beside the app: the mail catcher sending points at, and the pages (None: not served)."""

    catcher: MailCatcher
    pages: WebServer | None


@contextmanager
def running(store: Store, path: Path, say: Callable[[str], None]) -> Iterator[DemoParts]:
    """The demo's mail catcher and casting pages, up while inside and stopped after (threads joined)."""
    from mailer.smtp.catcher import MailCatcher

    catcher = MailCatcher(path.parent / "demo-mail").start()
    try:
        with _environment("CALLSHEET_SMTP_URL", catcher.url), casting_pages(path, store.clock, say) as pages:
            if pages is not None:  # mail queued by a page (the acknowledgement) wakes the app's sender
                pages.store.on_mail_queued(store.mail_queued)
            yield DemoParts(catcher, pages)
    finally:
        catcher.stop()


def _run_app(store: Store, path: Path, held: HeldLines) -> None:
    from tui.app import make_app
    from tui.rehearsal import Rehearsal

    with running(store, path, held.say) as parts:
        # What it would print now is said after it; its header says where the mail goes.
        app = make_app(store, rehearsal=Rehearsal(f"{LOOPBACK}:{parts.catcher.port}", parts.catcher.folder))
        with output.unfiltered(), warnings_after_the_app():
            app.run()
    kept = plural(parts.catcher.handler.count, "message")
    held.say(f"The demo's mail catcher kept {kept} in {parts.catcher.folder}.")
