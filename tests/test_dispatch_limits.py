"""R18: per-sender rate limits, backing off a failing server as a whole, the circuit breaker."""

from __future__ import annotations

import time
from datetime import timedelta

from mailer.actions import campaigns as campaign_state
from mailer.dispatch.dispatcher import Dispatcher
from mailer.dispatch.limits import SlidingWindow
from store.outbox.queueing import enqueue
from tests.dispatch_helpers import add_campaign, make_config, queue, start_sink, statuses


def _most_in_any_window(times: list[float], period: float) -> int:
    times = sorted(times)
    return max(sum(1 for other in times[index:] if other < start + period)
               for index, start in enumerate(times))


def test_sliding_window_counts() -> None:
    now = [0.0]
    window = SlidingWindow(3, 10.0, clock=lambda: now[0])
    for _ in range(3):
        assert window.wait_time(now[0]) == 0
        window.record(now[0])
        now[0] += 1
    assert window.wait_time(now[0]) > 7
    now[0] = 10.6
    assert window.wait_time(now[0]) == 0


async def test_rate_limit_per_sender_holds_at_the_server(store) -> None:
    """No window of the period at the sink holds more than R transactions from one sender."""
    sink = await start_sink()
    began: list[tuple[str, float]] = []  # MAIL FROM as the sink read it: closest to when a send starts
    sink.on_mail = lambda address: began.append((address, time.monotonic())) and None
    cid = add_campaign(store)
    queue(store, 30, campaign_id=cid)
    with store.write() as db:
        for number in range(5):
            enqueue(db, now=store.now_iso(), kind="manual", to_addr=f"other{number}@example.test",
                    from_addr="press@brand.example", subject="Hi", body="Hi\n")
    report = await Dispatcher(store, make_config(sink.port, rate_per_minute=10,
                                                 rate_period_seconds=1.0)).run_until_empty()
    assert report.sent == 35
    team = [at for address, at in began if address == "team@brand.example"]
    press = [at for address, at in began if address == "press@brand.example"]
    assert len(team) == 30 and len(press) == 5
    # The limiter counts when a send starts, the sink when it reads MAIL FROM on the same event
    # loop: a tenth of the period absorbs that scheduling delay on a loaded machine.
    assert _most_in_any_window(team, 0.9) <= 10


async def test_a_421_storm_backs_off_the_server_as_a_whole(store, clock) -> None:
    sink = await start_sink()
    sink.on_mail = lambda address: "421 4.7.0 Too many messages, slow down"
    cid = add_campaign(store)
    queue(store, 40, campaign_id=cid)
    config = make_config(sink.port)
    report = await Dispatcher(store, config).run_until_empty()
    assert report.deferred == 40 and report.failed == 0
    assert sink.connections <= 4
    connects = sink.connections
    # Runs inside the back-off (cron every minute) neither connect nor fail anything.
    for _ in range(4):
        clock.advance(timedelta(minutes=1))
        report = await Dispatcher(store, config).run_until_empty()
        assert (report.sent, report.failed) == (0, 0)
    assert sink.connections == connects
    # After it, one probe; the storm goes on, so the next back-off doubles.
    clock.advance(timedelta(minutes=1, seconds=1))
    await Dispatcher(store, config).run_until_empty()
    assert sink.connections == connects + 1
    assert statuses(store) == {"deferred": 40}
    next_attempts = {row[0] for row in store.reader().execute(
        "SELECT next_attempt_at FROM messages").fetchall()}
    assert max(next_attempts) == "2026-11-23T10:15:01+00:00"
    # The storm ends: everything goes out, once.
    sink.on_mail = None
    clock.advance(timedelta(minutes=10))
    report = await Dispatcher(store, config).run_until_empty()
    assert report.sent == 40 and len(set(sink.message_ids())) == 40


async def test_the_circuit_breaker_pauses_the_campaign(store) -> None:
    sink = await start_sink()
    sink.on_rcpt = lambda address: "550 5.1.1 No such user" if address.startswith("bad") else None
    bad = add_campaign(store, "Typos")
    good = add_campaign(store, "Clean")
    queue(store, 60, campaign_id=bad, prefix="bad")
    queue(store, 10, campaign_id=good, prefix="good")
    report = await Dispatcher(store, make_config(sink.port, breaker_failures=10)).run_until_empty()
    campaign = next(iter(store.reader().query("SELECT status, paused_reason FROM campaigns WHERE id = ?",
                                              [bad])))
    assert campaign["status"] == "paused"
    assert campaign["paused_reason"] == ("Paused after 10 failed messages in a row; "
                                         "the last: 550 5.1.1 No such user")
    assert report.paused == [campaign["paused_reason"]]
    assert 10 <= report.failed <= 10 + 4
    assert report.sent == 10
    left = dict(store.reader().execute(
        "SELECT status, count(*) FROM messages WHERE campaign_id = ? GROUP BY status", [bad]).fetchall())
    assert left["failed"] == report.failed and left["queued"] == 60 - report.failed
    assert store.reader().execute(
        "SELECT count(*) FROM messages WHERE status = 'queued' AND attempts > 0").fetchone()[0] == 0
    again = await Dispatcher(store, make_config(sink.port, breaker_failures=10)).run_until_empty()
    assert (again.sent, again.failed) == (0, 0)


async def test_a_breaker_paused_campaign_resumes_and_sends_from_the_same_dispatcher(store, clock) -> None:
    sink = await start_sink()
    sink.on_rcpt = lambda address: "550 5.7.1 Relaying denied"  # a relay misconfigured for a while
    typos = add_campaign(store, "Typos")
    queue(store, 30, campaign_id=typos)
    dispatcher = Dispatcher(store, make_config(sink.port, breaker_failures=10))  # long-lived, as the app's
    first = await dispatcher.run_until_empty()
    assert len(first.paused) == 1 and first.sent == 0
    held = statuses(store)["queued"]
    assert held == 30 - first.failed
    assert (await dispatcher.run_until_empty()).sent == 0  # paused: nothing leaves
    sink.on_rcpt = None  # the relay is fixed
    done = campaign_state.resume(store, "Typos")
    assert done.retimed == held and "Typos is open again" in done.sentence
    clock.advance(timedelta(hours=7, minutes=45))  # the backlog is spread over the rest of the window
    again = await dispatcher.run_until_empty()
    assert again.sent == held and again.paused == []
    assert statuses(store) == {"sent": held, "failed": first.failed}
    assert len(set(sink.message_ids())) == held
