"""The Pipeline's columns fit its table: beside the profile whole columns give way, none cut at the edge."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Select, Sparkline

from tests.app_helpers import demo_app
from tests.pilot_helpers import until
from tui.screens.pipeline import PipelineScreen
from tui.widgets.pipeline_bits import ProfilePanel
from tui.widgets.pipeline_toolbar import PipelineToolbar


def _drawn(table: DataTable) -> int:
    """The cells the columns take, with the space either side of each cell."""
    return sum(column.width + 2 * table.cell_padding for column in table.columns.values())


@pytest.mark.parametrize(("width", "kept"), [(80, ["name", "handle", "stage"]),
                                             (120, ["name", "handle", "stage", "followers", "engagement",
                                                    "fee", "last_message"])])
async def test_beside_the_profile_columns_give_way_whole(tmp_path: Path, width: int, kept: list[str]) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(width, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        table = screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count > 0)
        wide_open = [str(key.value) for key in table.columns]
        await pilot.press("enter")
        await until(pilot, lambda: screen.query_one(ProfilePanel).display)
        await pilot.pause()
        shown = [str(key.value) for key in table.columns]
        assert shown == [key for key in wide_open if key in kept]
        assert _drawn(table) <= table.scrollable_content_region.width  # nothing cut at the table's edge
        await pilot.press("escape")
        await until(pilot, lambda: not screen.query_one(ProfilePanel).display)
        assert [str(key.value) for key in table.columns] == wide_open


async def test_no_campaign_chosen_shows_no_campaigns_applications(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        await until(pilot, lambda: bool(screen.rows))
        toolbar = screen.query_one(PipelineToolbar)
        await until(pilot, lambda: toolbar.ready.is_set())
        sparkline = screen.query_one(Sparkline)
        assert any(sparkline.data or [])
        screen.query_one("#campaign", Select).clear()  # the picker's blank choice
        await until(pilot, lambda: screen.view is None)
        assert list(sparkline.data or []) == [0]
