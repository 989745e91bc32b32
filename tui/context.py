"""What every command needs: where the database is, and opening it once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import click
import platformdirs

from store.clock import Clock
from store.db import Store
from store.errors import UserError

ENV_DB = "CALLSHEET_DB"
APP_NAME = "callsheet"


def default_db_path() -> Path:
    """`$CALLSHEET_DB`, else the platform's user data directory."""
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME)) / "callsheet.db"


def demo_db_path() -> Path:
    """Where `callsheet demo` keeps its workspace when no database is named."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "demo.db"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME))


def creates_workspace(command: click.Command) -> click.Command:
    """Mark `command` as one that may create a new workspace; every other command only opens one."""
    command.creates_workspace = True  # type: ignore[attr-defined]
    return command


def _may_create() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and getattr(ctx.command, "creates_workspace", False))


def no_workspace(path: Path) -> UserError:
    """The sentence for a command that needs a workspace where there is none."""
    hint = ""
    if path != demo_db_path() and demo_db_path().exists():
        hint = f" (the demo is in {demo_db_path()}: pass --db {demo_db_path()})"
    return UserError(f"There is no workspace at {path}{hint}; make one with `callsheet import influencers "
                     f"FILE`, `callsheet campaign create NAME` or `callsheet demo`, or name another "
                     f"with --db.")


@dataclass
class CliContext:
    """Passed to every click command as `ctx.obj`; the store opens on first use."""

    db_path: Path
    clock: Clock = field(default_factory=Clock.from_env)
    explicit: bool = False  # the database was named by --db or $CALLSHEET_DB
    _store: Store | None = None
    _created: bool = False  # this command made the workspace file

    @classmethod
    def named(cls, db_path: Path | None) -> CliContext:
        """The context for `--db db_path` (None: `$CALLSHEET_DB`, else the default file)."""
        explicit = db_path is not None or bool(os.environ.get(ENV_DB, "").strip())
        return cls(db_path or default_db_path(), explicit=explicit)

    @property
    def store(self) -> Store:
        """The workspace; a command that only reads never creates one where there is none."""
        if self._store is None:
            if not self.db_path.exists() and not _may_create():
                raise no_workspace(self.db_path)
            self._created = not self.db_path.exists()
            self._store = Store(self.db_path, self.clock)
        return self._store

    def discard_new(self) -> None:
        """After a refused command: take away the workspace it made, so bad input changes nothing
        (else a mistyped first command leaves an empty workspace with its caller as manager)."""
        if not self._created:
            return
        self.close()
        for end in ("", "-wal", "-shm"):
            self.db_path.with_name(self.db_path.name + end).unlink(missing_ok=True)
        self._created = False

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
