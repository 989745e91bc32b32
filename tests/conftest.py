"""Shared fixtures: a real SQLite file per test and a pinned clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.clock import Clock
from store.db import Store

NOW = "2026-11-23T10:00:00+00:00"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's config, data or clock."""
    monkeypatch.setenv("CALLSHEET_NOW", NOW)
    monkeypatch.setenv("CALLSHEET_USER", "tester")
    monkeypatch.setenv("TZ", "UTC")  # the app shows the machine's zone: every test the same one
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.delenv("CALLSHEET_DB", raising=False)
    for name in ("CALLSHEET_SMTP_URL", "CALLSHEET_IMAP_URL", "CALLSHEET_SMTP_PASSWORD",
                 "CALLSHEET_IMAP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> Clock:
    return Clock.fixed(NOW)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "callsheet.db"


@pytest.fixture
def store(db_path: Path, clock: Clock) -> Store:
    opened = Store(db_path, clock, actor="tester")
    yield opened
    opened.close()
