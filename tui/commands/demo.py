"""`callsheet demo`: a realistic workspace with a local mail catcher, opened in the app."""

from __future__ import annotations

import os
from pathlib import Path

import click
import platformdirs

from mailer.demo import build
from store.db import Store
from tui.context import APP_NAME, ENV_DB, CliContext


def _demo_path(obj: CliContext) -> tuple[Path, bool]:
    """The database to use and whether it was asked for explicitly."""
    explicit = click.get_current_context().find_root().params.get("db_path") or os.environ.get(ENV_DB)
    if explicit:
        return obj.db_path, True
    return Path(platformdirs.user_data_dir(APP_NAME)) / "demo.db", False


def prepare(path: Path, fresh: bool, store_factory=Store) -> tuple[Store, dict | None]:
    """Open (or recreate) the demo database and seed it when it is empty."""
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = store_factory(path)
    if store.reader().execute("SELECT 1 FROM influencers LIMIT 1").fetchone():
        return store, None
    return store, build(store)


@click.command("demo")
@click.option("--no-open", is_flag=True, help="Create the workspace and exit without opening the app.")
@click.pass_obj
def demo(obj: CliContext, no_open: bool) -> None:
    """Create a demo workspace (or reuse the one given by --db) and open the app on it."""
    path, explicit = _demo_path(obj)
    store, counts = prepare(path, fresh=not explicit)
    try:
        if counts:
            click.echo(f"Demo workspace {path}: {counts['influencers']} influencers, "
                       f"{counts['campaigns']} campaigns, {counts['messages']} messages, "
                       f"{counts['planned']} invitations planned for tomorrow "
                       f"({counts['flagged']} flagged).")
        else:
            click.echo(f"Opening the existing workspace {path} (it already has data).")
        if no_open:
            return
        _run_app(store, path)
    finally:
        store.close()


def _run_app(store: Store, path: Path) -> None:
    from mailer.catcher import MailCatcher
    from tui.app import make_app

    catcher = MailCatcher(path.parent / "demo-mail").start()
    os.environ["CALLSHEET_SMTP_URL"] = catcher.url
    try:
        make_app(store).run()
    finally:
        catcher.stop()
    click.echo(f"The demo's mail catcher kept {catcher.handler.count} messages in {catcher.folder}.")
