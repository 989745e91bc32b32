"""Retry times (Postfix-like exponential backoff with a floor, a cap and bounded jitter), and the
server's back-off that outlives a run: when the server may be tried again, and whether the
database knows it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from store.clock import iso

if TYPE_CHECKING:
    from mailer.config import DispatchSettings
    from mailer.dispatch.limits import ServerGate
    from mailer.dispatch.run_db import RunDb


def retry_delay(attempt: int, *, minimum: float, maximum: float, jitter: float, seed: object = None) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): min·2^(n-1), capped, ±jitter.

    The jitter is drawn from `seed`, so a given message and attempt always get the same
    delay (tests can check the schedule exactly) while different messages spread out.
    """
    base = min(maximum, minimum * 2 ** max(0, attempt - 1))
    if not jitter:
        return base
    spread = random.Random(repr(seed)).uniform(-jitter, jitter)
    return base * (1 + spread)


def retry_seconds(settings: DispatchSettings, attempt: int, seed: object,
                  jitter: float | None = None) -> float:
    """`retry_delay` with the dispatcher's floor, cap and (unless given) jitter."""
    return retry_delay(attempt, minimum=settings.backoff_min, maximum=settings.backoff_max,
                       jitter=settings.backoff_jitter if jitter is None else jitter, seed=seed)


class BackOffKeeper:
    """The server's back-off for one dispatcher, across its runs.

    `until` is the store-clock time the server reopens (for the rows postponed meanwhile);
    the gate keeps the same on monotonic time. The keeper writes the back-off to the
    database while it lasts, so the next run (or process) waits it out too, and forgets it
    there after the first message the server accepts.
    """

    def __init__(self, gate: ServerGate, settings: DispatchSettings) -> None:
        self.gate = gate
        self.settings = settings
        self.until: str | None = None
        self.unsaved = False
        self.saved = False

    @property
    def reply(self) -> str:
        return self.gate.reply

    def is_down(self) -> bool:
        """Whether the server is backed off now (a halt shuts the gate too, without an `until`)."""
        return self.until is not None and self.gate.is_down()

    def restore(self, failures: int, left: float, reply: str, until: str | None) -> None:
        """Take over the back-off the database holds (from an earlier run)."""
        if failures:
            self.gate.restore(failures, left, reply)
            self.saved = True
            if left > 0:
                self.until = until

    def server_failed(self, reply: str, now: datetime) -> None:
        """A connection-level failure: back off (unless already backed off) and save it soon."""
        seconds = self.gate.fail(reply, lambda failures: retry_seconds(self.settings, failures, None, 0.0))
        if seconds is not None:
            self.until = iso(now + timedelta(seconds=seconds))
            self.unsaved = True

    async def keep(self, label: str, db: RunDb) -> None:
        """Keep the server's back-off in the database while it lasts; forget it after a success."""
        if self.unsaved:
            self.unsaved, self.saved = False, True
            failures, until, reply = self.gate.failures, self.until or "", self.gate.reply
            await db.quick(lambda dispatch: dispatch.save_backoff(failures, until, reply))
        elif label == "sent" and self.saved:
            self.saved = False
            await db.quick(lambda dispatch: dispatch.clear_backoff())
