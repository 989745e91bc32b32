"""The `?` screen as a new user reads it: the mode's keys first, and j/k/g/G move as everywhere else."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests.app_helpers import demo_app
from tests.pilot_helpers import until
from tui.screens.help import GENERIC_KEYS, HelpScreen, mode_keys_first


def test_textuals_generic_keys_go_last_and_the_rest_keep_their_order() -> None:
    rows = [("tab", "Focus Next", "P"), ("a", "Accept", "P"), ("ctrl+c", "Copy", "P"),
            ("1", "Pipeline", "all")]
    assert mode_keys_first(rows) == [rows[1], rows[3], rows[0], rows[2]]


async def _open_help(pilot) -> HelpScreen:
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
    screen = pilot.app.screen
    assert isinstance(screen, HelpScreen)
    return screen


async def test_help_opens_on_the_modes_keys_and_moves_with_j_k_g_and_capital_g(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_help(pilot)
        keys = [row[0] for row in screen.rows]
        assert keys[0] not in GENERIC_KEYS and set(keys[-len(GENERIC_KEYS):]) == GENERIC_KEYS
        assert keys.index("1") < keys.index("tab")  # the mode switches before Textual's focus keys
        table = screen.query_one(DataTable)
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_each_place_is_named_once_on_its_first_key(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_help(pilot)
        table = screen.query_one(DataTable)
        places = [str(table.get_row_at(index)[2]) for index in range(table.row_count)]
        named = [place for place in places if place]
        assert named == ["Pipeline", "everywhere", "Pipeline"]  # the mode, the app, Textual's own
        assert places[0] == "Pipeline" and len(places) == len(screen.rows)
