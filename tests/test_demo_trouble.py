"""The demo has one hard bounce and one stray mail, stored as a sync stores them, so the Inbox's bounce
inspector (`!`) and stray mail (`u`) show something from the first run."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.app_helpers import demo_app
from tests.cli_helpers import run, run_json
from tests.pilot_helpers import until
from tui.screens.inbox import InboxScreen
from tui.screens.inbox_modals import PickModal

STRANGER = "jordan@reyes-talent.example"


def _demo(db_path: Path) -> None:
    result = run(db_path, "demo", "--no-open")
    assert result.exit_code == 0, result.output


def test_the_demo_has_exactly_one_stray_mail_and_one_bounce(db_path: Path) -> None:
    _demo(db_path)
    stray = run_json(db_path, "unmatched")
    assert [(row["from_addr"], row["kind"]) for row in stray] == [(STRANGER, "reply")]
    assert stray[0]["created_at"] == "2026-11-23T07:00:00+00:00"  # three hours before the pinned now
    bounced = run_json(db_path, "bounces")
    assert [row["state"] for row in bounced] == ["bounced"], bounced
    handle, email = bounced[0]["handle"], bounced[0]["email"]
    assert email == f"{handle}@mail.example" and bounced[0]["bounce_reason"].startswith("5.1.1 ")
    report = run(db_path, "bounces", "show", handle)
    assert report.exit_code == 0 and "User unknown" in report.stdout, report.output
    # The invitation the report quotes is marked, as a synced report marks it.
    history = run_json(db_path, "history", handle)
    flagged = [entry for entry in history if "bounced" in (entry.get("flags") or [])]
    assert len(flagged) == 1 and flagged[0]["kind"] == "invitation", history
    # Nothing of tomorrow's plan waits to go to the address that bounced.
    assert not [entry for entry in history if entry["status"] in ("planned", "queued")], history


def test_the_demo_bounces_the_same_person_every_time(tmp_path: Path) -> None:
    first, second = tmp_path / "one.db", tmp_path / "two.db"
    _demo(first)
    _demo(second)
    assert run_json(first, "bounces") == run_json(second, "bounces")
    assert run_json(first, "unmatched") == run_json(second, "unmatched")


async def test_the_demo_inbox_shows_its_stray_mail_and_its_bounce(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen))
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await until(pilot, lambda: bool(inbox.conversations.rows))
        for key, title, shown in (("u", "Mail that matched nobody", STRANGER),
                                  ("exclamation_mark", "Bounce inspector", "@mail.example")):
            await pilot.press(key)
            await until(pilot, lambda: isinstance(app.screen, PickModal))
            modal = app.screen
            assert isinstance(modal, PickModal) and modal.title_text == title
            assert len(modal.items) == 1 and shown in modal.items[0][0], modal.items
            detail = modal.query_one("#pick-detail-text", Static)
            await until(pilot, lambda detail=detail: bool(str(detail.content).strip()))
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is inbox)
        assert "User unknown" in modal.items[0][2]
