"""`callsheet dispatch` and `callsheet outbox`: the command-line contract of SPEC §8."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import assert_user_error, run, run_json
from tests.dispatch_helpers import ThreadedSink, add_campaign, queue, row, statuses


@pytest.fixture
def sink(monkeypatch):
    with ThreadedSink() as running:
        monkeypatch.setenv("CALLSHEET_SMTP_URL", f"smtp://127.0.0.1:{running.port}?tls=none")
        yield running


def test_dispatch_json_counts_and_exit_codes(store, db_path, sink) -> None:
    cid = add_campaign(store)
    ids = queue(store, 6, campaign_id=cid)
    sink.on_rcpt = lambda address: {"user1@example.test": "450 4.2.1 Busy",
                                    "user2@example.test": "550 5.1.1 No such user"}.get(address)
    result = run(db_path, "dispatch", "--json")
    assert result.exit_code == 1, "a failed message makes the exit code 1"
    assert json.loads(result.stdout) | {"halted": None} == {
        "sent": 4, "deferred": 1, "failed": 1, "skipped": 0, "halted": None, "paused": []}
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert row(store, ids[2])["last_smtp_response"] == "550 5.1.1 No such user"
    sink.on_rcpt = lambda address: "451 4.3.0 Later"
    queue(store, 2, campaign_id=cid, prefix="late")
    assert run_json(db_path, "dispatch", "--until-empty") == {
        "sent": 0, "deferred": 2, "failed": 0, "skipped": 0, "halted": None, "paused": []}


def test_dispatch_plain_output(store, db_path, sink) -> None:
    queue(store, 3)
    result = run(db_path, "dispatch")
    assert result.exit_code == 0
    assert result.stdout == "Sent 3, deferred 0, failed 0, skipped 0.\n"


def test_nothing_due_needs_no_server(store, db_path) -> None:
    result = run(db_path, "dispatch", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["sent"] == 0


def test_mail_due_without_a_server_is_one_sentence(store, db_path) -> None:
    queue(store, 1)
    assert_user_error(run(db_path, "dispatch"), "No SMTP server is configured")
    assert statuses(store) == {"queued": 1}


def test_a_viewer_may_not_dispatch(store, db_path, sink, monkeypatch) -> None:
    queue(store, 1)
    monkeypatch.setenv("CALLSHEET_USER", "visitor")
    assert_user_error(run(db_path, "dispatch"), "visitor is a viewer and may not dispatch email")
    assert sink.received == []


def test_outbox_lists_what_waits_and_failed_with_the_reply(store, db_path, sink) -> None:
    cid = add_campaign(store)
    ids = queue(store, 3, campaign_id=cid)
    sink.on_rcpt = lambda address: {"user0@example.test": "450 4.2.1 Busy",
                                    "user1@example.test": "550 5.1.1 No such user"}.get(address)
    run(db_path, "dispatch")
    listed = run_json(db_path, "outbox")
    assert [(item["id"], item["status"], item["last_smtp_response"]) for item in listed] == [
        (ids[1], "failed", "550 5.1.1 No such user"), (ids[0], "deferred", "450 4.2.1 Busy")]
    assert listed[0]["campaign"] == "Spring" and listed[0]["handle"] == "user1"
    assert [item["id"] for item in run_json(db_path, "outbox", "--status", "sent")] == [ids[2]]
    table = run(db_path, "outbox").stdout
    assert "550 5.1.1 No such user" in table and table.startswith("ID")


def test_retry_and_cancel(store, db_path, sink) -> None:
    ids = queue(store, 4)
    sink.on_rcpt = lambda address: {"user0@example.test": "554 5.7.1 Rejected",
                                    "user3@example.test": "550 5.1.1 No such user"}.get(address)
    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'planned' WHERE id = ?", [ids[2]])
    run(db_path, "dispatch")
    assert run(db_path, "outbox", "cancel", str(ids[2])).stdout == (
        f"Message #{ids[2]} is cancelled and will not be sent.\n")
    assert "cancelled" in row(store, ids[2])["flags"]
    assert_user_error(run(db_path, "outbox", "retry", str(ids[1])), "is sent; only failed or deferred")
    assert_user_error(run(db_path, "outbox", "cancel", str(ids[1])), "is sent; only planned")
    assert_user_error(run(db_path, "outbox", "retry", "999"), "There is no outgoing message #999")
    assert_user_error(run(db_path, "outbox", "retry", str(ids[3])), "the influencer has a bounced address")
    sink.on_rcpt = None
    assert run(db_path, "outbox", "retry", str(ids[0])).exit_code == 0
    assert run_json(db_path, "dispatch")["sent"] == 1
    assert statuses(store) == {"sent": 2, "skipped": 1, "failed": 1}
    actions = [item["action"] for item in store.reader().query("SELECT action FROM audit_events")]
    assert "message.cancel" in actions and "message.retry" in actions


def test_without_until_empty_only_what_was_due_at_the_start(store, db_path, sink) -> None:
    queue(store, 5)
    result = run_json(db_path, "dispatch")
    assert result["sent"] == 5
    bogus = run(db_path, "outbox", "--status", "bogus")
    assert bogus.exit_code == 2 and "Invalid value for '--status'" in bogus.stderr


def test_a_breaker_paused_campaign_sends_again_after_campaign_resume(store, db_path, sink) -> None:
    cid = add_campaign(store)
    ids = queue(store, 14, campaign_id=cid)
    sink.on_mail = lambda address: "550 5.7.1 Sender not allowed"  # the relay refuses us for a while
    run(db_path, "dispatch")
    assert "after 10 failed messages in a row" in run(db_path, "campaign", "list").stdout
    sink.on_mail = None
    failed = [i for i in ids if row(store, i)["status"] == "failed"]
    retried = run(db_path, "outbox", "retry", str(failed[0]))
    assert retried.stdout == (f"Message #{failed[0]} is queued; it waits while Spring is paused "
                              "(`callsheet campaign resume Spring` sends it).\n")
    assert run_json(db_path, "dispatch")["sent"] == 0
    held = 14 - len(failed) + 1
    resumed = run(db_path, "campaign", "resume", "Spring").stdout
    assert f"{held} messages due while it was paused spread over its window" in resumed
    # The backlog continues at the campaign's pace: the first now, the others through the window.
    assert run_json(db_path, "dispatch")["sent"] == 1
    assert statuses(store) == {"sent": 1, "failed": len(failed) - 1, "queued": held - 1}
    later = sorted(r[0] for r in store.reader().execute(
        "SELECT scheduled_at FROM messages WHERE status = 'queued'"))
    assert later[0] > "2026-11-23T10:00:00+00:00" and later[-1] < "2026-11-23T18:00:00+00:00"
