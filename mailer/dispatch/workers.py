"""The sending side of a dispatch run: K workers, each with its SMTP connection, and their bookkeeping.

A worker takes claimed rows one at a time, sends each, and hands the result to the
recorder; its next message's data waits until that result is committed (the commit runs
while MAIL and RCPT travel), so a crash can double at most one message per connection.
A watchdog gives a worker stuck in a slow exchange a successor with a fresh connection.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import time
from dataclasses import dataclass, field

from mailer.config import DispatchSettings
from mailer.dispatch.backoff import BackOffKeeper
from mailer.dispatch.limits import CampaignHolds, SenderLimiter, ServerDown
from mailer.dispatch.recorder import Recorder
from mailer.dispatch.run_db import RunDb
from mailer.dispatch.run_state import RunState
from mailer.dispatch.verdicts import postpone, release, verdict
from mailer.smtp.classify import Outcome, SendError, classify
from mailer.smtp.pool import SendAborted, SmtpConnection, SmtpPool
from store.clock import Clock
from store.outbox.results import Completion

Attempt = tuple[Completion, str, Outcome | None]


@dataclass
class Pending:
    """A finished attempt whose completion is being committed."""

    row: dict
    label: str
    outcome: Outcome | None
    committed: asyncio.Future[bool]
    settled: bool = False


@dataclass
class WorkerState:
    """One worker: its connection, when its current exchange began, whether it is being replaced."""

    connection: SmtpConnection
    exchange_started: float | None = None
    retiring: bool = False
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()


@dataclass(frozen=True)
class Pace:
    """How long a worker keeps an idle connection, and when its exchange counts as stuck."""

    idle_seconds: float
    stall_seconds: float
    concurrency: int


class WorkerPool:
    """One run's workers: they take rows from the run's queue until their end mark."""

    def __init__(self, run: RunState, db: RunDb, *, smtp: SmtpPool, limiter: SenderLimiter,
                 holds: CampaignHolds, backoff: BackOffKeeper, clock: Clock,
                 settings: DispatchSettings, pace: Pace) -> None:
        self.run, self.db = run, db
        self.smtp, self.limiter = smtp, limiter
        self.holds, self.backoff = holds, backoff
        self.clock, self.settings, self.pace = clock, settings, pace
        self.recorder = Recorder(self._record)
        self.states: list[WorkerState] = []

    def start(self, connections: list[SmtpConnection]) -> None:
        for connection in connections:
            self._spawn(connection)

    async def finish(self) -> None:
        """Let the workers finish what they hold and is queued.

        One end mark per worker ever spawned: a successor replaces a retiring worker, which
        leaves without taking one, so every worker still taking rows finds its mark."""
        for _ in self.states:
            self.run.queue.put_nowait(None)
        while running := [state.task for state in self.states if state.task and state.running]:
            await asyncio.gather(*running, return_exceptions=True)

    async def watch_stalls(self) -> None:
        """Give a worker stuck in a slow exchange a successor with a fresh connection."""
        stall_seconds = self.pace.stall_seconds
        while True:
            await asyncio.sleep(max(0.05, stall_seconds / 4))
            now = time.monotonic()
            retiring = sum(1 for state in self.states if state.retiring and state.running)
            for state in list(self.states):
                started = state.exchange_started
                if state.retiring or started is None or now - started < stall_seconds:
                    continue
                if retiring >= 2 * self.pace.concurrency:
                    break
                state.retiring = True
                retiring += 1
                self._spawn(self.smtp.add_connection())

    # -- one worker ---------------------------------------------------------------------

    def _spawn(self, connection: SmtpConnection) -> None:
        state = WorkerState(connection)
        state.task = asyncio.create_task(self._work(state))
        self.states.append(state)

    async def _work(self, state: WorkerState) -> None:
        """A worker's life; whatever ends it early stops the run with its sentence."""
        try:
            await self._worker(state)
        except Exception as error:  # noqa: BLE001 - the one error path: the report names it
            self.run.fail(error)

    async def _worker(self, state: WorkerState) -> None:
        queue = self.run.queue
        previous: Pending | None = None
        while not state.retiring:
            if queue.empty():
                await self._settle(previous)
                try:
                    row = await asyncio.wait_for(queue.get(), timeout=self.pace.idle_seconds)
                except TimeoutError:
                    await state.connection.quit()
                    continue
            else:
                row = queue.get_nowait()
            self.run.took_row()
            if row is None:
                break
            previous = await self._send_one(state, row, previous)
        await self._settle(previous)

    async def _send_one(self, state: WorkerState, row: dict, previous: Pending | None) -> Pending:
        self.run.in_flight += 1
        if self._will_send(row):
            await self.limiter.acquire(row["from_addr"])
        state.exchange_started = time.monotonic()
        try:
            completion, label, outcome = await self._attempt(state.connection, row, previous)
        finally:
            state.exchange_started = None
        # Judged at once, not at commit, so the other workers stop right after this failure.
        if outcome is not None and label in ("sent", "failed") \
                and self.holds.breaker.record(row["campaign_id"], failed=label == "failed"):
            reason = await self.holds.trip(row["campaign_id"], outcome.response, self.db.pause)
            if reason is not None:
                self.run.report.paused.append(reason)
        await self._settle(previous)
        await self.backoff.keep(label, self.db)
        return Pending(row, label, outcome, self.recorder.submit(completion))

    async def _settle(self, pending: Pending | None) -> bool:
        """Wait for a previous completion to be committed and count it; False if sending must stop."""
        if pending is not None and not pending.settled:
            pending.settled = True
            committed: bool | None
            try:
                committed = await pending.committed
            except (sqlite3.Error, OSError) as error:
                self.run.fail(error)
                committed = None
            self.run.in_flight -= 1
            if committed is not None:
                self._account(pending, committed)
        return self.run.report.halted is None

    def _will_send(self, row: dict) -> bool:
        return not (self.run.report.halted or self.holds.held(row)
                    or "compose_error" in row or self.backoff.is_down())

    async def _attempt(self, connection: SmtpConnection, row: dict, previous: Pending | None) -> Attempt:
        halted = self.run.report.halted
        if halted or self.holds.held(row):
            return release(row, None), "released", None
        if self.backoff.is_down():
            return postpone(row, self.backoff.until, self.backoff.reply), "deferred", None
        if "compose_error" in row:
            return self._judge(row, Outcome("failed", row["compose_error"]))
        try:
            reply = await connection.send(row["from_addr"], row["to_addr"], row["bytes"],
                                          functools.partial(self._settle, previous))
        except SendAborted:
            return release(row, self.run.report.halted), "released", None
        except ServerDown:
            if self.run.report.halted:
                return release(row, self.run.report.halted), "released", None
            return postpone(row, self.backoff.until, self.backoff.reply), "deferred", None
        except SendError as error:
            outcome = classify(error.error, error.stage)
        else:
            outcome = Outcome("sent", reply)
        if not outcome.server_down and outcome.status != "halt":
            self.backoff.gate.settle()
        return self._judge(row, outcome)

    def _judge(self, row: dict, outcome: Outcome) -> Attempt:
        if outcome.status == "halt":
            self.run.halt(outcome.response)
            return release(row, outcome.response), "released", outcome
        now = self.clock.now()
        if outcome.server_down:
            self.backoff.server_failed(outcome.response, now)
        completion, label = verdict(row, outcome, now, self.settings)
        return completion, label, outcome

    def _account(self, pending: Pending, committed: bool) -> None:
        report = self.run.report
        if not committed:
            report.fenced += 1
        elif pending.label in ("sent", "deferred", "failed"):
            setattr(report, pending.label, getattr(report, pending.label) + 1)
        self.run.notify("sending")

    async def _record(self, completions: list[Completion]) -> list[int]:
        fenced = await self.db.record(completions)
        if any(done.plain_send for done in completions) and self.run.queue.empty():
            self.db.fold_soon()
        return fenced
