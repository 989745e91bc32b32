"""Building the app on a seeded demo store for Pilot and snapshot tests."""

from __future__ import annotations

from pathlib import Path

from store.clock import Clock
from store.db import Store
from store.demo_data import seed
from tui.app import CallsheetApp, make_app

PINNED = "2026-11-23T10:00:00+00:00"


def demo_store(path: Path) -> Store:
    store = Store(path, Clock.fixed(PINNED), actor="tester")
    with store.write() as db:
        seed(db, store.clock.now(), store.actor)
    return store


def demo_app(path: Path) -> CallsheetApp:
    return make_app(demo_store(path))
