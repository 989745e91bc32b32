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
from tui.widgets.footer import KeyFooter
from tui.widgets.pipeline_bits import CountersBar, ProfilePanel

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


async def test_capital_o_is_in_the_footer_help_and_palette(tmp_path: Path) -> None:
    app = make_app(_applied(tmp_path / "p.db", 2))
    async with app.run_test(size=(200, 40)) as pilot:  # wide enough for the footer to reach it
        screen = await _opened(pilot)
        titles = {command.title: command.help for command in app.get_system_commands(screen)}
        assert titles["Reverse order"] == "key: O"
        assert ("O", "Reverse order", "Pipeline") in app.binding_rows(screen)
        footer = screen.query_one(KeyFooter)
        await until(pilot, lambda: any(entry.description == "Reverse order" for entry in footer.shown()))


async def test_after_accepting_a_middle_row_the_cursor_is_on_the_one_that_followed(tmp_path: Path) -> None:
    store = _applied(tmp_path / "p.db", 5)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot)
        before = _handles(screen)  # p0004 … p0000, newest first
        table = screen.query_one(DataTable)
        table.move_cursor(row=2)
        decided, following = before[2], before[3]
        store.clock.pinned = Clock.fixed(LATER).now()  # the accept is the newest update: its row goes up
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: screen.last_batch is not None and _handles(screen)[0] == decided)
        assert stage_of(store, "Big", decided) == "in campaign"
        assert _under_cursor(screen) == following, "the next person, not whoever took the row's place"

        await pilot.press("u")  # the undo moves the row again: the cursor stays on its person
        await until(pilot, lambda: stage_of(store, "Big", decided) == "to review")
        await until(pilot, lambda: screen.last_batch is None and _handles(screen)[0] == decided)
        assert _under_cursor(screen) == following


async def test_a_decision_on_the_last_row_keeps_the_cursor_on_it(tmp_path: Path) -> None:
    store = _applied(tmp_path / "p.db", 4)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot)
        last = _handles(screen)[-1]
        screen.query_one(DataTable).move_cursor(row=3)
        store.clock.pinned = Clock.fixed(LATER).now()
        await pilot.press("s")  # shortlist asks nothing
        await until(pilot, lambda: screen.last_batch is not None and _handles(screen)[0] == last)
        assert _under_cursor(screen) == last


async def test_a_refresh_from_elsewhere_keeps_the_cursor_on_its_person(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    store = _applied(path, 5)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot)
        before = _handles(screen)
        screen.query_one(DataTable).move_cursor(row=1)
        other = Store(path, Clock.fixed(LATER), actor="tester")  # another process moves a row below it up
        try:
            pipeline.decide(other, "Big", [before[3]], "shortlist")
        finally:
            other.close()
        await until(pilot, lambda: _handles(screen)[0] == before[3])
        assert _under_cursor(screen) == before[1], "the rows above it moved down one: the cursor with them"


async def _searched(pilot: Pilot, screen: PipelineScreen, text: str) -> None:
    await pilot.press("slash", *text, "enter")
    await until(pilot, lambda: screen.view.search == text and screen.counted and len(screen.rows) == 1)


async def test_escape_leaves_the_search_then_clears_it(tmp_path: Path) -> None:
    app = make_app(_applied(tmp_path / "p.db", 5))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot)
        search, table = screen.query_one("#search", Input), screen.query_one(DataTable)
        await _searched(pilot, screen, "p0003")
        await pilot.press("slash")
        assert search.has_focus
        await pilot.press(*"xyz", "escape")  # typed, not applied: dropped; the search stays in force
        assert table.has_focus and search.value == "p0003" and search.display
        await pilot.pause()
        assert screen.view.search == "p0003" and _handles(screen) == ["p0003"]
        assert "of 1" in _info(screen)

        await pilot.press("escape")  # the second clears it
        await until(pilot, lambda: screen.view.search == "" and len(screen.rows) == 5)
        assert not search.display and search.value == "" and table.has_focus
        await pilot.press("escape")  # nothing left to clear: nothing changes
        assert len(screen.rows) == 5


async def test_escape_in_an_emptied_search_bar_clears_the_search(tmp_path: Path) -> None:
    app = make_app(_applied(tmp_path / "p.db", 5))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot)
        await _searched(pilot, screen, "p0001")
        await pilot.press("slash")
        screen.query_one("#search", Input).value = ""
        await pilot.press("escape")
        await until(pilot, lambda: screen.view.search == "" and len(screen.rows) == 5)
        assert screen.query_one(DataTable).has_focus


async def test_escape_closes_the_profile_before_it_clears_the_search(tmp_path: Path) -> None:
    app = make_app(_applied(tmp_path / "p.db", 5))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _opened(pilot)
        await _searched(pilot, screen, "p0002")
        panel = screen.query_one(ProfilePanel)
        await pilot.press("enter")
        await until(pilot, lambda: panel.display and "@p0002" in str(panel.render()))
        await pilot.press("escape")
        assert not panel.display
        await pilot.pause()
        assert screen.view.search == "p0002", "the first esc only closed the panel"
        await pilot.press("escape")
        await until(pilot, lambda: screen.view.search == "" and len(screen.rows) == 5)


async def test_a_sort_rewrites_the_rows_not_the_counters(tmp_path: Path) -> None:
    """The counters bar lays the screen out again when rewritten: a sort or a page turn leaves it be,
    a decision (new numbers) rewrites it."""
    app = make_app(_applied(tmp_path / "p.db", 6))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _opened(pilot)
        bar = screen.query_one(CountersBar)
        rewrites: list[object] = []
        update = bar.update

        def counted_update(*args, **kwargs) -> None:
            rewrites.append(args)
            update(*args, **kwargs)

        bar.update = counted_update  # type: ignore[method-assign]
        before = screen.rows
        await pilot.press("o")
        await until(pilot, lambda: screen.rows is not before and screen.view is not None
                    and screen.view.sort == "name")
        assert rewrites == []
        await pilot.press("a", "y")
        await until(pilot, lambda: bool(rewrites))
