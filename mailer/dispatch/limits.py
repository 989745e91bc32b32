"""Pacing and protection: per-sender sliding windows, the server gate, the circuit breaker and
the campaigns it paused.

Windows run on monotonic time (they limit what the SMTP server sees per real second);
the retry times written to the outbox run on the store's clock.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

from store.wording import plural

# Slack on each window, so network jitter between our count and the server's never lets
# one more message than the limit into the server's window.
WINDOW_SLACK = 0.05


class SlidingWindow:
    """At most `limit` events in any `period` seconds."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period * (1 + WINDOW_SLACK)
        self.clock = clock
        self.events: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        while self.events and self.events[0] <= now - self.period:
            self.events.popleft()
        if len(self.events) < self.limit:
            return 0.0
        return self.events[0] + self.period - now

    def record(self, now: float) -> None:
        self.events.append(now)


class SenderLimiter:
    """Per-sender limits: R per minute (or per `period`) and N per hour; 0 means no limit."""

    def __init__(self, per_period: int, per_hour: int, period: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.specs = [(limit, span) for limit, span in ((per_period, period), (per_hour, 3600.0)) if limit]
        self.clock = clock
        self.windows: dict[str, list[SlidingWindow]] = {}

    async def acquire(self, sender: str) -> None:
        """Wait until `sender` may send one more message, then count it."""
        if not self.specs:
            return
        windows = self.windows.setdefault(
            sender.lower(), [SlidingWindow(limit, span, self.clock) for limit, span in self.specs])
        while True:
            now = self.clock()
            wait = max(window.wait_time(now) for window in windows)
            if wait <= 0:
                for window in windows:
                    window.record(now)
                return
            await asyncio.sleep(wait)


class ServerGate:
    """The SMTP server as a whole: after a connection-level failure nobody connects until it
    reopens, and then a single probe goes first; the others wait for its verdict."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.failures = 0
        self.down_until = 0.0
        self.reply = ""
        self.confirmed = True
        self.probing = False
        self._verdict = asyncio.Event()

    def is_down(self) -> bool:
        return self.clock() < self.down_until

    def restore(self, failures: int, seconds_left: float, reply: str) -> None:
        """Take over the back-off another run left behind (kept in the database)."""
        self.failures = failures
        self.confirmed = failures == 0
        self.reply = reply
        if seconds_left > 0:
            self.down_until = self.clock() + seconds_left

    def fail(self, reply: str, delay: Callable[[int], float]) -> float | None:
        """Record a server-level failure; returns the new delay, or None if already down."""
        self.confirmed = False
        self._end_probe()
        if self.is_down():
            return None
        self.failures += 1
        seconds = delay(self.failures)
        self.down_until = self.clock() + seconds
        self.reply = reply
        return seconds

    def settle(self) -> None:
        """The server answered a message for itself (accepted or refused it): it is up."""
        self.confirmed = True
        self.failures = 0
        self._end_probe()

    def shut(self, reply: str) -> None:
        """Stop all sending for the rest of the run (the dispatcher halted)."""
        self.down_until = float("inf")
        self.reply = reply
        self._end_probe()

    def _end_probe(self) -> None:
        self.probing = False
        self._verdict.set()

    async def connect(self, open_connection: Callable[[], Awaitable[None]]) -> None:
        """Open freely when the server is known good; otherwise probe, one connection at a time."""
        while not self.confirmed:
            if self.is_down():
                raise ServerDown(self.reply)
            if not self.probing:
                self.probing = True
                self._verdict.clear()
                try:
                    await open_connection()
                except BaseException:
                    self._end_probe()
                    raise
                return  # the probe's first message decides: settle() or fail()
            await self._verdict.wait()
        await open_connection()


class ServerDown(Exception):
    """The gate is closed; the message waits with the rest."""


class CircuitBreaker:
    """Counts consecutive permanent failures per campaign; trips once at `threshold`."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.streaks: dict[int, int] = {}

    def record(self, campaign_id: int | None, failed: bool) -> bool:
        """Note one result; True exactly when this failure trips the breaker."""
        if campaign_id is None or not self.threshold:
            return False
        if not failed:
            self.streaks[campaign_id] = 0
            return False
        self.streaks[campaign_id] = self.streaks.get(campaign_id, 0) + 1
        return self.streaks[campaign_id] == self.threshold


class CampaignHolds:
    """The campaigns one dispatcher's breaker paused, across its runs, and the claims it made.

    A campaign paused here maps to the number of claims made before the pause was written:
    rows claimed by then are held (handed back unsent); a row claimed later means someone
    resumed the campaign, since claims skip paused ones, so its streak starts again.
    """

    def __init__(self, breaker: CircuitBreaker) -> None:
        self.breaker = breaker
        self.paused: dict[int, float] = {}
        self.claims = 0

    def next_claim(self) -> int:
        """Count one more claim; its number, for the rows it brings."""
        self.claims += 1
        return self.claims

    def held(self, row: dict) -> bool:
        """Whether the row's campaign was paused by this dispatcher after the row was claimed."""
        campaign_id = row["campaign_id"]
        if campaign_id not in self.paused:
            return False
        if row.get("claim_number", 0) <= self.paused[campaign_id]:
            return True
        del self.paused[campaign_id]
        self.breaker.streaks.pop(campaign_id, None)
        return False

    async def trip(self, campaign_id: int, last_reply: str,
                   pause: Callable[[int, str], Awaitable[bool]]) -> str | None:
        """Hold the campaign at once and write its pause; the reason, when this pause was written."""
        reason = (f"Paused after {plural(self.breaker.threshold, 'failed message')} in a row; "
                  f"the last: {last_reply}")
        self.paused[campaign_id] = math.inf
        claims_before = self.claims
        written = await pause(campaign_id, reason)
        self.paused[campaign_id] = claims_before
        return reason if written else None
