"""R3, R4, R5: every SMTP fault ends in the right state, with the server's words and retry time."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from datetime import timedelta

import pytest

from mailer.dispatch.backoff import retry_delay
from mailer.dispatch.dispatcher import Dispatcher
from tests.dispatch_helpers import (
    Sink,
    add_campaign,
    free_port,
    make_config,
    queue,
    row,
    start_raw_server,
    start_sink,
    statuses,
)

NOW_PLUS_5_MIN = "2026-11-23T10:05:00+00:00"


@pytest.fixture(params=[True, False], ids=["pipelined", "lockstep"])
def config_for(request):
    """make_config with the client pipelining or not (the sink offers PIPELINING either way)."""
    return functools.partial(make_config, smtp_pipelining=request.param)


async def _drop_mid_data(envelope, server) -> str:
    server.transport.close()
    return "250 never seen"


# name, sink attribute, fault, status, exact reply, bounced, server-level
REPLY_FAULTS = [
    ("550 rcpt", "on_rcpt", "550 5.1.1 No such user", "failed", "550 5.1.1 No such user", True),
    ("553 rcpt, no enhanced code", "on_rcpt", "553 Mailbox name not allowed", "failed",
     "553 Mailbox name not allowed", True),
    ("550 5.7.1 rcpt policy", "on_rcpt", "550 5.7.1 Relaying denied", "failed",
     "550 5.7.1 Relaying denied", False),
    ("450 rcpt", "on_rcpt", "450 4.2.1 Mailbox busy", "deferred", "450 4.2.1 Mailbox busy", False),
    ("421 rcpt", "on_rcpt", "421 4.7.0 Try again later", "deferred", "421 4.7.0 Try again later", False),
    ("421 mail", "on_mail", "421 4.3.2 Shutting down", "deferred", "421 4.3.2 Shutting down", False),
    ("550 mail", "on_mail", "550 5.7.1 Sender rejected", "failed", "550 5.7.1 Sender rejected", False),
]

DATA_FAULTS = [
    ("451 data", "451 4.3.0 Try again later", "deferred", False),
    ("452 data", "452 4.3.1 Insufficient storage", "deferred", False),
    ("552 data", "552 5.3.4 Message too big", "failed", False),
    ("554 5.7.1 data", "554 5.7.1 Rejected as spam", "failed", False),
]


async def _one(store, config):
    cid = add_campaign(store)
    [message] = queue(store, 1, campaign_id=cid)
    report = await Dispatcher(store, config).run_until_empty()
    return report, row(store, message)


def _bounced(store) -> tuple[int, str | None]:
    return store.reader().execute("SELECT bounced, bounce_reason FROM influencers").fetchone()


@pytest.mark.parametrize(("name", "stage", "fault", "status", "reply", "bounced"), REPLY_FAULTS,
                         ids=[case[0] for case in REPLY_FAULTS])
async def test_envelope_replies(config_for, store, name, stage, fault, status, reply, bounced) -> None:
    sink = await start_sink()
    setattr(sink, stage, lambda address: fault)
    report, message = await _one(store, config_for(sink.port))
    assert message["status"] == status
    assert message["last_smtp_response"] == reply
    assert message["attempts"] == 1
    assert message["lease_token"] is None
    assert _bounced(store) == ((1, reply) if bounced else (0, None))
    assert (report.failed, report.deferred) == ((1, 0) if status == "failed" else (0, 1))
    if status == "deferred":
        assert message["next_attempt_at"] == NOW_PLUS_5_MIN
    assert sink.received == []


@pytest.mark.parametrize(("name", "fault", "status", "bounced"), DATA_FAULTS,
                         ids=[case[0] for case in DATA_FAULTS])
async def test_data_replies(config_for, store, name, fault, status, bounced) -> None:
    sink = await start_sink()

    async def refuse(envelope, server) -> str:
        return fault

    sink.on_data = refuse
    report, message = await _one(store, config_for(sink.port))
    assert (message["status"], message["last_smtp_response"]) == (status, fault)
    assert _bounced(store)[0] == 0
    assert "ambiguous" not in message["flags"]


async def test_greeting_421_defers_everything_due(config_for, store) -> None:
    server, port, accepted = await start_raw_server(b"421 4.3.2 Service not available\r\n")
    cid = add_campaign(store)
    ids = queue(store, 30, campaign_id=cid)
    report = await Dispatcher(store, config_for(port)).run_until_empty()
    server.close()
    assert statuses(store) == {"deferred": 30}
    assert report.deferred == 30 and report.failed == 0
    # The server is backed off as a whole: one probe, not one connection per message.
    assert len(accepted) <= 4
    for message in (row(store, message_id) for message_id in ids):
        assert message["last_smtp_response"] == "421 4.3.2 Service not available"
        assert message["next_attempt_at"] == NOW_PLUS_5_MIN
        assert message["attempts"] <= 1


async def test_refused_port_defers(config_for, store) -> None:
    report, message = await _one(store, config_for(free_port()))
    assert message["status"] == "deferred"
    assert message["last_smtp_response"].startswith("Cannot connect to the SMTP server")
    assert message["next_attempt_at"] == NOW_PLUS_5_MIN
    assert report.ok


async def test_mute_server_times_out_and_defers(config_for, store) -> None:
    server, port, _ = await start_raw_server(None)
    report, message = await _one(store, config_for(port, smtp_timeout=0.5))
    server.close()
    assert message["status"] == "deferred"
    assert "Timed out" in message["last_smtp_response"]


async def test_dropped_mid_data_is_deferred_and_flagged(config_for, store) -> None:
    sink = await start_sink()
    sink.on_data = _drop_mid_data
    report, message = await _one(store, config_for(sink.port))
    assert message["status"] == "deferred"
    assert "ambiguous" in message["flags"]
    assert "delivery unconfirmed" in message["last_smtp_response"]


async def test_auth_failure_halts_and_spends_no_attempt(config_for, store) -> None:
    sink = Sink(password="right")
    await start_sink(sink)
    config = config_for(sink.port, smtp_user="team", smtp_password=_secret("wrong"))
    report, message = await _one(store, config)
    assert report.halted.startswith("SMTP authentication failed: 535")
    assert message["status"] == "queued"
    assert message["attempts"] == 0
    assert message["lease_token"] is None
    # One connection tried each offered mechanism once, then the run stopped.
    assert set(sink.logins) == {("team", "wrong")} and len(sink.logins) <= 2


def _secret(text: str):
    from mailer.secret import Secret

    return Secret(text)


async def test_retries_follow_the_schedule_then_give_up(config_for, store, clock) -> None:
    """Min 300 s, doubling, capped at 4000 s; failed after the 5-day lifetime."""
    sink = await start_sink()
    sink.on_rcpt = lambda address: "451 4.4.0 Later"
    cid = add_campaign(store)
    [message_id] = queue(store, 1, campaign_id=cid)
    config = config_for(sink.port)
    waits = []
    for _ in range(8):
        await Dispatcher(store, config).run_until_empty()
        message = row(store, message_id)
        waits.append((store.clock.now(), message["next_attempt_at"]))
        clock.advance(timedelta(seconds=5000))
    delays = [(_parse(next_at) - at).total_seconds() for at, next_at in waits]
    assert delays == [300, 600, 1200, 2400, 4000, 4000, 4000, 4000]
    clock.advance(timedelta(days=5))
    await Dispatcher(store, config).run_until_empty()
    message = row(store, message_id)
    assert message["status"] == "failed"
    assert message["last_smtp_response"] == "Gave up after 5 days: 451 4.4.0 Later"


def _parse(text: str):
    from store.clock import from_iso

    return from_iso(text)


def test_jitter_stays_inside_its_bounds() -> None:
    delays = [retry_delay(3, minimum=300, maximum=4000, jitter=0.1, seed=(n, 3)) for n in range(200)]
    assert all(1200 * 0.9 <= delay <= 1200 * 1.1 for delay in delays)
    assert len(set(delays)) > 150
    assert retry_delay(3, minimum=300, maximum=4000, jitter=0.1, seed=(7, 3)) == delays[7]


async def test_ambiguous_final_dot_is_retried_once(config_for, store, clock) -> None:
    """R4: the sink keeps the message and drops the line; the retry makes exactly 2 copies."""
    sink = await start_sink()
    calls = []

    async def take_then_drop(envelope, server) -> str | None:
        calls.append(1)
        if len(calls) == 1:
            sink.accept(envelope)
            server.transport.close()
            return "250 lost"
        return None

    sink.on_data = take_then_drop
    await _ambiguous_then_retry(config_for, store, sink)


async def test_late_250_after_client_timeout_is_retried_once(config_for, store) -> None:
    sink = await start_sink()
    calls = []

    async def slow_first(envelope, server) -> str | None:
        calls.append(1)
        if len(calls) == 1:
            sink.accept(envelope)
            await asyncio.sleep(1.5)
        return None if len(calls) > 1 else "250 2.0.0 Too late"

    sink.on_data = slow_first
    await _ambiguous_then_retry(config_for, store, sink, timeout=0.5)


async def _ambiguous_then_retry(config_for, store, sink: Sink, timeout: float = 1.0) -> None:
    cid = add_campaign(store)
    [message_id] = queue(store, 1, campaign_id=cid)
    config = config_for(sink.port, smtp_timeout=timeout)
    await Dispatcher(store, config).run_until_empty()
    first = row(store, message_id)
    assert first["status"] == "deferred" and "ambiguous" in first["flags"]
    for _ in range(2):
        store.clock.pinned = store.clock.now() + timedelta(hours=1)
        await Dispatcher(store, config).run_until_empty()
    done = row(store, message_id)
    assert done["status"] == "sent" and "ambiguous" in done["flags"]
    assert done["attempts"] == 2
    copies = [item.message for item in sink.received]
    assert len(copies) == 2
    assert {str(copy["Message-ID"]) for copy in copies} == {done["message_id"]}
    assert copies[0]["Date"] == copies[1]["Date"]
    assert copies[0].as_bytes() == copies[1].as_bytes()


async def test_ambiguous_twice_fails_without_a_third_copy(config_for, store) -> None:
    sink = await start_sink()

    async def always_drop(envelope, server) -> str:
        sink.accept(envelope)
        server.transport.close()
        return "250 lost"

    sink.on_data = always_drop
    cid = add_campaign(store)
    [message_id] = queue(store, 1, campaign_id=cid)
    for _ in range(4):
        await Dispatcher(store, config_for(sink.port)).run_until_empty()
        store.clock.pinned = store.clock.now() + timedelta(hours=2)
    message = row(store, message_id)
    assert message["status"] == "failed"
    assert "not retried again" in message["last_smtp_response"]
    assert len(sink.received) == 2


@dataclass
class SlowWatch:
    """What the sink saw of its slow exchanges: how many hang now, and the most that hung at once
    while a prompt message was accepted (a hung exchange ends when the client gives up on it)."""

    hanging: int = 0
    most_hanging_at_a_delivery: int = 0


def _slow_recipients(store, sink, slow_ids: list[int], hold: float) -> SlowWatch:
    """Readdress `slow_ids` to `slow…@` recipients, whose data the sink answers after `hold`."""
    with store.write() as db:
        db.conn.execute("UPDATE messages SET to_addr = 'slow' || id || '@example.test' WHERE id IN "
                        f"({','.join(map(str, slow_ids))})")
    watch = SlowWatch()

    async def slow(envelope, server) -> str | None:
        if not envelope.rcpt_tos[0].startswith("slow"):
            watch.most_hanging_at_a_delivery = max(watch.most_hanging_at_a_delivery, watch.hanging)
            return None
        watch.hanging += 1
        try:  # aiosmtpd cancels this when the client drops the connection
            await asyncio.sleep(hold)
        finally:
            watch.hanging -= 1
        return None

    sink.on_data = slow
    return watch


# Whether mail kept flowing is read from the order of events at the sink, not from the clock: a
# prompt message accepted while as many exchanges hang as the pool has connections can only have
# gone out on a successor's connection. tests/bench/bench_stalls.py measures the times.
async def test_slow_recipients_do_not_stall_the_pool(config_for, store) -> None:
    """R5: 10 of 200 messages hang at DATA; the other 190 go out while they hang."""
    timeout = 2.0
    sink = await start_sink()
    cid = add_campaign(store)
    config = config_for(sink.port, smtp_timeout=timeout)
    ids = queue(store, 200, campaign_id=cid)
    watch = _slow_recipients(store, sink, ids[7::20], 3 * timeout)
    report = await Dispatcher(store, config).run_until_empty()
    assert (report.sent, report.deferred) == (190, 10)
    assert len(sink.received) == 190
    assert watch.most_hanging_at_a_delivery >= config.smtp.connections
    slow_rows = list(store.reader().query(
        "SELECT status, flags, lease_token FROM messages WHERE to_addr LIKE 'slow%'"))
    assert len(slow_rows) == 10
    assert all(r["status"] == "deferred" and r["lease_token"] is None for r in slow_rows)


async def test_slow_recipients_in_the_last_claim_still_get_successors(config_for, store) -> None:
    """All 60 rows fit one claim, so the feeder is done at once: the stall watchdog must still
    replace the 6 stuck connections (2 of them), or each holds the rest up for a whole timeout."""
    timeout = 2.0
    sink = await start_sink()
    cid = add_campaign(store)
    config = config_for(sink.port, smtp_timeout=timeout, smtp_connections=2)
    ids = queue(store, 60, campaign_id=cid)
    watch = _slow_recipients(store, sink, ids[5::10], 3 * timeout)
    report = await Dispatcher(store, config).run_until_empty()
    assert (report.sent, report.deferred) == (54, 6)
    assert watch.most_hanging_at_a_delivery >= 2
