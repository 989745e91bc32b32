"""The dispatch loop: claim due rows, send them over K persistent connections, record the results.

One feeder claims small batches under a lease; K workers each own an SMTP connection and
send one message at a time; a recorder commits their results in groups, each worker's
commit overlapping its next MAIL and RCPT. All database work runs on one thread of its
own, so a busy database never stalls the SMTP sessions. A watchdog gives a worker whose
exchange has stalled a fresh connection, so one slow recipient cannot hold up the pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mailer.classify import Outcome, SendError, classify
from mailer.config import Config
from mailer.dispatch_db import DispatchDb, is_busy, never_waiting
from mailer.limits import CircuitBreaker, SenderLimiter, ServerDown, ServerGate
from mailer.outreach_due import settle
from mailer.prebuild import attach_bytes, prepare_outbox
from mailer.progress import DispatchProgress, DispatchReport, snapshot
from mailer.recorder import Recorder
from mailer.smtp_pool import SendAborted, SmtpConnection, SmtpPool
from mailer.verdicts import postpone, release, retry_seconds, verdict
from store.clock import from_iso, iso
from store.db import Store
from store.errors import UserError
from store.outbox_claims import Claim, new_owner
from store.outbox_results import Completion

ProgressCallback = Callable[[DispatchProgress], None]
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
    connection: SmtpConnection
    exchange_started: float | None = None
    retiring: bool = False
    task: asyncio.Task | None = field(default=None, repr=False)


class Dispatcher:
    """Sends what is due in the outbox of `store` through the SMTP server of `config`."""

    def __init__(self, store: Store, config: Config, *, owner: str | None = None,
                 concurrency: int | None = None,
                 prepare: Callable[[Store], object] | None = settle) -> None:
        self.store = store
        self.prepare = prepare
        self.config = config
        self.smtp = config.require_smtp()
        self.settings = config.dispatch
        self.owner = owner or new_owner()
        self.concurrency = max(1, concurrency or self.smtp.connections)
        self.batch = self.settings.batch_size or min(256, max(32, 4 * self.concurrency))
        # Far above a normal exchange (milliseconds) yet well inside the SMTP timeout.
        self.stall_seconds = min(5.0, self.smtp.timeout / 4)
        lease = timedelta(seconds=max(1, self.settings.lease_seconds))
        self.db = DispatchDb(store, config, self.owner, lease)
        self.limiter = SenderLimiter(self.settings.rate_per_minute, self.settings.per_hour,
                                     self.settings.rate_period_seconds)
        self.breaker = CircuitBreaker(self.settings.breaker_failures)
        self.pool = SmtpPool(self.smtp, self.concurrency)
        self.report = DispatchReport()
        self._paused: set[int] = set()
        self._gate_until: str | None = None
        self._backoff_pending = False
        self._backoff_stored = False
        self._wake = asyncio.Event()

    @property
    def gate(self) -> ServerGate:
        return self.pool.gate

    # -- public entry points ------------------------------------------------------------

    async def run_until_empty(self, progress_callback: ProgressCallback | None = None, *,
                              limit: int | None = None) -> DispatchReport:
        """Send until nothing is due now (or `limit` rows were claimed); returns the counts."""
        return await self._run(forever=False, stop=None, progress=progress_callback, limit=limit)

    async def run_forever(self, stop_event: asyncio.Event,
                          progress_callback: ProgressCallback | None = None) -> DispatchReport:
        """Keep sending as mail falls due, until `stop_event` is set."""
        return await self._run(forever=True, stop=stop_event, progress=progress_callback, limit=None)

    def wake(self) -> None:
        """Look for due mail now instead of at the next poll (new mail was queued)."""
        self._wake.set()

    # -- the run ------------------------------------------------------------------------

    async def _run(self, *, forever: bool, stop: asyncio.Event | None,
                   progress: ProgressCallback | None, limit: int | None) -> DispatchReport:
        self.report = DispatchReport()
        self._progress = progress
        self._progress_at = float("-inf")
        self._in_flight = 0
        self._total = 0
        self._queue: asyncio.Queue[dict | None] = asyncio.Queue()
        self._room = asyncio.Event()
        self._recorder = Recorder(functools.partial(self._quick, "apply"))
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="callsheet-dispatch-db")
        self._inline_store = never_waiting(self.store)
        self.db_inline = DispatchDb(self._inline_store, self.config, self.owner, self.db.lease)
        self._states: list[WorkerState] = []
        renewer = watchdog = None
        try:
            if self.prepare is not None:
                await self._db(self.prepare, self.store)
            self._total, backoff = await self._db(self.db.start)
            self._restore_backoff(*backoff)
            for connection in self.pool.connections[:self.concurrency]:
                self._spawn(connection)
            renewer = asyncio.create_task(self._renew_forever())
            watchdog = asyncio.create_task(self._watch_stalls())
            await self._feed(forever=forever, stop=stop, limit=limit)
        except (UserError, sqlite3.Error, OSError) as error:
            self._halt(_sentence(error))
        finally:
            await self._wind_down(renewer, watchdog)
        self._notify("done", force=True)
        return self.report

    async def _wind_down(self, renewer: asyncio.Task | None, watchdog: asyncio.Task | None) -> None:
        """Let the workers finish what they hold (the lease renewal runs until they have)."""
        helpers = [task for task in (watchdog, renewer) if task is not None]
        if watchdog is not None:
            watchdog.cancel()
        for _ in self._states:
            self._queue.put_nowait(None)
        await asyncio.gather(*(state.task for state in self._states if state.task), return_exceptions=True)
        if renewer is not None:
            renewer.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        await self.pool.close()
        with contextlib.suppress(sqlite3.Error):
            await self._db(self.db.purge)
        self._executor.shutdown(wait=True)
        self._inline_store.close()

    async def _db(self, function: Callable, *args: object) -> object:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(function, *args))

    async def _quick(self, name: str, *args: object) -> object:
        """A short write, inline when the database is free, else on the database thread."""
        try:
            return getattr(self.db_inline, name)(*args)
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
        return await self._db(getattr(self.db, name), *args)

    def _restore_backoff(self, failures: int, left: float, reply: str, until: str | None) -> None:
        if failures:
            self.gate.restore(failures, left, reply)
            self._backoff_stored = True
            if left > 0:
                self._gate_until = until

    async def _feed(self, *, forever: bool, stop: asyncio.Event | None, limit: int | None) -> None:
        claimed = 0
        while not self.report.halted and not (stop is not None and stop.is_set()):
            if self._gate_until is not None and self.gate.is_down():
                postponed = await self._db(self.db.defer_due, self._gate_until, self.gate.reply)
                self.report.deferred += postponed
                self._notify("waiting", force=True)
                if not forever:
                    return
                await self._sleep(self.gate.down_until - time.monotonic(), stop)
                continue
            if limit is not None and claimed >= limit:
                return
            await self._wait_for_room()
            size = self.batch if limit is None else min(self.batch, limit - claimed)
            claim: Claim = await self._db(self.db.claim, size)
            if any("bytes" not in row for row in claim.rows):
                await self._db(attach_bytes, claim.rows, self.settings)
            self.report.skipped += claim.skipped
            claimed += len(claim.rows)
            for row in claim.rows:
                self._queue.put_nowait(row)
            if claim.skipped:
                self._notify("sending")
            if not claim.rows and not claim.skipped:
                if not forever:
                    return
                await self._idle(stop)

    async def _wait_for_room(self) -> None:
        while self._queue.qsize() >= self.concurrency:
            self._room.clear()
            await self._room.wait()

    async def _idle(self, stop: asyncio.Event | None) -> None:
        """Nothing due: build upcoming messages' bytes, then sleep until the next due time or a poll."""
        self._notify("idle", force=True)
        await self._db(self.db.purge)
        await self._db(prepare_outbox, self.store, self.config)
        if self.prepare is not None:
            await self._db(self.prepare, self.store)
        next_due = await self._db(self.db.next_due)
        seconds = self.settings.poll_seconds
        if next_due is not None:
            seconds = min(seconds, max(0.0, (from_iso(next_due) - self.store.clock.now()).total_seconds()))
        await self._sleep(seconds, stop)

    async def _sleep(self, seconds: float, stop: asyncio.Event | None) -> None:
        self._wake.clear()
        waiters = [asyncio.create_task(self._wake.wait())]
        if stop is not None:
            waiters.append(asyncio.create_task(stop.wait()))
        _, pending = await asyncio.wait(waiters, timeout=max(0.0, seconds),
                                        return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(max(1.0, self.db.lease.total_seconds() / 3))
            await self._quick("renew")

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
            if self._queue.qsize() < self.concurrency:
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
                self._halt(_sentence(error))
                committed = None
            self._in_flight -= 1
            if committed is not None:
                self._account(pending, committed)
        return self.report.halted is None

    def _will_send(self, row: dict) -> bool:
        return not (self.report.halted or row["campaign_id"] in self._paused
                    or "compose_error" in row or (self._gate_until is not None and self.gate.is_down()))

    async def _attempt(self, connection: SmtpConnection, row: dict,
                       previous: Pending | None) -> tuple[Completion, str, Outcome | None]:
        if self.report.halted or row["campaign_id"] in self._paused:
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
        reason = (f"Paused after {self.breaker.threshold} failed messages in a row; "
                  f"the last: {last_reply}")
        self._paused.add(campaign_id)
        if await self._db(self.db.pause, campaign_id, reason):
            self.report.paused.append(reason)

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


def _sentence(error: BaseException) -> str:
    if isinstance(error, UserError):
        return error.sentence
    if isinstance(error, sqlite3.Error):
        return f"The database refused a write ({error}); unsent mail stays in the outbox."
    return f"{type(error).__name__}: {error}"


def dispatch_once(store: Store, config: Config) -> DispatchReport:
    """Send everything due now and return the counts (for code that is not async)."""
    return asyncio.run(Dispatcher(store, config).run_until_empty())


__all__ = ["DispatchProgress", "DispatchReport", "Dispatcher", "dispatch_once"]
