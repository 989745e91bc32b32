"""The sending side of the dispatcher: K workers, each with its SMTP connection, and their bookkeeping.

A worker takes claimed rows one at a time, sends each, and hands the result to the
recorder; its next message's data waits until that result is committed (the commit runs
while MAIL and RCPT travel), so a crash can double at most one message per connection.
A watchdog gives a worker stuck in a slow exchange a successor with a fresh connection.
"""

from __future__ import annotations

import asyncio
import functools
import math
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mailer.classify import Outcome, SendError, classify
from mailer.limits import ServerDown
from mailer.progress import snapshot
from mailer.smtp_pool import SendAborted, SmtpConnection
from mailer.verdicts import postpone, release, retry_seconds, verdict
from store.clock import iso
from store.errors import UserError
from store.outbox_results import Completion
from store.wording import plural

PROGRESS_INTERVAL = 0.1


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
    task: asyncio.Task | None = field(default=None, repr=False)


class Workers:
    """The worker half of Dispatcher (see mailer/dispatcher.py for the state it relies on)."""

    async def _watch_stalls(self) -> None:
        """Give a worker stuck in a slow exchange a successor with a fresh connection."""
        while True:
            await asyncio.sleep(max(0.05, self.stall_seconds / 4))
            now = time.monotonic()
            retiring = sum(1 for state in self._states if state.retiring and not state.task.done())
            for state in list(self._states):
                started = state.exchange_started
                if state.retiring or started is None or now - started < self.stall_seconds:
                    continue
                if retiring >= 2 * self.concurrency:
                    break
                state.retiring = True
                retiring += 1
                self._spawn(self.pool.add_connection())

    # -- workers ------------------------------------------------------------------------

    def _spawn(self, connection: SmtpConnection) -> None:
        state = WorkerState(connection)
        state.task = asyncio.create_task(self._worker(state))
        self._states.append(state)

    async def _worker(self, state: WorkerState) -> None:
        previous: Pending | None = None
        while not state.retiring:
            if self._queue.empty():
                await self._settle(previous)
                try:
                    row = await asyncio.wait_for(self._queue.get(), timeout=self.smtp.idle_seconds)
                except TimeoutError:
                    await state.connection.quit()
                    continue
            else:
                row = self._queue.get_nowait()
            if self._queue.qsize() < self.ahead:
                self._room.set()
            if row is None:
                break
            previous = await self._send_one(state, row, previous)
        await self._settle(previous)

    async def _send_one(self, state: WorkerState, row: dict, previous: Pending | None) -> Pending:
        self._in_flight += 1
        if self._will_send(row):
            await self.limiter.acquire(row["from_addr"])
        state.exchange_started = time.monotonic()
        try:
            completion, label, outcome = await self._attempt(state.connection, row, previous)
        finally:
            state.exchange_started = None
        # Judged at once, not at commit, so the other workers stop right after this failure.
        judged = outcome is not None and label in ("sent", "failed")
        if judged and self.breaker.record(row["campaign_id"], failed=label == "failed"):
            await self._trip(row["campaign_id"], outcome.response)
        await self._settle(previous)
        await self._store_backoff(label)
        return Pending(row, label, outcome, self._recorder.submit(completion))

    async def _settle(self, pending: Pending | None) -> bool:
        """Wait for a previous completion to be committed and count it; False if sending must stop."""
        if pending is not None and not pending.settled:
            pending.settled = True
            try:
                committed = await pending.committed
            except (sqlite3.Error, OSError) as error:
                self._halt(error_sentence(error))
                committed = None
            self._in_flight -= 1
            if committed is not None:
                self._account(pending, committed)
        return self.report.halted is None

    def _held(self, row: dict) -> bool:
        """Whether the row's campaign was paused by this dispatcher after the row was claimed."""
        campaign_id = row["campaign_id"]
        if campaign_id not in self._paused:
            return False
        if row.get("claim_number", 0) <= self._paused[campaign_id]:
            return True
        # Claims skip paused campaigns: this one was resumed since, so its streak starts again.
        del self._paused[campaign_id]
        self.breaker.streaks.pop(campaign_id, None)
        return False

    def _will_send(self, row: dict) -> bool:
        return not (self.report.halted or self._held(row)
                    or "compose_error" in row or (self._gate_until is not None and self.gate.is_down()))

    async def _attempt(self, connection: SmtpConnection, row: dict,
                       previous: Pending | None) -> tuple[Completion, str, Outcome | None]:
        if self.report.halted or self._held(row):
            return release(row, None), "released", None
        if self._gate_until is not None and self.gate.is_down():
            return postpone(row, self._gate_until, self.gate.reply), "deferred", None
        if "compose_error" in row:
            return self._judge(row, Outcome("failed", row["compose_error"]))
        try:
            reply = await connection.send(row["from_addr"], row["to_addr"], row["bytes"],
                                          functools.partial(self._settle, previous))
        except SendAborted:
            return release(row, self.report.halted), "released", None
        except ServerDown:
            if self.report.halted:
                return release(row, self.report.halted), "released", None
            return postpone(row, self._gate_until, self.gate.reply), "deferred", None
        except SendError as error:
            outcome = classify(error.error, error.stage)
        else:
            outcome = Outcome("sent", reply)
        if not outcome.server_down and outcome.status != "halt":
            self.gate.settle()
        return self._judge(row, outcome)

    def _judge(self, row: dict, outcome: Outcome) -> tuple[Completion, str, Outcome]:
        if outcome.status == "halt":
            self._halt(outcome.response)
            return release(row, outcome.response), "released", outcome
        now = self.store.clock.now()
        if outcome.server_down:
            self._server_failed(outcome.response, now)
        completion, label = verdict(row, outcome, now, self.settings)
        return completion, label, outcome

    def _server_failed(self, reply: str, now: datetime) -> None:
        seconds = self.gate.fail(reply, lambda failures: retry_seconds(self.settings, failures, None, 0.0))
        if seconds is not None:
            self._gate_until = iso(now + timedelta(seconds=seconds))
            self._backoff_pending = True

    async def _store_backoff(self, label: str) -> None:
        """Keep the server's back-off in the database while it lasts; forget it after a success."""
        if self._backoff_pending:
            self._backoff_pending, self._backoff_stored = False, True
            await self._quick("save_backoff", self.gate.failures, self._gate_until or "", self.gate.reply)
        elif label == "sent" and self._backoff_stored:
            self._backoff_stored = False
            await self._quick("clear_backoff")

    def _account(self, pending: Pending, committed: bool) -> None:
        if not committed:
            self.report.fenced += 1
        elif pending.label in ("sent", "deferred", "failed"):
            setattr(self.report, pending.label, getattr(self.report, pending.label) + 1)
        self._notify("sending")

    async def _trip(self, campaign_id: int, last_reply: str) -> None:
        reason = (f"Paused after {plural(self.breaker.threshold, 'failed message')} in a row; "
                  f"the last: {last_reply}")
        self._paused[campaign_id] = math.inf
        claims_before = self._claims
        if await self._db(self.db.pause, campaign_id, reason):
            self.report.paused.append(reason)
        self._paused[campaign_id] = claims_before

    def _halt(self, sentence: str) -> None:
        if self.report.halted is None:
            self.report.halted = sentence
            self.gate.shut(sentence)

    def _notify(self, state: str, *, force: bool = False) -> None:
        if self._progress is None:
            return
        now = time.monotonic()
        if not force and now - self._progress_at < PROGRESS_INTERVAL:
            return
        self._progress_at = now
        report = self.report
        total = max(self._total, report.sent + report.deferred + report.failed + report.skipped
                    + self._in_flight + self._queue.qsize())
        note = f"server down: {self.gate.reply}" if state == "waiting" else None
        self._progress(snapshot(report, total, self._in_flight, state, note))


def error_sentence(error: BaseException) -> str:
    if isinstance(error, UserError):
        return error.sentence
    if isinstance(error, sqlite3.Error):
        return f"The database refused a write ({error}); unsent mail stays in the outbox."
    return f"{type(error).__name__}: {error}"
