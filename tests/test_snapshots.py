"""One SVG snapshot per mode, made deterministic by a pinned clock and a seeded demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_helpers import demo_app
from tests.pilot_helpers import settled


@pytest.mark.parametrize("key", ["1", "2", "3"], ids=["pipeline", "inbox", "moderation"])
def test_mode_snapshot(snap_compare, tmp_path: Path, key: str) -> None:
    async def settle(pilot) -> None:
        await pilot.press(key)
        await settled(pilot.app)
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path / "demo.db"), terminal_size=(100, 30), run_before=settle)
