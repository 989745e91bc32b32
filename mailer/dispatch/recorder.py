"""Group recording of completions: one write records what every worker finished meanwhile.

A worker waits for its previous result to be durable (in the sent log, or committed) before
it hands the server its next message's data (it overlaps the record with MAIL and RCPT), so
at any moment at most one message per connection has been accepted without its `sent`
recorded: a crash can double at most K messages (R1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from store.outbox.results import Completion

ApplyBatch = Callable[[list[Completion]], Awaitable[list[int]]]


class Recorder:
    """Collects completions and records them in batches; each future resolves once its batch is durable."""

    def __init__(self, apply_batch: ApplyBatch) -> None:
        self.apply_batch = apply_batch
        self.pending: list[tuple[Completion, asyncio.Future[bool]]] = []
        self.flusher: asyncio.Task | None = None

    def submit(self, completion: Completion) -> asyncio.Future[bool]:
        """Queue `completion` for the next batch; the future says False when the lease was lost."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.pending.append((completion, future))
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self._flush())
        return future

    async def _flush(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, []
            try:
                fenced = set(await self.apply_batch([completion for completion, _ in batch]))
            except BaseException as error:  # noqa: BLE001 - every waiter must hear of it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if isinstance(error, asyncio.CancelledError):
                    raise
                continue
            for completion, future in batch:
                if not future.done():
                    future.set_result(completion.row_id not in fenced)
