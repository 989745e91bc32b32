"""The app shell driven by Pilot: modes, help, palette, quitting."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static
from textual.widgets._header import HeaderTitle

from tests.app_helpers import demo_app
from tests.pilot_helpers import settled, until
from tui.screens.help import HelpScreen
from tui.screens.inbox import InboxScreen
from tui.screens.moderation import ModerationScreen
from tui.screens.pipeline import PipelineScreen
from tui.widgets.invitation_list import InvitationList


async def test_starts_on_pipeline_with_store_data(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(app)
        await pilot.pause()
        assert isinstance(app.screen, PipelineScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 58  # the first campaign: seeded applications + tomorrow's invitees
        assert "rows 1–58 of 58" in str(app.screen.query_one(".summary", Static).render())
        assert app.sub_title == "demo.db · 2026-11-23 10:00 UTC (pinned)"


async def test_keys_switch_modes(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        for key, screen_type in (("2", InboxScreen), ("3", ModerationScreen), ("1", PipelineScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_type)
            assert app.current_mode == {"1": "pipeline", "2": "inbox", "3": "moderation"}[key]


async def test_the_header_names_the_mode_you_are_in(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        for key, mode in (("1", "Pipeline"), ("2", "Inbox"), ("3", "Moderation"), ("4", "Outbox"),
                          ("2", "Inbox"), ("1", "Pipeline")):
            await pilot.press(key)
            await pilot.pause()
            shown = app.screen.query_one(HeaderTitle).render()
            assert str(shown).startswith(f"callsheet · {mode} — demo.db · "), str(shown)


async def test_a_hidden_mode_keeps_its_own_name_when_the_header_is_redrawn(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("4", "2", "1"):  # every mode has its screen (and its header) alive
            await pilot.press(key)
            await pilot.pause()
        app.sub_title = "demo.db · 2 sent this session"  # redraws every screen's header, hidden ones too
        await pilot.pause()
        for key, mode in (("4", "Outbox"), ("2", "Inbox"), ("1", "Pipeline")):
            await pilot.press(key)
            await pilot.pause()
            shown = str(app.screen.query_one(HeaderTitle).render())
            assert shown.startswith(f"callsheet · {mode} — demo.db · 2 sent"), shown


async def test_moderation_shows_tomorrows_queue(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: len(app.screen.query_one(InvitationList).items) == 60)
        assert "flagged" in str(app.screen.query_one("#counters", Static).render())


async def test_help_lists_every_binding(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {row[0] for row in app.screen.rows}
        assert {"1", "2", "3", "?", "ctrl+q", "r"} <= keys
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PipelineScreen)


async def test_palette_offers_modes_and_help(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)):
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Go to Pipeline", "Go to Inbox", "Go to Moderation", "Help", "Reload"} <= titles


async def test_ctrl_q_quits(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test() as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
