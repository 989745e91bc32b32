"""The app never dies: keys that used to end it, and one convention for every worker's failure."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Select

from tests.app_helpers import demo_app
from tests.pilot_helpers import until
from tui.screens.pipeline import PipelineScreen


async def _pipeline_ready(app, pilot) -> PipelineScreen:
    screen = app.screen
    await until(pilot, lambda: bool(screen.rows))
    assert isinstance(screen, PipelineScreen)
    return screen


async def test_ctrl_r_reloads_the_pipeline_and_keeps_the_campaign(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _pipeline_ready(app, pilot)
        campaign_id = screen.view.campaign_id
        await pilot.press("ctrl+r")
        await until(pilot, lambda: screen.query_one("#campaign", Select).value == campaign_id)
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert screen.view is not None and screen.view.campaign_id == campaign_id
        assert screen.campaign_name == "Winter Capsule 25"
        assert screen.query_one(DataTable).row_count == 58


async def test_choosing_the_blank_campaign_entry_keeps_the_campaign(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _pipeline_ready(app, pilot)
        campaign_id = screen.view.campaign_id
        await pilot.press("c", "enter", "home", "enter")
        await pilot.pause()
        await until(pilot, lambda: screen.query_one("#campaign", Select).value == campaign_id)
        assert app.is_running and app.screen is screen
        assert screen.view.campaign_id == campaign_id
        assert screen.query_one(DataTable).row_count == 58


async def test_typing_c_in_the_open_campaign_menu_keeps_the_app(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _pipeline_ready(app, pilot)
        campaign_id = screen.view.campaign_id
        await pilot.press("c", "enter", "c", "enter")
        await pilot.pause()
        await until(pilot, lambda: screen.query_one("#campaign", Select).value == campaign_id)
        assert app.is_running and app.screen is screen
        assert screen.view.campaign_id == campaign_id
