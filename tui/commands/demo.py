"""`callsheet demo`: a realistic workspace with a local mail catcher, opened in the app.

The demo only ever runs on a file it made itself (marked inside it, `store.workspace`): it points
sending at a local catcher, which on a real workspace would swallow real queued mail.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from mailer.demo import build
from store import workspace
from store.db import Store
from store.errors import UserError
from store.wording import plural
from store.workspace import Kind
from tui import output
from tui.context import CliContext, demo_db_path


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


def prepare(path: Path, reset: bool) -> tuple[Store, dict | None]:
    """Open the demo workspace at `path` (rebuilt with `reset`), seeding it when it is new."""
    _refuse_foreign(path)
    if reset and path.exists():
        old = Store(path)
        try:
            click.echo(f"Rebuilding the demo workspace {path}; deleting its {_inventory(old)}.")
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
    store, counts = prepare(path, reset)
    try:
        if counts:
            click.echo(f"Demo workspace {path}: {plural(counts['influencers'], 'influencer')}, "
                       f"{plural(counts['campaigns'], 'campaign')}, {plural(counts['messages'], 'message')}, "
                       f"{plural(counts['planned'], 'invitation')} planned for tomorrow "
                       f"({counts['flagged']} flagged).")
        else:
            click.echo(f"Opening the existing demo workspace {path}, kept as you left it "
                       f"({_inventory(store)}); `callsheet demo --reset` rebuilds it.")
        if no_open:
            return
        _run_app(store, path)
    finally:
        store.close()


def _run_app(store: Store, path: Path) -> None:
    from mailer.smtp.catcher import MailCatcher
    from tui.app import make_app

    catcher = MailCatcher(path.parent / "demo-mail").start()
    os.environ["CALLSHEET_SMTP_URL"] = catcher.url
    try:
        app = make_app(store)
        with output.unfiltered():
            app.run()
    finally:
        catcher.stop()
    kept = plural(catcher.handler.count, "message")
    click.echo(f"The demo's mail catcher kept {kept} in {catcher.folder}.")
