"""The sent log: a send appended to its dispatcher's log is as final as one folded into `messages`."""

from __future__ import annotations

import json
import socket
import subprocess
from datetime import timedelta

import pytest

from mailer.dispatch.dispatcher import Dispatcher
from store.clock import iso
from store.db import Store
from store.outbox import sent_log
from store.outbox.claims import claim_batch
from store.outbox.sent_log import SentLog, fold_owners, folder_of, log_path
from tests.dispatch_helpers import add_campaign, make_config, queue, row, start_sink, statuses

LEASE = 60


def _claim_and_log(store, owner: str, claimed: int, sent: int) -> list[dict]:
    """Lease `claimed` rows for `owner` and log the first `sent` of them as sent (as a worker does)."""
    with store.write() as db:
        rows = claim_batch(db, owner=owner, now=store.clock.now(), lease=timedelta(seconds=LEASE),
                           limit=claimed).rows
    log = SentLog.open(store.reader(), owner)
    log.append((item["id"], item["lease_token"], store.now_iso(), "250 2.0.0 Ok: queued")
               for item in rows[:sent])
    log.close(remove=False)
    return rows


def _dead_owner() -> str:
    """The owner name of a process of this host that has exited."""
    probe = subprocess.Popen(["true"])
    probe.wait()
    return f"callsheet:{socket.gethostname()}:{probe.pid}:1:deadbeef"


def _logs(store) -> list[str]:
    folder = folder_of(store.path)
    return sorted(path.name for path in folder.glob("*.log")) if folder.is_dir() else []


async def test_a_logged_send_is_not_sent_again_when_its_lease_expires(store, clock) -> None:
    sink = await start_sink()
    add_campaign(store)
    queue(store, 3)
    logged_at = store.now_iso()
    rows = _claim_and_log(store, "callsheet-test:A", claimed=3, sent=2)
    assert statuses(store) == {"sending": 3}
    clock.advance(timedelta(seconds=2 * LEASE))
    report = await Dispatcher(store, make_config(sink.port, lease_seconds=LEASE)).run_until_empty()
    assert report.sent == 1 and len(sink.received) == 1
    assert statuses(store) == {"sent": 3}
    for item in rows[:2]:
        done = row(store, item["id"])
        assert (done["sent_at"], done["last_smtp_response"], done["attempts"]) == (
            logged_at, "250 2.0.0 Ok: queued", 1)
        assert done["lease_token"] is None
    assert row(store, rows[2]["id"])["attempts"] == 2


async def test_a_dead_dispatchers_log_is_folded_only_the_rest_reclaimed_and_the_log_removed(store) -> None:
    sink = await start_sink()
    add_campaign(store)
    queue(store, 5)
    dead = _dead_owner()
    rows = _claim_and_log(store, dead, claimed=5, sent=3)
    assert log_path(store.path, dead).exists()
    report = await Dispatcher(store, make_config(sink.port)).run_until_empty()
    assert report.sent == 2 and statuses(store) == {"sent": 5}
    [reclaim] = [json.loads(detail) for (detail,) in store.reader().execute(
        "SELECT detail FROM audit_events WHERE action = 'outbox.reclaim'")]
    assert reclaim["why"] == "dead" and reclaim["ids"] == sorted(item["id"] for item in rows[3:])
    assert sorted(received.rcpt_tos[0] for received in sink.received) == sorted(
        item["to_addr"] for item in rows[3:])
    assert _logs(store) == []


def test_folding_skips_what_no_longer_holds_its_lease_and_is_idempotent(store) -> None:
    add_campaign(store)
    queue(store, 3)
    rows = _claim_and_log(store, "callsheet-test:A", claimed=3, sent=3)
    with store.write() as db:
        db.conn.execute("DELETE FROM messages WHERE id = ?", [rows[0]["id"]])
        db.conn.execute("UPDATE messages SET lease_token = 'taken-over' WHERE id = ?", [rows[1]["id"]])
        assert fold_owners(db, ["callsheet-test:A", None]) == 1
        assert fold_owners(db, ["callsheet-test:A"]) == 0
    assert row(store, rows[1]["id"])["status"] == "sending"
    assert row(store, rows[2]["id"])["status"] == "sent"


