"""The footer shows whole keys only, most important first, at every mode's narrowest size."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from tests.app_helpers import demo_app
from tests.pilot_helpers import settled
from tui.widgets.footer import KeyFooter


def _footer_keys(app) -> tuple[list[FooterKey], FooterKey]:
    footer = app.screen.query_one(KeyFooter)
    keys = list(footer.query_children(FooterKey))
    [palette] = [key for key in keys if key.has_class("-command-palette")]
    return [key for key in keys if key is not palette], palette


@pytest.mark.parametrize("width", [80, 120])
async def test_every_mode_shows_only_keys_that_fit_whole(tmp_path: Path, width: int) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(width, 24)) as pilot:
        for mode in "1234":
            await pilot.press(mode)
            await settled(app)
            await pilot.pause()
            keys, palette = _footer_keys(app)
            shown = [key for key in keys if key.display]
            assert shown, f"mode {mode} shows keys"
            assert all(key.region.right <= palette.region.x for key in shown), f"mode {mode}"
            assert all(key.description for key in shown)
            # Keys hidden for want of room (not those the focused widget has no use for) all come
            # after the last one shown: the first keys are the important ones.
            unwanted = app.screen.query_one(KeyFooter)._unwanted
            no_room = [key for key in keys if not key.display and key.action not in unwanted]
            if width == 80 and mode == "1":
                assert no_room, "the Pipeline has more keys than 80 columns hold"
            assert all(keys.index(key) > keys.index(shown[-1]) for key in no_room)


async def test_a_wider_terminal_shows_the_keys_again(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app)
        await pilot.pause()
        narrow = sum(key.display for key in _footer_keys(app)[0])
        await pilot.resize_terminal(200, 24)
        await pilot.pause()
        keys, palette = _footer_keys(app)
        wide = sum(key.display for key in keys)
        assert wide > narrow
        assert all(key.region.right <= palette.region.x for key in keys if key.display)
