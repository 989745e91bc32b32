"""R7 and friends: leases, fencing tokens, clock jumps, dead owners, two dispatchers on one file."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from mailer.dispatch.dispatcher import Dispatcher
from store.clock import Clock, iso
from store.db import Store
from store.outbox.claims import claim_batch, new_owner, owner_is_dead, renew_leases
from store.outbox.results import Completion, complete
from tests.conftest import NOW
from tests.dispatch_helpers import (
    add_campaign,
    free_port,
    make_config,
    queue,
    row,
    start_sink,
    statuses,
)

LEASE = 60


def _claim(store: Store, owner: str, limit: int = 10):
    with store.write() as db:
        return claim_batch(db, owner=owner, now=store.clock.now(), lease=timedelta(seconds=LEASE),
                           limit=limit)


async def test_a_late_completion_cannot_overwrite_the_new_owner(store, db_path) -> None:
    """A stalls mid-DATA past its lease; B (clock +2L) takes the row over; A's 250 is fenced off."""
    sink = await start_sink()
    first_data = asyncio.Event()
    calls = []

    async def stall_first(envelope, server) -> None:
        calls.append(1)
        if len(calls) == 1:
            first_data.set()
            await asyncio.sleep(1.0)

    sink.on_data = stall_first
    cid = add_campaign(store)
    [message_id] = queue(store, 1, campaign_id=cid)
    config = make_config(sink.port, smtp_timeout=5.0, lease_seconds=LEASE)
    a = Dispatcher(store, config, owner="callsheet-test:A")
    a_run = asyncio.create_task(a.run_until_empty())
    await first_data.wait()
    assert row(store, message_id)["lease_owner"] == "callsheet-test:A"

    later = Store(db_path, Clock.fixed(store.clock.now() + timedelta(seconds=2 * LEASE)), actor="tester")
    b_report = await Dispatcher(later, config, owner="callsheet-test:B").run_until_empty()
    a_report = await a_run
    done = row(store, message_id)
    assert b_report.sent == 1
    assert (a_report.sent, a_report.fenced) == (0, 1)
    assert done["status"] == "sent" and done["lease_token"] is None
    assert done["sent_at"] == iso(later.clock.now())
    assert done["attempts"] == 2
    # One stolen lease, at most one duplicate, both with the same Message-ID.
    assert Counter(sink.message_ids()) == {done["message_id"]: 2}
    later.close()


def test_completion_needs_the_current_token(store) -> None:
    add_campaign(store)
    queue(store, 1)
    [claimed] = _claim(store, "callsheet-test:A").rows
    with store.write() as db:
        fenced = complete(db, [Completion(claimed["id"], "not-the-token", "sent", "250 ok")],
                          now=store.now_iso(), actor="tester")
    assert fenced == [claimed["id"]]
    assert row(store, claimed["id"])["status"] == "sending"


async def test_a_live_owner_keeps_its_lease_until_it_expires(store, clock) -> None:
    sink = await start_sink()
    add_campaign(store)
    queue(store, 3)
    _claim(store, new_owner())  # this very process: alive
    config = make_config(sink.port, lease_seconds=LEASE)
    report = await Dispatcher(store, config).run_until_empty()
    assert report.sent == 0 and statuses(store) == {"sending": 3}
    clock.advance(timedelta(seconds=LEASE))
    report = await Dispatcher(store, config).run_until_empty()
    assert report.sent == 3 and statuses(store) == {"sent": 3}


def test_renewal_extends_only_the_owners_leases(store) -> None:
    queue(store, 4)
    _claim(store, "callsheet-test:A", limit=2)
    _claim(store, "callsheet-test:B", limit=2)
    later = iso(store.clock.now() + timedelta(hours=1))
    with store.write() as db:
        assert renew_leases(db, owner="callsheet-test:A", expires=later) == 2
    leases = dict(store.reader().execute(
        "SELECT lease_owner, max(lease_expires_at) FROM messages GROUP BY lease_owner").fetchall())
    assert leases["callsheet-test:A"] == later
    assert leases["callsheet-test:B"] < later


CLAIM_AND_HANG = """
import sys, time
from datetime import timedelta
from store.db import Store
from store.outbox.claims import claim_batch, new_owner
store = Store(sys.argv[1])
with store.write() as db:
    claim = claim_batch(db, owner=new_owner(), now=store.clock.now(), lease=timedelta(hours=1), limit=5)
print(len(claim.rows), flush=True)
time.sleep(60)
"""


