"""Pacing and protection: per-sender sliding windows, the server gate and the circuit breaker.

Windows run on monotonic time (they limit what the SMTP server sees per real second);
the retry times written to the outbox run on the store's clock.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

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
    reopens, and then one probe connection goes first."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.failures = 0
        self.down_until = 0.0
        self.reply = ""
        self.confirmed = True
        self._probe = asyncio.Lock()

    def is_down(self) -> bool:
        return self.clock() < self.down_until

    def fail(self, reply: str, delay: Callable[[int], float]) -> float | None:
        """Record a server-level failure; returns the new delay, or None if already down."""
        self.confirmed = False
        if self.is_down():
            return None
        self.failures += 1
        seconds = delay(self.failures)
        self.down_until = self.clock() + seconds
        self.reply = reply
        return seconds

    async def connect(self, open_connection: Callable[[], object]) -> None:
        """Run `open_connection` freely when the server is known good, else one at a time."""
        if self.confirmed:
            await open_connection()
            return
        async with self._probe:
            if self.is_down():
                raise ServerDown(self.reply)
            await open_connection()
            self.confirmed = True
            self.failures = 0


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
