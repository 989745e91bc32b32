"""esc, the same in every mode (tui/escape.py): leave an input keeping the filter, a second esc clears
it; the panel closes before a filter is cleared. The Pipeline's own tests are in test_pipeline_keys.py."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from store.db import Store
from tests.pilot_helpers import until
from tests.test_inbox_pane import open_inbox, seeded  # noqa: F401 (a fixture)
from tests.test_moderation_pane import open_moderation, queue_store
from tui.app import make_app
from tui.escape import EscState, EscStep, esc_step
from tui.widgets.invitation_list import InvitationList


def test_the_rule_takes_one_step_innermost_first() -> None:
    assert esc_step(EscState(in_input=True, typed=True, on_list=False, in_force=True)) is EscStep.LEAVE_INPUT
    assert esc_step(EscState(in_input=True, typed=False, on_list=False, in_force=True)) is EscStep.CLEAR
    assert esc_step(EscState(in_input=False, typed=False, on_list=False, panel_open=True)) is EscStep.BACK
    assert esc_step(EscState(False, False, True, panel_open=True, in_force=True)) is EscStep.CLOSE_PANEL
    assert esc_step(EscState(False, False, True, in_force=True)) is EscStep.CLEAR
    assert esc_step(EscState(False, False, True)) is EscStep.NOTHING


async def test_inbox_escape_leaves_the_search_then_clears_it(seeded: Store) -> None:  # noqa: F811
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await open_inbox(app, pilot)
        search = app.screen.query_one("#inbox-search", Input)
        await pilot.press("slash", *"ana", "enter")
        await until(pilot, lambda: [row.handle for row in listing.rows] == ["ana"])
        await pilot.press("slash", *"xyz", "escape")  # typed, not applied: dropped; the search stays
        assert listing.has_focus and search.value == "ana" and search.display
        await pilot.pause()
        assert [row.handle for row in listing.rows] == ["ana"]

        await pilot.press("escape")  # the second clears it
        await until(pilot, lambda: len(listing.rows) == 3)
        assert search.value == "" and not search.display and listing.has_focus


async def test_inbox_escape_closes_the_side_panel_before_it_clears_the_search(
        seeded: Store) -> None:  # noqa: F811
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:  # at 80 columns the panel is closed until `i`
        listing = await open_inbox(app, pilot)
        side = app.screen.query_one("#inbox-side")
        assert not side.display
        await pilot.press("slash", *"ana", "enter")
        await until(pilot, lambda: len(listing.rows) == 1)
        await pilot.press("i")
        assert side.display
        await pilot.press("escape")
        assert not side.display
        await pilot.pause()
        assert len(listing.rows) == 1, "the first esc only closed the panel"
        await pilot.press("escape")
        await until(pilot, lambda: len(listing.rows) == 3)


async def test_inbox_side_panel_of_the_layout_stays_on_escape(seeded: Store) -> None:  # noqa: F811
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_inbox(app, pilot)
        await pilot.press("slash", *"ana", "enter")
        await until(pilot, lambda: len(listing.rows) == 1)
        await pilot.press("escape")  # the panel is part of the wide layout, not opened: the search goes
        await until(pilot, lambda: len(listing.rows) == 3)
        assert app.screen.query_one("#inbox-side").display


async def test_moderation_escape_leaves_the_prompt_keeping_the_tags_then_clears_them(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_moderation(pilot)
        listing, counters = screen.query_one(InvitationList), screen.query_one("#counters", Static)
        await pilot.press("t", "t", "semicolon")
        assert screen.to_tagged and "on 2 tagged" in str(counters.content)
        await pilot.press("escape")
        assert not screen.to_tagged and len(listing.tagged) == 2
        assert "2 tagged" in str(counters.content)
        await pilot.press("escape")
        assert not listing.tagged and "tagged" not in str(counters.content)
    store.close()