async def test_a_dead_owner_is_reclaimed_at_once_even_with_the_clock_moved_back(store, db_path) -> None:
    sink = await start_sink()
    add_campaign(store)
    queue(store, 8)
    hung = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, str(db_path)], stdout=subprocess.PIPE,
                            text=True, cwd=Path(__file__).parent.parent, env=os.environ.copy())
    assert hung.stdout.readline().strip() == "5"
    hung.send_signal(signal.SIGKILL)
    hung.wait()
    assert statuses(store) == {"sending": 5, "queued": 3}
    # The lease runs for another hour and the clock went back an hour: the PID decides.
    earlier = Store(db_path, Clock.fixed(store.clock.now() - timedelta(hours=1)), actor="tester")
    with earlier.write() as db:
        db.conn.execute("UPDATE messages SET next_attempt_at = ? WHERE status = 'queued'",
                        [earlier.now_iso()])
    report = await Dispatcher(earlier, make_config(sink.port)).run_until_empty()
    assert report.sent == 8 and statuses(store) == {"sent": 8}
    reclaims = [event for event in store.reader().query(
        "SELECT detail FROM audit_events WHERE action = 'outbox.reclaim'")]
    assert [json.loads(event["detail"])["why"] for event in reclaims] == ["dead"]
    earlier.close()


def test_owner_liveness() -> None:
    mine = new_owner()
    assert not owner_is_dead(mine)
    host_pid_start = mine.rsplit(":", 1)[0]
    prefix, host, pid, start = host_pid_start.split(":")
    assert owner_is_dead(f"{prefix}:{host}:{pid}:{int(start) + 1}:x")  # a reused PID
    assert not owner_is_dead(f"{prefix}:another-host:{pid}:{start}:x")  # not ours to judge
    assert not owner_is_dead("callsheet-test:A")


async def test_two_dispatchers_on_one_file_send_each_message_once(store, db_path) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    queue(store, 300, campaign_id=cid)
    second = Store(db_path, store.clock, actor="tester")
    config = make_config(sink.port, batch_size=8)
    reports = await asyncio.gather(Dispatcher(store, config).run_until_empty(),
                                   Dispatcher(second, config).run_until_empty())
    assert sum(report.sent for report in reports) == 300
    assert all(report.sent > 0 for report in reports)
    assert statuses(store) == {"sent": 300}
    assert len(sink.message_ids()) == len(set(sink.message_ids())) == 300
    second.close()


async def test_two_dispatch_processes_at_once(store, db_path) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    queue(store, 300, campaign_id=cid)
    env = {**os.environ, "CALLSHEET_DB": str(db_path), "CALLSHEET_NOW": NOW,
           "CALLSHEET_SMTP_URL": f"smtp://127.0.0.1:{sink.port}?tls=none"}
    processes = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui.cli", "dispatch", "--until-empty", "--json", env=env,
        stdout=asyncio.subprocess.PIPE, cwd=Path(__file__).parent.parent) for _ in range(2)]
    outputs = [json.loads((await process.communicate())[0]) for process in processes]
    assert [process.returncode for process in processes] == [0, 0]
    assert sum(output["sent"] for output in outputs) == 300
    assert len(sink.message_ids()) == len(set(sink.message_ids())) == 300
    assert statuses(store) == {"sent": 300}


async def test_smtp_down_for_a_while_then_up_loses_nothing(store, clock) -> None:
    port = free_port()
    cid = add_campaign(store)
    queue(store, 50, campaign_id=cid)
    config = make_config(port)
    report = await Dispatcher(store, config).run_until_empty()
    assert report.deferred == 50 and statuses(store) == {"deferred": 50}
    clock.advance(timedelta(minutes=2))
    report = await Dispatcher(store, config).run_until_empty()
    assert report.sent == 0, "nothing is due before the backoff ends"
    sink = await start_sink(port=port)
    clock.advance(timedelta(minutes=10))
    report = await Dispatcher(store, config).run_until_empty()
    assert report.sent == 50 and statuses(store) == {"sent": 50}
    assert len(set(sink.message_ids())) == 50
