"""One dispatch run's way to the database: its own thread, and an inline connection that never waits."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar, TypeVarTuple

from mailer.dispatch.db_thread import (
    DISPATCH_CHECKPOINT_PAGES,
    DispatchDb,
    is_busy,
    never_waiting,
    set_checkpoint_pages,
)
from store.outbox.results import Completion
from store.outbox.sent_log import SentLog

# A claim holds the write lock for a few milliseconds: the retries span ~30 ms in all.
INLINE_RETRY_PAUSES = (0.0002, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016)

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


class RunDb:
    """One run's two ways to the database: the dispatcher's `DispatchDb` on a thread of its own,
    and a twin on a connection that never waits for a lock, called inline on the event loop.

    Claims and folds go to the thread; results go inline (plain sends to the shared sent log,
    the rest as short commits), falling back to the thread while the database is busy.
    """

    def __init__(self, db: DispatchDb) -> None:
        self.threaded = db
        self.store = db.store
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="callsheet-dispatch-db")
        self.inline_store = never_waiting(db.store)
        self.inline = DispatchDb(self.inline_store, db.config, db.owner, db.lease)
        self.checkpoint_pages: int | None = None
        self.folding: asyncio.Future[None] | None = None

    async def open(self) -> None:
        """Open the sent log both share and checkpoint less often while the run lasts."""
        self.threaded.log = self.inline.log = SentLog.open(self.store.reader(), self.threaded.owner)
        self.checkpoint_pages = await self.thread(set_checkpoint_pages, self.store,
                                                  DISPATCH_CHECKPOINT_PAGES)

    async def thread(self, function: Callable[[*Ts], T], *args: *Ts) -> T:
        """`function(*args)` on the dispatcher's database thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(function, *args))

    async def quick(self, write: Callable[[DispatchDb], T]) -> T:
        """A short write, inline when the database is free; while another transaction holds it
        (this dispatcher's own claim, on its thread, or another process), retried inline after
        short pauses, since the database thread queues it behind that very claim."""
        for pause in (*INLINE_RETRY_PAUSES, None):
            try:
                return write(self.inline)
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
            if pause is None:
                break
            await asyncio.sleep(pause)
        return await self.thread(write, self.threaded)

    async def record(self, completions: list[Completion]) -> list[int]:
        """Record a group of results; returns the row ids whose lease was no longer ours."""
        # Two dispatchers on one file measured 1.4-1.7x (a) with sends in the log, 0.8-1.0x
        # with a database commit per group (each waited out the other's claims).
        sends = [done for done in completions if done.plain_send]
        others = [done for done in completions if not done.plain_send]
        fenced = self.inline.log_sent(sends) if sends else []
        if others:
            fenced += await self.quick(lambda dispatch: dispatch.apply(others))
        return fenced

    async def pause(self, campaign_id: int, reason: str) -> bool:
        return await self.thread(self.threaded.pause, campaign_id, reason)

    def fold_soon(self) -> None:
        """Nothing queued means no claim is coming to fold the sent log: fold it on the database
        thread now, so the last messages of a run (or a trickle) show as sent at once."""
        if self.folding is None or self.folding.done():
            self.folding = asyncio.ensure_future(self._fold_quietly())

    async def _fold_quietly(self) -> None:
        # A fold that fails changes nothing: the next claim, or the end of the run, folds again.
        with contextlib.suppress(sqlite3.Error, OSError):
            await self.thread(self.threaded.fold)

    async def renew_forever(self) -> None:
        """Renew this dispatcher's leases every third of their length, until cancelled."""
        while True:
            await asyncio.sleep(max(1.0, self.threaded.lease.total_seconds() / 3))
            await self.quick(lambda dispatch: dispatch.renew())

    async def close(self) -> None:
        """Fold the sent log and drop finished bytes, put the checkpoint interval back, close
        the log and both connections' helpers; a failing step leaves the rest to the next run."""
        with contextlib.suppress(sqlite3.Error, OSError):
            await self.thread(self.threaded.purge)
            if self.checkpoint_pages is not None:
                await self.thread(set_checkpoint_pages, self.store, self.checkpoint_pages)
        with contextlib.suppress(sqlite3.Error, OSError):
            await self.thread(self.threaded.close_log)
        self.inline.log = None
        self.executor.shutdown(wait=True)
        self.inline_store.close()
