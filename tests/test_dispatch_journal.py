"""The sent journal: a send recorded in `outbox_sent` is as final as one folded into `messages`."""

from __future__ import annotations

import json
import socket
import subprocess
from datetime import timedelta

from mailer.dispatcher import Dispatcher
from store.clock import iso
from store.outbox_claims import claim_batch
from store.outbox_results import Completion, complete, fold_sent
from tests.dispatch_helpers import add_campaign, make_config, queue, row, start_sink, statuses

LEASE = 60


def _claim_and_journal(store, owner: str, claimed: int, sent: int) -> list[dict]:
    with store.write() as db:
        rows = claim_batch(db, owner=owner, now=store.clock.now(), lease=timedelta(seconds=LEASE),
                           limit=claimed).rows
    with store.write() as db:
        assert complete(db, [Completion(item["id"], item["lease_token"], "sent", "250 2.0.0 Ok: queued")
                             for item in rows[:sent]], now=store.now_iso(), actor="tester") == []
    return rows


def _journaled(store) -> int:
    return store.reader().execute("SELECT count(*) FROM outbox_sent").fetchone()[0]


def _dead_owner() -> str:
    """The owner name of a process of this host that has exited."""
    probe = subprocess.Popen(["true"])
    probe.wait()
    return f"callsheet:{socket.gethostname()}:{probe.pid}:1:deadbeef"


async def test_a_journaled_send_is_not_sent_again_when_its_lease_expires(store, clock) -> None:
    sink = await start_sink()
    add_campaign(store)
    queue(store, 3)
    journaled_at = store.now_iso()
    rows = _claim_and_journal(store, "callsheet-test:A", claimed=3, sent=2)
    assert statuses(store) == {"sending": 3} and _journaled(store) == 2
    clock.advance(timedelta(seconds=2 * LEASE))
    report = await Dispatcher(store, make_config(sink.port, lease_seconds=LEASE)).run_until_empty()
    assert report.sent == 1 and len(sink.received) == 1
    assert statuses(store) == {"sent": 3} and _journaled(store) == 0
    for item in rows[:2]:
        done = row(store, item["id"])
        assert (done["sent_at"], done["last_smtp_response"], done["attempts"]) == (
            journaled_at, "250 2.0.0 Ok: queued", 1)
        assert done["lease_token"] is None
    assert row(store, rows[2]["id"])["attempts"] == 2


async def test_a_dead_dispatchers_journal_is_kept_and_only_the_rest_reclaimed(store) -> None:
    sink = await start_sink()
    add_campaign(store)
    queue(store, 5)
    rows = _claim_and_journal(store, _dead_owner(), claimed=5, sent=3)
    report = await Dispatcher(store, make_config(sink.port)).run_until_empty()
    assert report.sent == 2 and statuses(store) == {"sent": 5}
    [reclaim] = [json.loads(detail) for (detail,) in store.reader().execute(
        "SELECT detail FROM audit_events WHERE action = 'outbox.reclaim'")]
    assert reclaim["why"] == "dead" and reclaim["ids"] == sorted(item["id"] for item in rows[3:])
    assert sorted(received.rcpt_tos[0] for received in sink.received) == sorted(
        item["to_addr"] for item in rows[3:])


def test_folding_drops_what_no_longer_holds_its_lease(store) -> None:
    add_campaign(store)
    queue(store, 2)
    rows = _claim_and_journal(store, "callsheet-test:A", claimed=2, sent=2)
    with store.write() as db:
        db.conn.execute("DELETE FROM messages WHERE id = ?", [rows[0]["id"]])
        assert fold_sent(db) == 1
        assert fold_sent(db) == 0
    assert _journaled(store) == 0 and row(store, rows[1]["id"])["status"] == "sent"


async def test_a_run_ends_with_everything_folded(store) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    ids = queue(store, 60, campaign_id=cid)
    report = await Dispatcher(store, make_config(sink.port, smtp_connections=4)).run_until_empty()
    assert report.sent == 60 and statuses(store) == {"sent": 60} and _journaled(store) == 0
    for message in (row(store, message_id) for message_id in ids):
        assert message["sent_at"] == iso(store.clock.now())
        assert message["last_smtp_response"] == "250 2.0.0 Accepted"
