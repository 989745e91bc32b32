"""The dispatcher's feeder: claims due rows in batches under a lease and queues them for the workers.

While the server is backed off it postpones what falls due instead; when nothing is due it
builds upcoming messages' bytes and sleeps until the next due time, a poll or a wake-up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from mailer.config import Config
from mailer.dispatch.backoff import BackOffKeeper
from mailer.dispatch.limits import CampaignHolds
from mailer.dispatch.prebuild import attach_bytes, prepare_outbox
from mailer.dispatch.run_db import RunDb
from mailer.dispatch.run_state import RunState
from store.clock import from_iso
from store.db import Store
from store.outbox.claims import Claim


class Feeder:
    """Keeps one run's queue fed until nothing is due (or `limit` rows were claimed), or forever."""

    def __init__(self, run: RunState, db: RunDb, *, holds: CampaignHolds, backoff: BackOffKeeper,
                 store: Store, config: Config, prepare: Callable[[Store], object] | None,
                 batch: int, wake: asyncio.Event) -> None:
        self.run, self.db = run, db
        self.holds, self.backoff = holds, backoff
        self.store, self.config, self.prepare = store, config, prepare
        self.batch = batch
        self.wake = wake

    async def feed(self, *, forever: bool, stop: asyncio.Event | None, limit: int | None) -> None:
        claimed = 0
        report = self.run.report
        while not report.halted and not (stop is not None and stop.is_set()):
            if self.backoff.is_down():
                await self._postpone_due()
                if not forever:
                    return
                await self._sleep(self.backoff.gate.down_until - time.monotonic(), stop)
                continue
            if limit is not None and claimed >= limit:
                return
            await self.run.wait_for_room()
            claim = await self._claim(self.batch if limit is None else min(self.batch, limit - claimed))
            claimed += len(claim.rows)
            if not claim.rows and not claim.skipped:
                if not forever:
                    return
                await self._idle(stop)

    async def _postpone_due(self) -> None:
        """The server is backed off: what falls due meanwhile waits for it to reopen."""
        until = self.backoff.until
        assert until is not None
        postponed = await self.db.thread(self.db.threaded.defer_due, until, self.backoff.reply)
        self.run.report.deferred += postponed
        self.run.notify("waiting", force=True)

    async def _claim(self, size: int) -> Claim:
        """Claim up to `size` due rows, with their bytes, and queue them numbered by this claim."""
        number = self.holds.next_claim()
        claim = await self.db.thread(self.db.threaded.claim, size)
        if any("bytes" not in row for row in claim.rows):
            await self.db.thread(attach_bytes, claim.rows, self.config.dispatch)
        self.run.report.skipped += claim.skipped
        for row in claim.rows:
            row["claim_number"] = number
            self.run.queue.put_nowait(row)
        if claim.skipped:
            self.run.notify("sending")
        return claim

    async def _idle(self, stop: asyncio.Event | None) -> None:
        """Nothing due: build upcoming messages' bytes, then sleep until the next due time or a poll."""
        self.run.notify("idle", force=True)
        await self.db.thread(self.db.threaded.purge)
        await self.db.thread(prepare_outbox, self.store, self.config)
        if self.prepare is not None:
            await self.db.thread(self.prepare, self.store)
        next_due = await self.db.thread(self.db.threaded.next_due)
        seconds = self.config.dispatch.poll_seconds
        if next_due is not None:
            seconds = min(seconds, max(0.0, (from_iso(next_due) - self.store.clock.now()).total_seconds()))
        await self._sleep(seconds, stop)

    async def _sleep(self, seconds: float, stop: asyncio.Event | None) -> None:
        """Sleep `seconds`, or until woken (new mail) or stopped."""
        self.wake.clear()
        waiters = [asyncio.create_task(self.wake.wait())]
        if stop is not None:
            waiters.append(asyncio.create_task(stop.wait()))
        _, pending = await asyncio.wait(waiters, timeout=max(0.0, seconds),
                                        return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
