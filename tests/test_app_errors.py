"""The app never dies of a worker's failure, and what it cannot survive is logged first (issue 11)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from textual.widgets import DataTable, Select, Static

from store.errors import UserError
from tests.app_helpers import demo_app
from tests.pilot_helpers import until
from tui.context import log_dir
from tui.errors import log_traceback
from tui.screens.pipeline import PipelineScreen

TUI = Path(__file__).resolve().parent.parent / "tui"


def _errors_log() -> Path:
    return log_dir() / "errors.log"


def _page_info(screen: PipelineScreen) -> str:
    return str(screen.query_one("#page-info", Static).render())


def _only_watching(app) -> bool:
    """No page, profile or write worker is running: only the dispatcher and the database watcher."""
    return all(worker.group in ("dispatch", "watch") for worker in app.workers)


async def test_ctrl_r_reloads_and_keeps_the_campaign_and_its_filter(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        screen.query_one("#stage-filter", Select).value = "invited"
        # The filtered page is in once its rows replace the unfiltered ones (a worker may not have
        # started yet when the filter changes, so "no worker running" alone proves nothing).
        await until(pilot, lambda: screen.view.stages == ("invited",) and bool(screen.rows)
                    and {row.stage for row in screen.rows} == {"invited"})
        await until(pilot, lambda: _only_watching(app))
        shown = [row.handle for row in screen.rows]
        assert {row.stage for row in screen.rows} == {"invited"}
        screen.query_one(DataTable).focus()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: screen.query_one("#campaign", Select).value == screen.view.campaign_id)
        await until(pilot, lambda: _only_watching(app))
        assert app.is_running and app.screen is screen
        assert screen.campaign_name == "Winter Capsule 25"
        assert screen.view.stages == ("invited",)
        assert [row.handle for row in screen.rows] == shown
        assert not _errors_log().exists()


@pytest.mark.parametrize("keys", [("c", "enter", "home", "enter"), ("c", "enter", "c", "enter")],
                         ids=["home-enter", "type-c"])
async def test_the_blank_campaign_entry_shows_no_campaign_and_the_app_goes_on(
        tmp_path: Path, keys: tuple[str, ...]) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        await pilot.press(*keys)
        await until(pilot, lambda: screen.view is None)
        assert app.is_running and isinstance(app.screen, PipelineScreen)
        assert screen.query_one(DataTable).row_count == 0
        assert "No campaign selected." in str(screen.query_one("#counters", Static).render())
        assert _page_info(screen) == "Choose a campaign with c."
        await pilot.press("a")  # a decision key with nothing chosen is a warning, not a crash
        await until(pilot, lambda: bool(app._notifications))
        picker = screen.query_one("#campaign", Select)
        picker.value = next(value for _prompt, value in picker._options if isinstance(value, int))
        await until(pilot, lambda: bool(screen.rows))
        assert screen.campaign_name == "Winter Capsule 25"


async def test_a_worker_refused_with_a_user_error_is_one_notification(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")

    def refused() -> None:
        raise UserError("Campaign [imap] 'x' is closed.")

    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(app.screen.rows))
        app.screen.run_worker(refused, thread=True)
        await until(pilot, lambda: bool(app._notifications))
        [note] = list(app._notifications)
        assert note.message == "Campaign [imap] 'x' is closed."
        assert (note.severity, note.markup) == ("error", False)
        assert app.is_running
    assert not _errors_log().exists()


async def test_an_unexpected_worker_error_names_errors_log_and_the_app_goes_on(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")

    def broken() -> None:
        raise RuntimeError("the disk melted")

    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        screen.run_worker(broken, thread=True, group="page")
        await until(pilot, lambda: bool(app._notifications))
        [note] = list(app._notifications)
        assert note.severity == "error"
        assert note.message == (f"Unexpected RuntimeError (the disk melted), the app goes on; "
                                f"details in {_errors_log()}.")
        await pilot.press("o")  # the screen still answers keys: the sort cycles, a page loads
        await until(pilot, lambda: screen.view.sort == "name")
        assert app.is_running
    logged = _errors_log().read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "RuntimeError: the disk melted" in logged
    assert "in broken" in logged


async def test_an_exception_outside_workers_is_logged_before_the_app_stops(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = demo_app(tmp_path / "demo.db")

    def handler_bug() -> None:
        raise KeyError("no such column")

    with pytest.raises(KeyError):
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: bool(app.screen.rows))
            app.call_later(handler_bug)
            await pilot.pause()
    logged = _errors_log().read_text(encoding="utf-8")
    assert "in handler_bug" in logged and "KeyError: 'no such column'" in logged
    said = "".join(capsys.readouterr().err.split("\n"))  # the console wraps long lines
    assert said.strip() == f"callsheet stopped on an unexpected KeyError; details in {_errors_log()}."


def test_errors_log_is_private_even_under_umask_000(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        where = Path(log_traceback(RuntimeError("first")))
        log_traceback(RuntimeError("second"))
    finally:
        os.umask(old)
    assert where == _errors_log()
    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    assert stat.S_IMODE(where.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(where.parent.parent.stat().st_mode) == 0o700  # the app's folder it made too
    text = where.read_text(encoding="utf-8")
    assert "RuntimeError: first" in text and "RuntimeError: second" in text


def test_no_worker_opts_out_of_the_app_handler() -> None:
    """Every worker's failure reaches the App's one handler; `exit_on_error=False` would hide it."""
    opted_out = [str(path.relative_to(TUI)) for path in TUI.rglob("*.py")
                 if "exit_on_error=False" in path.read_text(encoding="utf-8")]
    assert opted_out == []
