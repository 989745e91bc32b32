"""The Pipeline's pickers: stand-ins in the first frame, the Selects right after, looking the same."""

from __future__ import annotations

import html
import re
from pathlib import Path

from textual.widgets import DataTable, Select

from tests.app_helpers import demo_app
from tests.pilot_helpers import until
from tui.widgets.pipeline_toolbar import PipelineToolbar, StandIn


def _lines(svg: str) -> list[list[tuple[float, int, str]]]:
    """The words of a screenshot, line by line, each where it starts (spaces are drawn as background)."""
    found: dict[float, list[tuple[float, int, str]]] = {}
    for x, y, text in re.findall(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        text = html.unescape(text).replace("\xa0", " ")
        for word in re.finditer(r"\S+", text):
            found.setdefault(float(y), []).append((float(x), word.start(), word.group()))
    return [sorted(words) for _, words in sorted(found.items())]


def _toolbar(app) -> list[list[tuple[float, int, str]]]:
    """The toolbar's lines of a screenshot of the app."""
    top = app.screen.query_one(PipelineToolbar).region.y
    return _lines(app.export_screenshot())[top:top + 3]


async def test_the_first_frame_shows_the_pickers_as_the_selects_then_draw_them(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    first: list[list[list[tuple[float, int, str]]]] = []

    def displayed() -> None:
        table = app.screen.query(DataTable)
        if not first and table and table.first().row_count:
            assert not app.screen.query(Select), "the Selects come after the first rows"
            first.append(_toolbar(app))

    app.post_display_hook = displayed  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        toolbar = app.screen.query_one(PipelineToolbar)
        await until(pilot, lambda: toolbar.ready.is_set() and bool(first))
        assert not toolbar.query(StandIn)
        assert app.screen.query_one("#campaign", Select).value == app.screen.view.campaign_id
        await pilot.pause()
        assert _toolbar(app) == first[0]  # the same boxes, words and arrows
        words = [word for _, _, word in first[0][1]]
        assert words[1:4] == ["Winter", "Capsule", "25"] and "stages" in words


async def test_c_pressed_as_the_app_opens_focuses_the_campaign_picker(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "campaign")
