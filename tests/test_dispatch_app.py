"""The app's side of dispatch: the Outbox mode (R retries, x cancels) and the dispatcher worker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from mailer.dispatch.progress import DispatchProgress
from tests.dispatch_helpers import add_campaign, queue, row, statuses
from tests.pilot_helpers import settled, until_pausing
from tui.app import make_app
from tui.dispatch_worker import status_line
from tui.screens.outbox import OutboxScreen
from tui.widgets.confirm import ConfirmScreen

ROOT = Path(__file__).parent.parent


def _outbox_fixture(store) -> list[int]:
    cid = add_campaign(store)
    ids = queue(store, 3, campaign_id=cid)
    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'failed', attempts = 1, "
                        "last_smtp_response = '554 5.7.1 Rejected as spam' WHERE id = ?", [ids[0]])
        db.conn.execute("UPDATE messages SET status = 'deferred', attempts = 1, next_attempt_at = "
                        "'2026-11-23T10:05:00+00:00', last_smtp_response = '451 4.3.0 Later' WHERE id = ?",
                        [ids[1]])
    return ids



async def test_outbox_lists_and_r_retries_x_cancels(store) -> None:
    ids = _outbox_fixture(store)
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4")
        assert isinstance(app.screen, OutboxScreen)
        await settled(app)
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        shown = [table.get_row_at(index) for index in range(table.row_count)]
        # Failed first, then by when each falls due. The queued one is an invitation nobody has approved,
        # still in Moderation's queue: the Outbox says so.
        assert [(r[0], str(r[1])) for r in shown] == [(ids[0], "failed"), (ids[2], "to review"),
                                                      (ids[1], "deferred")]
        assert str(shown[0][5]) == "554 5.7.1 Rejected as spam"
        summary = str(app.screen.query_one(".summary", Static).render())
        assert summary == "waiting: 1 failed · 1 deferred · 1 queued (1 to review) · f: other mail"
        await pilot.press("R")
        await until_pausing(pilot, lambda: row(store, ids[0])["status"] == "queued")
        await settled(app)
        await pilot.pause()
        table.move_cursor(row=[r[0] for r in (table.get_row_at(i) for i in range(table.row_count))]
                          .index(ids[1]))
        await pilot.press("x")
        await until_pausing(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until_pausing(pilot, lambda: row(store, ids[1])["status"] == "skipped")
        assert "cancelled" in row(store, ids[1])["flags"]


async def test_outbox_is_in_the_palette_and_help(store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 36)):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Go to Outbox" in titles
        assert ("4", "Outbox", "everywhere") in app.binding_rows(app.screen)


async def test_the_apps_worker_sends_and_shows_one_status_line(store, tmp_path, monkeypatch) -> None:
    log = tmp_path / "sink.log"
    sink = subprocess.Popen([sys.executable, "-m", "tests.sink_process", str(log)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        port = int(sink.stdout.readline())
        monkeypatch.setenv("CALLSHEET_SMTP_URL", f"smtp://127.0.0.1:{port}?tls=none")
        cid = add_campaign(store)
        queue(store, 20, campaign_id=cid)
        app = make_app(store)
        lines: list[str] = []
        async with app.run_test(size=(120, 36)) as pilot:
            await until_pausing(pilot, lambda: statuses(store) == {"sent": 20})
            await until_pausing(pilot, lambda: "20 sent this session" in app.sub_title)
            lines.append(app.sub_title)
        assert lines == [f"{app.workspace_line()} · 20 sent this session"]
        assert log.read_text().count("\n") == 20
    finally:
        sink.stdin.close()
        sink.wait(timeout=10)


async def test_a_bad_config_is_one_notification_and_no_worker(store) -> None:
    from tests.dispatch_helpers import write_config

    write_config('[smtp]\nurl = "smtp://team@mail.example.com"\npassword = "x"\n', 0o644)
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settled(app)
        await pilot.pause()
        assert [n.message for n in app._notifications] == [
            f"Mail is not being sent: The config file {_config_file()} holds a password but others can "
            f"read it (mode 0644); run chmod 600 {_config_file()}."]


def _config_file() -> Path:
    from mailer.config import config_path

    return config_path()


async def test_a_viewers_app_sends_nothing_and_says_so(store, db_path, tmp_path, monkeypatch) -> None:
    from store.db import Store

    log = tmp_path / "sink.log"
    sink = subprocess.Popen([sys.executable, "-m", "tests.sink_process", str(log)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    viewer = Store(db_path, store.clock, actor="visitor")
    try:
        port = int(sink.stdout.readline())
        monkeypatch.setenv("CALLSHEET_SMTP_URL", f"smtp://127.0.0.1:{port}?tls=none")
        queue(store, 3, campaign_id=add_campaign(store))
        app = make_app(viewer)
        async with app.run_test(size=(120, 36)) as pilot:
            await until_pausing(pilot, lambda: "mail is not sent from this login" in app.sub_title)
            await app.workers.wait_for_complete()
            assert app.sub_title == f"{app.workspace_line()} · mail is not sent from this login"
        assert statuses(store) == {"queued": 3}
        assert log.read_text() == ""
    finally:
        viewer.close()
        sink.stdin.close()
        sink.wait(timeout=10)


@pytest.mark.parametrize(("progress", "line"), [
    (DispatchProgress(total=5, sent=5, deferred=0, failed=0, skipped=0, state="idle"), "5 sent this session"),
    (DispatchProgress(total=1, sent=1, deferred=0, failed=0, skipped=0, state="done"), "1 sent this session"),
    (DispatchProgress(total=9, sent=1200, deferred=2, failed=1, skipped=0, state="idle"),
     "1,200 sent this session · 2 deferred · 1 failed"),
    (DispatchProgress(total=2, sent=0, deferred=0, failed=0, skipped=2, state="idle"),
     "nothing sent this session · 2 skipped"),
    (DispatchProgress(total=0, sent=0, deferred=0, failed=0, skipped=0, state="idle"), None),
    (DispatchProgress(total=20, sent=3, deferred=0, failed=0, skipped=0), "sending 3/20"),
])
def test_the_header_says_what_a_session_sent_in_words(progress, line) -> None:
    assert status_line(progress) == line
