"""The Outbox's history and its message viewer: sent mail listed newest first, one message shown
with the headers it really left with (checked against what a real SMTP server received)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from store.outbox.admin import outbox_counts, outbox_rows
from tests.cli_helpers import assert_user_error, run, run_json
from tests.dispatch_helpers import ThreadedSink, add_campaign, queue, row
from tests.pilot_helpers import settled, until
from tui.app import make_app
from tui.screens.message_view import MessageScreen
from tui.screens.outbox import OutboxScreen
from tui.widgets.confirm import ConfirmScreen


@pytest.fixture
def sink(monkeypatch):
    with ThreadedSink() as running:
        monkeypatch.setenv("CALLSHEET_SMTP_URL", f"smtp://127.0.0.1:{running.port}?tls=none")
        yield running


def _sent_and_waiting(store, db_path) -> tuple[list[int], list[int]]:
    """Three invitations sent through the real sink, then two more left queued."""
    cid = add_campaign(store)
    sent = queue(store, 3, campaign_id=cid)
    assert run_json(db_path, "dispatch")["sent"] == 3
    waiting = queue(store, 2, campaign_id=cid, prefix="later")
    return sent, waiting


def test_history_is_listed_newest_first_and_counted(store, db_path, sink) -> None:
    sent, waiting = _sent_and_waiting(store, db_path)
    reader = store.reader()
    assert [r.id for r in outbox_rows(reader, ("sent",), 10, newest_first=True)] == sent[::-1]
    assert [r.id for r in outbox_rows(reader, ("sent", "queued"), 2, 1, newest_first=True)] == [
        waiting[0], sent[2]]
    assert outbox_counts(reader, ("sent", "skipped")) == {"sent": 3, "skipped": 0}
    assert outbox_counts(reader)["queued"] == 2, "the default counts stay the unfinished ones"


def test_outbox_show_gives_the_headers_the_server_received(store, db_path, sink) -> None:
    sent, _ = _sent_and_waiting(store, db_path)
    first = row(store, sent[0])
    [received] = [r for r in sink.received if r.message_id == first["message_id"]]
    shown = run_json(db_path, "outbox", "show", str(sent[0]), "--json")
    headers = dict(shown["headers"])
    for name in ("From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe"):
        assert headers[name] == str(received.message[name]), name
    assert shown["status"] == "sent" and shown["direction"] == "out"
    assert shown["text"] == first["body"]
    short = run(db_path, "outbox", "show", str(sent[0]))
    assert short.exit_code == 0
    assert short.stdout.splitlines()[:4] == [f"From: {received.message['From']}",
                                             f"To: {received.message['To']}",
                                             f"Date: {received.message['Date']}",
                                             f"Subject: {received.message['Subject']}"]
    assert "Message-ID" not in short.stdout and "Hello Person 0," in short.stdout
    assert "Message-ID: " in run(db_path, "outbox", "show", str(sent[0]), "--all-headers").stdout
    assert_user_error(run(db_path, "outbox", "show", "999999"), "There is no message #999999.")


def test_hostile_text_in_a_shown_message_reaches_the_terminal_escaped(store, db_path) -> None:
    [message] = queue(store, 1)
    with store.write() as db:
        db.conn.execute("UPDATE messages SET body = ? WHERE id = ?",
                        ["Hi\x1b]0;owned\x07 there\n\x1b[2J", message])
    result = run(db_path, "outbox", "show", str(message))
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\\x1b]0;owned\\x07" in result.stdout


@pytest.fixture
def history(store, db_path, sink, monkeypatch) -> tuple[list[int], list[int]]:
    made = _sent_and_waiting(store, db_path)  # before the app's event loop: the CLI runs its own
    # Without a server the app starts no dispatcher, so the two waiting messages stay waiting.
    monkeypatch.delenv("CALLSHEET_SMTP_URL")
    return made


async def test_f_lists_the_sent_mail_and_enter_opens_one_with_its_headers(store, history) -> None:
    sent, waiting = history
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4")
        await until(pilot, lambda: isinstance(app.screen, OutboxScreen)
                    and app.screen.query_one(DataTable).row_count == 2)
        screen = app.screen
        summary = screen.query_one(".summary", Static)
        assert str(summary.render()).startswith("waiting: 2 queued (2 to review) · f: other mail")
        await pilot.press("f", "f")
        table = screen.query_one(DataTable)
        await until(pilot, lambda: str(summary.render()).startswith("sent: 3 sent"))
        shown = [table.get_row_at(index) for index in range(table.row_count)]
        assert [r[0] for r in shown] == sent[::-1], "newest first"
        assert {str(r[1]) for r in shown} == {"sent"} and all(str(r[5]).startswith("250") for r in shown)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MessageScreen))
        viewer = app.screen
        headers = viewer.query_one("#message-headers", Static)
        text = str(headers.render())
        assert text.splitlines()[0].startswith("From: ") and "Message-ID" not in text
        assert "Subject: Casting call 2" in text, "the selected (newest) message"
        await pilot.press("h")
        assert "Message-ID: <" in str(headers.render()) and "List-Unsubscribe" in str(headers.render())
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert len(waiting) == 2


async def test_x_asks_first_and_no_keeps_the_message(store, db_path) -> None:
    ids = queue(store, 2)
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4")
        await until(pilot, lambda: isinstance(app.screen, OutboxScreen)
                    and app.screen.query_one(DataTable).row_count == 2)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(".question", Static).render())
        assert question.startswith(f"Cancel message #{ids[0]} (queued) to user0@example.test?")
        await pilot.press("n")
        await settled(app)
        assert row(store, ids[0])["status"] == "queued"
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: row(store, ids[0])["status"] == "skipped")
        assert row(store, ids[1])["status"] == "queued"
