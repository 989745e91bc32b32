"""The Pipeline's keys that keep their place: `O` reverses the order, the cursor stays with its
person after a decision, and `esc` leaves the search bar, closes the profile, then clears the search."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from mailer.actions import pipeline
from store.clock import Clock
from store.db import Store
from tests.app_helpers import PINNED
from tests.pilot_helpers import until
from tests.pipeline_helpers import add_people, stage_of
from tests.pipeline_helpers import make_campaign as new_campaign
from tui.app import make_app
from tui.screens.pipeline import PipelineScreen
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.pipeline_bits import ProfilePanel

LATER = "2026-11-23T10:05:00+00:00"


def _applied(path: Path, count: int) -> Store:
    """`count` applications to review, one a minute apart, so "updated" orders them newest first."""
    store = Store(path, Clock.fixed(PINNED), actor="tester")
    new_campaign(store, "Big")
    for minute, handle in enumerate(add_people(store, count)):
        store.clock.pinned = Clock.fixed(f"2026-11-23T09:{minute:02d}:00+00:00").now()
        pipeline.apply(store, "Big", handle)
    store.clock.pinned = Clock.fixed(PINNED).now()
    return store


def _info(screen: PipelineScreen) -> str:
    return str(screen.query_one("#page-info", Static).render())


def _handles(screen: PipelineScreen) -> list[str]:
    return [row.handle for row in screen.rows]


def _under_cursor(screen: PipelineScreen) -> str:
    return screen.rows[screen.query_one(DataTable).cursor_row].handle


async def _opened(pilot: Pilot) -> PipelineScreen:
    screen = pilot.app.screen
    assert isinstance(screen, PipelineScreen)
    await until(pilot, lambda: bool(screen.rows) and screen.counted)
    return screen


async def test_capital_o_reverses_the_order(tmp_path: Path) -> None:
    app = make_app(_applied(tmp_path / "p.db", 6))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot)
        newest_first = _handles(screen)
        assert newest_first == [f"p{n:04d}" for n in range(5, -1, -1)]
        assert "sorted by updated ↓" in _info(screen)
        await pilot.press("O")
        await until(pilot, lambda: not screen.view.descending and _handles(screen) == newest_first[::-1])
        assert "sorted by updated ↑" in _info(screen)
        await pilot.press("o", "O")  # another column, then its order reversed
        await until(pilot, lambda: screen.view.sort == "name" and screen.view.descending
                    and _handles(screen) == sorted(newest_first, reverse=True))
        assert "sorted by name ↓" in _info(screen)
        await pilot.press("O")
        await until(pilot, lambda: _handles(screen) == sorted(newest_first))
        assert "sorted by name ↑" in _info(screen)


async def test_capital_o_is_in_help_and_the_palette(tmp_path: Path) -> None:
    app = make_app(_applied(tmp_path / "p.db", 2))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _opened(pilot)
        titles = {command.title: command.help for command in app.get_system_commands(screen)}
        assert titles["Reverse order"] == "key: O"
        assert ("O", "Reverse order", "Pipeline") in app.binding_rows(screen)
