"""What every command needs: where the database is, and opening it once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from store.clock import Clock
from store.db import Store

ENV_DB = "CALLSHEET_DB"
APP_NAME = "callsheet"


def default_db_path() -> Path:
    """`$CALLSHEET_DB`, else the platform's user data directory."""
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME)) / "callsheet.db"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME))


@dataclass
class CliContext:
    """Passed to every click command as `ctx.obj`; the store opens on first use."""

    db_path: Path
    clock: Clock = field(default_factory=Clock.from_env)
    _store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.db_path, self.clock)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
