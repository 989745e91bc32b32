"""The dispatcher's parts on their own: the back-off keeper, the campaign holds, a run's one error path."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from mailer.config import DispatchSettings
from mailer.dispatch.backoff import BackOffKeeper
from mailer.dispatch.dispatcher import Dispatcher
from mailer.dispatch.limits import CampaignHolds, CircuitBreaker, ServerGate
from mailer.dispatch.run_state import RunState
from store.clock import iso
from store.errors import UserError
from tests.dispatch_helpers import add_campaign, make_config, queue, start_sink, statuses, stop_sink

SETTINGS = DispatchSettings(backoff_min=60, backoff_max=600)


def test_the_keeper_backs_off_once_per_outage_and_a_halt_is_no_back_off(clock) -> None:
    now = [0.0]
    keeper = BackOffKeeper(ServerGate(clock=lambda: now[0]), SETTINGS)
    assert not keeper.is_down()
    keeper.server_failed("421 busy", clock.now())
    assert keeper.is_down() and keeper.until == iso(clock.now() + timedelta(seconds=60))
    assert keeper.unsaved and keeper.reply == "421 busy"
    keeper.server_failed("421 still busy", clock.now())  # the same outage, seen by another worker
    assert keeper.gate.failures == 1 and keeper.reply == "421 busy"
    now[0] = 61.0
    assert not keeper.is_down()
    halted = BackOffKeeper(ServerGate(), SETTINGS)
    halted.gate.shut("535 bad password")
    assert not halted.is_down(), "a halt releases rows; only a back-off postpones them"


def test_the_keeper_takes_over_a_stored_back_off_only_while_it_lasts() -> None:
    keeper = BackOffKeeper(ServerGate(), SETTINGS)
    keeper.restore(0, 0.0, "", None)
    assert (keeper.saved, keeper.until) == (False, None)
    keeper.restore(2, 30.0, "421 busy", "2026-11-24T10:00:30Z")
    assert keeper.saved and keeper.is_down() and keeper.until == "2026-11-24T10:00:30Z"
    over = BackOffKeeper(ServerGate(), SETTINGS)
    over.restore(2, 0.0, "421 busy", "2026-11-24T10:00:00Z")
    assert over.saved and over.until is None and not over.is_down()


async def test_holds_keep_rows_claimed_before_the_pause_and_forget_it_after_a_resume() -> None:
    holds = CampaignHolds(CircuitBreaker(2))
    first = holds.next_claim()
    written: list[tuple[int, str]] = []

    async def pause(campaign_id: int, reason: str) -> bool:
        assert holds.held({"campaign_id": campaign_id, "claim_number": first}), "held while written"
        written.append((campaign_id, reason))
        return True

    assert holds.breaker.record(7, failed=True) is False and holds.breaker.record(7, failed=True)
    reason = await holds.trip(7, "550 no", pause)
    assert reason == "Paused after 2 failed messages in a row; the last: 550 no"
    assert written == [(7, reason)]
    assert holds.held({"campaign_id": 7, "claim_number": first})
    later = holds.next_claim()
    assert not holds.held({"campaign_id": 7, "claim_number": later}), "claimed again: it was resumed"
    assert 7 not in holds.paused and 7 not in holds.breaker.streaks
    assert not holds.held({"campaign_id": 8, "claim_number": first})


async def test_a_pause_someone_else_wrote_first_gives_no_reason() -> None:
    holds = CampaignHolds(CircuitBreaker(1))

    async def already_paused(campaign_id: int, reason: str) -> bool:
        return False

    assert await holds.trip(3, "550 no", already_paused) is None
    assert holds.paused == {3: 0}


async def test_a_run_keeps_the_first_error_as_its_sentence_and_shuts_the_gate() -> None:
    run = RunState(ServerGate(), ahead=4)
    run.fail(sqlite3.OperationalError("disk I/O error"))
    run.fail(UserError("Something later."))
    assert run.report.halted == ("The database refused a write (disk I/O error); "
                                 "unsent mail stays in the outbox.")
    assert run.gate.is_down() and run.gate.reply == run.report.halted


async def test_a_worker_that_dies_halts_the_run_with_its_error(store) -> None:
    sink = await start_sink()
    try:
        queue(store, 12, campaign_id=add_campaign(store))
        dispatcher = Dispatcher(store, make_config(sink.port, smtp_connections=2))
        calls = []

        async def acquire(sender: str) -> None:
            calls.append(sender)
            if len(calls) == 3:
                raise RuntimeError("boom")

        dispatcher.limiter.acquire = acquire  # type: ignore[method-assign]
        report = await dispatcher.run_until_empty()
    finally:
        await stop_sink(sink)
    assert report.halted == "RuntimeError: boom"
    recorded = statuses(store)
    assert recorded.get("sent", 0) == len(sink.received) < 12, "what reached the server is recorded"
