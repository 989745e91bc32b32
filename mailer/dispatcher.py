"""The dispatch loop: claim due rows, send them over K persistent connections, record the results.

One feeder claims small batches under a lease; K workers each own an SMTP connection and
send one message at a time; a recorder commits their results in groups. All database work
runs on one thread of its own, so a busy database never stalls the SMTP sessions.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from mailer.backoff import retry_delay
from mailer.classify import Outcome, SendError, classify
from mailer.compose import ComposeError
from mailer.config import Config
from mailer.limits import CircuitBreaker, SenderLimiter, ServerDown, ServerGate
from mailer.prebuild import message_bytes, prepare_outbox
from mailer.progress import DispatchProgress, DispatchReport, snapshot
from mailer.recorder import Recorder
from mailer.smtp_pool import SmtpConnection, SmtpPool
from store.clock import from_iso, iso
from store.db import Store
from store.errors import UserError
from store.outbox_claims import (
    Claim,
    claim_batch,
    due_count,
    new_owner,
    next_due_at,
    reclaim_dead,
    reclaim_expired,
    renew_leases,
)
from store.outbox_gate import clear_backoff, load_backoff, save_backoff
from store.outbox_results import Completion, complete, defer_due, pause_campaign

ProgressCallback = Callable[[DispatchProgress], None]
DEAD_OWNER_CHECK_SECONDS = 5.0
PROGRESS_INTERVAL = 0.1


class Dispatcher:
    """Sends what is due in the outbox of `store` through the SMTP server of `config`."""

    def __init__(self, store: Store, config: Config, *, owner: str | None = None,
                 concurrency: int | None = None) -> None:
        self.store = store
        self.config = config
        self.smtp = config.require_smtp()
        self.settings = config.dispatch
        self.owner = owner or new_owner()
        self.concurrency = max(1, concurrency or self.smtp.connections)
        self.lease = timedelta(seconds=max(1, self.settings.lease_seconds))
        self.batch = self.settings.batch_size or max(16, 2 * self.concurrency)
        self.limiter = SenderLimiter(self.settings.rate_per_minute, self.settings.per_hour,
                                     self.settings.rate_period_seconds)
        self.breaker = CircuitBreaker(self.settings.breaker_failures)
        self.pool = SmtpPool(self.smtp, self.concurrency)
        self.report = DispatchReport()
        self._paused: set[int] = set()
        self._gate_until: str | None = None
        self._backoff_pending = False
        self._backoff_stored = False
        self._dead_checked = float("-inf")
        self._wake = asyncio.Event()
        self._detached: set[asyncio.Task] = set()
        # Far above a normal exchange (milliseconds) yet well inside the SMTP timeout.
        self.stall_seconds = min(5.0, self.smtp.timeout / 4)

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
        self._queue: asyncio.Queue[dict | None] = asyncio.Queue()
        self._room = asyncio.Event()
        self._recorder = Recorder(self._apply)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="callsheet-dispatch-db")
        workers: list[asyncio.Task] = []
        renewer = None
        try:
            self._total = await self._db(self._start_sync)
            workers = [asyncio.create_task(self._worker(connection))
                       for connection in self.pool.connections[:self.concurrency]]
            renewer = asyncio.create_task(self._renew_forever())
            await self._feed(forever=forever, stop=stop, limit=limit)
        except (UserError, sqlite3.Error, OSError) as error:
            self._halt(_sentence(error))
        finally:
            for _ in workers:
                self._queue.put_nowait(None)
            await asyncio.gather(*workers, return_exceptions=True)
            await asyncio.gather(*self._detached, return_exceptions=True)
            if renewer is not None:
                renewer.cancel()
                await asyncio.gather(renewer, return_exceptions=True)
            await self.pool.close()
            self._executor.shutdown(wait=True)
        self._notify("done", force=True)
        return self.report

    async def _db(self, function: Callable, *args: object, **kwargs: object) -> object:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(function, *args, **kwargs))

    async def _feed(self, *, forever: bool, stop: asyncio.Event | None, limit: int | None) -> None:
        claimed = 0
        while not self.report.halted and not (stop is not None and stop.is_set()):
            if self._gate_until is not None and self.gate.is_down():
                postponed = await self._db(self._defer_due_sync)
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
            claim: Claim = await self._db(self._claim_sync, size)
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
        """Nothing due: build tomorrow's bytes, then sleep until the next due time or a poll."""
        self._notify("idle", force=True)
        await self._db(prepare_outbox, self.store, self.config)
        next_due = await self._db(self._next_due_sync)
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
            await asyncio.sleep(max(1.0, self.lease.total_seconds() / 3))
            await self._db(self._renew_sync)

    # -- workers ------------------------------------------------------------------------

    async def _worker(self, connection: SmtpConnection) -> None:
        while True:
            try:
                row = await asyncio.wait_for(self._queue.get(), timeout=self.smtp.idle_seconds)
            except TimeoutError:
                await connection.quit()
                continue
            if self._queue.qsize() < self.concurrency:
                self._room.set()
            if row is None:
                return
            if self._will_send(row):
                await self.limiter.acquire(row["from_addr"])
            self._in_flight += 1
            exchanged = asyncio.Event()
            handling = asyncio.create_task(self._handle(connection, row, exchanged))
            if await self._stalled(handling, exchanged):
                # A stalled exchange keeps its connection until it times out; this worker
                # goes on with a fresh one, so one slow recipient cannot hold up the pool.
                self._detached.add(handling)
                handling.add_done_callback(self._detached.discard)
                connection = self.pool.add_connection()
                continue
            await handling

    async def _stalled(self, handling: asyncio.Task, exchanged: asyncio.Event) -> bool:
        """Wait for the SMTP exchange; True when it outlasts the stall time and may be left behind."""
        if len(self._detached) >= 2 * self.concurrency:
            await asyncio.wait({handling})
            return False
        waiter = asyncio.create_task(exchanged.wait())
        done, _ = await asyncio.wait({handling, waiter}, timeout=self.stall_seconds,
                                     return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        return not done

    def _will_send(self, row: dict) -> bool:
        return not (self.report.halted or row["campaign_id"] in self._paused
                    or "compose_error" in row or (self._gate_until is not None and self.gate.is_down()))

    async def _handle(self, connection: SmtpConnection, row: dict, exchanged: asyncio.Event) -> None:
        try:
            completion, label, outcome = await self._attempt(connection, row)
            exchanged.set()
            await self._store_backoff(label)
            committed = await self._recorder.record(completion)
        except (sqlite3.Error, OSError) as error:
            self._halt(_sentence(error))
            return
        finally:
            exchanged.set()
            self._in_flight -= 1
        await self._account(row, label, outcome, committed)

    async def _attempt(self, connection: SmtpConnection, row: dict) -> tuple[Completion, str, Outcome | None]:
        if self.report.halted or row["campaign_id"] in self._paused:
            return self._release(row, None), "released", None
        if self._gate_until is not None and self.gate.is_down():
            return self._postpone(row), "deferred", None
        if "compose_error" in row:
            return self._completion(row, Outcome("failed", row["compose_error"]))
        try:
            reply = await connection.send(row["from_addr"], row["to_addr"], row["bytes"])
        except ServerDown:
            if self.report.halted:
                return self._release(row, self.report.halted), "released", None
            return self._postpone(row), "deferred", None
        except SendError as error:
            outcome = classify(error.error, error.stage)
        else:
            outcome = Outcome("sent", reply)
        if not outcome.server_down and outcome.status != "halt":
            self.gate.settle()
        return self._completion(row, outcome)

    def _completion(self, row: dict, outcome: Outcome) -> tuple[Completion, str, Outcome]:
        done = functools.partial(Completion, row_id=row["id"], token=row["lease_token"],
                                 response=outcome.response)
        if outcome.status == "sent":
            return done(status="sent"), "sent", outcome
        if outcome.status == "halt":
            self._halt(outcome.response)
            return self._release(row, outcome.response), "released", outcome
        if outcome.status == "failed":
            bounced = row["influencer_id"] if outcome.bounce else None
            return done(status="failed", bounced_influencer=bounced), "failed", outcome
        return self._deferral(row, outcome, done)

    def _deferral(self, row: dict, outcome: Outcome, done: Callable) -> tuple[Completion, str, Outcome]:
        now = self.store.clock.now()
        if outcome.server_down:
            self._server_failed(outcome.response, now)
        flag = "ambiguous" if outcome.ambiguous else None
        if outcome.ambiguous and "ambiguous" in json.loads(row["flags"] or "[]"):
            text = f"{outcome.response} twice; not retried again, to avoid sending it a third time"
            return done(status="failed", response=text, flag=flag), "failed", outcome
        delay = timedelta(seconds=self._retry_seconds(row["attempts"], (row["id"], row["attempts"])))
        lifetime = timedelta(days=self.settings.max_lifetime_days)
        if now + delay > _first_due(row) + lifetime:
            text = f"Gave up after {self.settings.max_lifetime_days:g} days: {outcome.response}"
            return done(status="failed", response=text), "failed", outcome
        return done(status="deferred", next_attempt_at=iso(now + delay), flag=flag), "deferred", outcome

    def _retry_seconds(self, attempt: int, seed: object, jitter: float | None = None) -> float:
        settings = self.settings
        return retry_delay(attempt, minimum=settings.backoff_min, maximum=settings.backoff_max,
                           jitter=settings.backoff_jitter if jitter is None else jitter, seed=seed)

    def _server_failed(self, reply: str, now: datetime) -> None:
        seconds = self.gate.fail(reply, lambda failures: self._retry_seconds(failures, None, 0.0))
        if seconds is not None:
            self._gate_until = iso(now + timedelta(seconds=seconds))
            self._backoff_pending = True

    async def _store_backoff(self, label: str) -> None:
        """Keep the server's back-off in the database while it lasts; forget it after a success."""
        if self._backoff_pending:
            self._backoff_pending, self._backoff_stored = False, True
            await self._db(self._save_backoff_sync)
        elif label == "sent" and self._backoff_stored:
            self._backoff_stored = False
            await self._db(self._clear_backoff_sync)

    def _release(self, row: dict, response: str | None) -> Completion:
        """Hand a claimed row back untouched: its attempt did not happen."""
        status = "queued" if row["attempts"] <= 1 else "deferred"
        return Completion(row_id=row["id"], token=row["lease_token"], status=status,
                          response=response, attempts_delta=-1)

    def _postpone(self, row: dict) -> Completion:
        """The server is down: this row waits with the rest, without spending an attempt."""
        return Completion(row_id=row["id"], token=row["lease_token"], status="deferred",
                          response=self.gate.reply, next_attempt_at=self._gate_until, attempts_delta=-1)

    async def _account(self, row: dict, label: str, outcome: Outcome | None, committed: bool) -> None:
        if not committed:
            self.report.fenced += 1
        elif label in ("sent", "deferred", "failed"):
            setattr(self.report, label, getattr(self.report, label) + 1)
        counted = committed and outcome is not None and label in ("sent", "failed")
        if counted and self.breaker.record(row["campaign_id"], failed=label == "failed"):
            await self._trip(row["campaign_id"], outcome.response)
        self._notify("sending")

    async def _trip(self, campaign_id: int, last_reply: str) -> None:
        reason = (f"Paused after {self.breaker.threshold} failed messages in a row; "
                  f"the last: {last_reply}")
        self._paused.add(campaign_id)
        if await self._db(self._pause_sync, campaign_id, reason):
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
        waiting = self._queue.qsize() if hasattr(self, "_queue") else 0
        total = max(self._total, self.report.sent + self.report.deferred + self.report.failed
                    + self.report.skipped + self._in_flight + waiting)
        note = f"server down: {self.gate.reply}" if state == "waiting" else None
        self._progress(snapshot(self.report, total, self._in_flight, state, note))

    # -- database work (runs on the dispatcher's database thread) -------------------------

    def _start_sync(self) -> int:
        now = self.store.clock.now()
        with self.store.write() as db:
            self._reclaim(db, iso(now), force=True)
            failures, until, reply = load_backoff(db, self.smtp.server_key)
        if failures:
            left = (from_iso(until) - now).total_seconds() if until else 0.0
            self.gate.restore(failures, left, reply)
            self._backoff_stored = True
            if left > 0:
                self._gate_until = until
        return due_count(self.store.reader(), iso(now))

    def _save_backoff_sync(self) -> None:
        with self.store.write() as db:
            save_backoff(db, self.smtp.server_key, self.gate.failures, self._gate_until or "",
                         self.gate.reply)

    def _clear_backoff_sync(self) -> None:
        with self.store.write() as db:
            clear_backoff(db, self.smtp.server_key)

    def _reclaim(self, db: object, now: str, *, force: bool = False) -> None:
        reclaim_expired(db, now=now, actor=self.store.actor)
        if force or time.monotonic() - self._dead_checked > DEAD_OWNER_CHECK_SECONDS:
            self._dead_checked = time.monotonic()
            reclaim_dead(db, now=now, actor=self.store.actor)

    def _claim_sync(self, limit: int) -> Claim:
        now = self.store.clock.now()
        with self.store.write() as db:
            self._reclaim(db, iso(now))
            claim = claim_batch(db, owner=self.owner, now=now, lease=self.lease, limit=limit)
        for row in claim.rows:
            try:
                row["bytes"] = message_bytes(row, self.settings)
            except ComposeError as error:
                row["compose_error"] = str(error)
        return claim

    def _apply_sync(self, completions: list[Completion]) -> list[int]:
        with self.store.write() as db:
            return complete(db, completions, now=self.store.clock.now_iso(), actor=self.store.actor)

    async def _apply(self, completions: list[Completion]) -> list[int]:
        return await self._db(self._apply_sync, completions)

    def _renew_sync(self) -> None:
        with self.store.write() as db:
            renew_leases(db, owner=self.owner, expires=iso(self.store.clock.now() + self.lease))

    def _defer_due_sync(self) -> int:
        with self.store.write() as db:
            return defer_due(db, now=self.store.clock.now_iso(), until=self._gate_until or "",
                             response=self.gate.reply)

    def _next_due_sync(self) -> str | None:
        return next_due_at(self.store.reader())

    def _pause_sync(self, campaign_id: int, reason: str) -> bool:
        with self.store.write() as db:
            return pause_campaign(db, campaign_id, reason, now=self.store.clock.now_iso(),
                                  actor=self.store.actor)


def _first_due(row: dict) -> datetime:
    return from_iso(row.get("scheduled_at") or row["created_at"])


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
