"""What one dispatch run shares between its feeder and its workers: the counts, the claimed rows
not yet taken, and the one way a run stops on an error."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mailer.dispatch.limits import ServerGate
from mailer.dispatch.progress import DispatchProgress, DispatchReport, snapshot
from store.errors import UserError

ProgressCallback = Callable[[DispatchProgress], None]
PROGRESS_INTERVAL = 0.1


@dataclass
class RunState:
    """One run: its report, its queue of claimed rows (None marks a worker's end) and its progress.

    The feeder keeps the queue at most `ahead` rows long (claiming the next batch while
    half of this one is still queued, so a worker never waits for a claim); a worker that
    takes a row makes room again.
    """

    gate: ServerGate
    ahead: int
    progress: ProgressCallback | None = None
    report: DispatchReport = field(default_factory=DispatchReport)
    queue: asyncio.Queue[dict | None] = field(default_factory=asyncio.Queue)
    room: asyncio.Event = field(default_factory=asyncio.Event)
    total: int = 0
    in_flight: int = 0
    progress_at: float = float("-inf")

    async def wait_for_room(self) -> None:
        while self.queue.qsize() >= self.ahead:
            self.room.clear()
            await self.room.wait()

    def took_row(self) -> None:
        if self.queue.qsize() < self.ahead:
            self.room.set()

    def halt(self, sentence: str) -> None:
        """Stop sending for the rest of the run; the first sentence is the one reported."""
        if self.report.halted is None:
            self.report.halted = sentence
            self.gate.shut(sentence)

    def fail(self, error: BaseException) -> None:
        """The one error path of a run, its feeder and its workers: halt with the error's sentence."""
        self.halt(error_sentence(error))

    def notify(self, state: str, *, force: bool = False) -> None:
        """Tell the progress callback (at most every PROGRESS_INTERVAL seconds unless `force`)."""
        if self.progress is None:
            return
        now = time.monotonic()
        if not force and now - self.progress_at < PROGRESS_INTERVAL:
            return
        self.progress_at = now
        report = self.report
        total = max(self.total, report.sent + report.deferred + report.failed + report.skipped
                    + self.in_flight + self.queue.qsize())
        note = f"server down: {self.gate.reply}" if state == "waiting" else None
        self.progress(snapshot(report, total, self.in_flight, state, note))


def error_sentence(error: BaseException) -> str:
    if isinstance(error, UserError):
        return error.sentence
    if isinstance(error, sqlite3.Error):
        return f"The database refused a write ({error}); unsent mail stays in the outbox."
    return f"{type(error).__name__}: {error}"
