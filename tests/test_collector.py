"""The app freezes what start-up made and spaces collections out while it runs; undone when it ends."""

from __future__ import annotations

import gc
from pathlib import Path

from tests.app_helpers import demo_app
from tests.pilot_helpers import until
from tui import collector


async def test_the_app_settles_the_collector_after_its_first_frame_and_releases_it(tmp_path: Path) -> None:
    before = gc.get_threshold()
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: gc.get_freeze_count() > 0)
        assert gc.get_threshold() == collector.THRESHOLDS
    assert gc.get_freeze_count() == 0  # the app is collectable again once it has ended
    assert gc.get_threshold() == before


async def test_the_app_collects_rarely_from_its_construction_to_its_first_frame(tmp_path: Path) -> None:
    before = gc.get_threshold()
    app = demo_app(tmp_path / "demo.db")
    assert gc.get_threshold() == collector.STARTING  # built, not yet run
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: gc.get_freeze_count() > 0)
        assert gc.get_threshold() == collector.THRESHOLDS
    assert gc.get_threshold() == before
