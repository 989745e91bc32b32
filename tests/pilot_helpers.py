"""Waiting on the app in Pilot tests: on conditions, never on fixed sleeps."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let workers and timers run until `condition` holds, or fail after `timeout` real seconds.

    The deadline is wall time and generous: a loaded 2-core CI machine slows every pause.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        # An exclusive worker (a pane's database watcher) replaced by its successor raises here;
        # a failed worker too, and the App has already reported it (tests assert on its notification).
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)


async def until_pausing(pilot: Pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """As `until`, without waiting on the workers: for an app whose dispatcher worker runs on.

    The deadline only ends a wait that would otherwise hang; it is never what the test checks."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


async def settled(app: App) -> None:
    """Wait for the app's workers, ignoring a replaced watcher and failures the App has reported."""
    with contextlib.suppress(WorkerCancelled, WorkerFailed):
        await app.workers.wait_for_complete()
