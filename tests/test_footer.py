"""The footer shows whole keys only, most important first, at every mode's narrowest size."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_helpers import demo_app
from tests.pilot_helpers import settled, until
from tui.widgets.footer import PALETTE_EDGE, KeyFooter


def _line(app) -> str:
    """The footer's line as painted."""
    footer = app.screen.query_one(KeyFooter)
    return "".join(segment.text for segment in footer.render_line(0))


@pytest.mark.parametrize("width", [80, 120])
async def test_every_mode_shows_only_keys_that_fit_whole(tmp_path: Path, width: int) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(width, 24)) as pilot:
        for mode in "1234":
            await pilot.press(mode)
            await settled(app)
            await pilot.pause()
            footer = app.screen.query_one(KeyFooter)
            shown, wanted = footer.shown(), footer.wanted()
            assert shown, f"mode {mode} shows keys"
            assert shown == wanted[:len(shown)], f"mode {mode}: the first keys, in order"
            line = _line(app)
            assert len(line) == width and line.count(PALETTE_EDGE) == 1
            keys = line.split(PALETTE_EDGE)[0]
            assert keys.rstrip().endswith(shown[-1].description), f"mode {mode} ends on whole words"
            for entry in shown:
                assert f" {entry.key_display} {entry.description} " in keys
            if width == 80 and mode == "1":
                assert len(shown) < len(wanted), "the Pipeline has more keys than 80 columns hold"


async def test_a_wider_terminal_shows_the_keys_again(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app)
        await pilot.pause()
        narrow = len(app.screen.query_one(KeyFooter).shown())
        await pilot.resize_terminal(200, 24)
        await pilot.pause()
        wide = app.screen.query_one(KeyFooter).shown()
        assert len(wide) > narrow
        assert wide[-1].description in _line(app)


async def test_the_search_bar_hides_the_letter_keys_and_the_table_shows_them_again(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(120, 24)) as pilot:
        await settled(app)
        footer = app.screen.query_one(KeyFooter)
        assert "Accept" in _line(app)
        await pilot.press("slash")
        await until(pilot, lambda: "Accept" not in _line(app))
        assert all(entry.action != "decide('accept')" for entry in footer.shown())
        await pilot.press("escape")
        await until(pilot, lambda: "Accept" in _line(app))


async def test_a_click_on_a_key_presses_it(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(120, 24)) as pilot:
        await settled(app)
        footer = app.screen.query_one(KeyFooter)
        line = _line(app)
        palette = footer.palette()
        assert palette is not None and palette.tooltip
        await pilot.hover(KeyFooter, offset=(line.index(f" {palette.key_display} ") + 1, 0))
        await until(pilot, lambda: footer.tooltip == palette.tooltip)  # the key under the mouse, lit
        x = line.index(" / Search ") + 1
        await pilot.click(KeyFooter, offset=(x, 0))
        await until(pilot, lambda: app.focused is not None and app.focused.id == "search")