def test_a_torn_last_line_is_skipped_and_a_broken_log_takes_nothing_more(store) -> None:
    add_campaign(store)
    queue(store, 2)
    rows = _claim_and_log(store, "callsheet-test:A", claimed=2, sent=1)
    with log_path(store.path, "callsheet-test:A").open("ab") as log:
        log.write(f"{rows[1]['id']}\t{rows[1]['lease_token']}\tx".encode())
    with store.write() as db:
        assert fold_owners(db, ["callsheet-test:A"]) == 1
    assert row(store, rows[1]["id"])["status"] == "sending"
    log = SentLog.open(store.reader(), "callsheet-test:B")
    log.close(remove=False)
    with pytest.raises(OSError):
        log.append([(rows[1]["id"], rows[1]["lease_token"], "x", "250")])
    with pytest.raises(OSError):
        log.append([])


def test_a_log_folded_to_its_end_is_emptied_and_keeps_taking_lines(store, monkeypatch) -> None:
    monkeypatch.setattr(sent_log, "TRUNCATE_BYTES", 10)
    add_campaign(store)
    queue(store, 4)
    with store.write() as db:
        rows = claim_batch(db, owner="callsheet-test:A", now=store.clock.now(),
                           lease=timedelta(seconds=LEASE), limit=4).rows
    log = SentLog.open(store.reader(), "callsheet-test:A")
    for item in rows[:2], rows[2:]:
        log.append((entry["id"], entry["lease_token"], store.now_iso(), "250 ok") for entry in item)
        with store.write() as db:
            folded, end = log.fold(db)
        assert folded == 2 and end > 10
        log.committed(end)
        assert log.folded == 0 and log.path.stat().st_size == 0
    log.close(remove=True)
    assert statuses(store) == {"sent": 4} and not log.path.exists()


async def test_a_run_ends_with_everything_folded_and_its_log_removed(store) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    ids = queue(store, 60, campaign_id=cid)
    report = await Dispatcher(store, make_config(sink.port, smtp_connections=4)).run_until_empty()
    assert report.sent == 60 and statuses(store) == {"sent": 60}
    for message in (row(store, message_id) for message_id in ids):
        assert message["sent_at"] == iso(store.clock.now())
        assert message["last_smtp_response"] == "250 2.0.0 Accepted"
    assert _logs(store) == []


def test_an_older_database_folds_its_sent_table_when_upgraded(store, clock) -> None:
    """Before the logs, sends waited in an `outbox_sent` table; upgrading records them."""
    add_campaign(store)
    queue(store, 2)
    with store.write() as db:
        rows = claim_batch(db, owner="callsheet-test:A", now=clock.now(), lease=timedelta(seconds=LEASE),
                           limit=2).rows
        db.conn.execute("""CREATE TABLE outbox_sent (message_id INTEGER PRIMARY KEY, token TEXT NOT NULL,
                           response TEXT, sent_at TEXT NOT NULL)""")
        db.conn.execute("INSERT INTO outbox_sent VALUES (?, ?, '250 kept', 'then')",
                        [rows[0]["id"], rows[0]["lease_token"]])
        db.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'outbox_sent_log'")
    store.close()
    upgraded = Store(store.path, clock, actor="tester")
    try:
        done = row(upgraded, rows[0]["id"])
        assert (done["status"], done["last_smtp_response"], done["sent_at"]) == ("sent", "250 kept", "then")
        assert row(upgraded, rows[1]["id"])["status"] == "sending"
        assert upgraded.reader().execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_sent'").fetchone()[0] == 0
    finally:
        upgraded.close()


def test_a_reply_is_kept_on_one_line_whatever_it_holds(store) -> None:
    add_campaign(store)
    queue(store, 1)
    with store.write() as db:
        [leased] = claim_batch(db, owner="callsheet-test:A", now=store.clock.now(),
                               lease=timedelta(seconds=LEASE), limit=1).rows
    log = SentLog.open(store.reader(), "callsheet-test:A")
    log.append([(leased["id"], leased["lease_token"], store.now_iso(), "250 ok\tqueued\r\nas é1")])
    with store.write() as db:
        assert log.fold(db)[0] == 1
    log.close(remove=True)
    assert row(store, leased["id"])["last_smtp_response"] == "250 ok queued as é1"


async def test_a_log_that_cannot_be_kept_stops_sending_with_one_sentence(store) -> None:
    sink = await start_sink()
    add_campaign(store)
    queue(store, 3)
    folder_of(store.path).write_text("in the way")
    report = await Dispatcher(store, make_config(sink.port)).run_until_empty()
    assert report.halted.startswith("Cannot keep the record of sent mail in ")
    assert report.halted.endswith("; nothing was sent.") and "\n" not in report.halted
    assert report.sent == 0 and sink.received == [] and statuses(store) == {"queued": 3}
