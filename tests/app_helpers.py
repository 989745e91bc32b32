"""Building the app on a seeded demo store for Pilot and snapshot tests."""

from __future__ import annotations

from pathlib import Path

from mailer.demo import build
from store.clock import Clock
from store.db import Store
from tui.app import CallsheetApp, make_app

PINNED = "2026-11-23T10:00:00+00:00"


def demo_store(path: Path) -> Store:
    store = Store(path, Clock.fixed(PINNED), actor="tester")
    build(store)
    return store


def demo_app(path: Path) -> CallsheetApp:
    return make_app(demo_store(path))
