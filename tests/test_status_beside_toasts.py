"""At 80 columns a notification (bottom right) and the Pipeline's undo countdown are both readable."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Select

from tests.app_helpers import demo_app
from tests.display_helpers import screen_text
from tests.pilot_helpers import until
from tui.widgets.confirm import ConfirmScreen


async def test_the_undo_countdown_is_not_under_the_accepts_notification(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        screen.query_one("#stage-filter", Select).value = "to review"
        await until(pilot, lambda: bool(screen.rows) and all(r.stage == "to review" for r in screen.rows))
        screen.query_one(DataTable).focus()
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        # The accept's notification ("accept: 1 moved, 1 email queued; u undoes within 30 s.") is up.
        await until(pilot, lambda: "accept: 1 moved" in screen_text(app) and "s left" in screen_text(app))
        shown = screen_text(app)
        status = shown.splitlines()[-2]  # above the footer
        # The countdown leads the line, whole, left of the toast's edge (what follows may be covered).
        assert status.startswith(" u undoes the accept of 1: 30 s left · "), status
        assert "▌" in status[len(" u undoes the accept of 1: 30 s left · "):], status  # the toast is there
