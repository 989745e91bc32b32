"""One SVG snapshot per mode (and of the campaign settings screen), made deterministic by a pinned
clock and a seeded demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_helpers import demo_app
from tests.pilot_helpers import settled, until
from tui.screens.campaign_settings import CampaignSettings
from tui.screens.message_view import MessageScreen
from tui.screens.outbox import OutboxScreen

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
@pytest.mark.parametrize("key", ["1", "2", "3", "4"], ids=["pipeline", "inbox", "moderation", "outbox"])
def test_mode_snapshot(snap_compare, tmp_path: Path, key: str, size: tuple[int, int]) -> None:
    async def settle(pilot) -> None:
        await pilot.press(key)
        await settled(pilot.app)
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path / "demo.db"), terminal_size=size, run_before=settle)


@SIZES
def test_message_viewer_snapshot(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def open_message(pilot) -> None:
        await pilot.press("4")
        await until(pilot, lambda: isinstance(pilot.app.screen, OutboxScreen))
        await settled(pilot.app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, MessageScreen))
        await settled(pilot.app)
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path / "demo.db"), terminal_size=size, run_before=open_message)


@SIZES
def test_campaign_settings_snapshot(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def open_settings(pilot) -> None:
        await until(pilot, lambda: bool(getattr(pilot.app.screen, "rows", None)))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(pilot.app.screen, CampaignSettings))
        await settled(pilot.app)
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path / "demo.db"), terminal_size=size, run_before=open_settings)
