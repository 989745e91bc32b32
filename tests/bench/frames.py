"""Keystroke → frame painted, timed through Textual's post-display hook.

"Painted" is the first frame after which the new data is on screen: `App.post_display_hook` runs
right after each frame is composed (under `run_test` the frame is composed but not written to a
terminal), and once the condition holds there, `Screen.call_after_refresh` stamps the time when
the screen has nothing left to lay out or repaint, so the frame that shows the data is complete.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot

TIMEOUT = 60.0


class FrameTimer:
    """Hooks one app's frames; `keys` times key presses until `ready()` holds in a painted frame."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._ready: Callable[[], bool] | None = None
        self._done: asyncio.Future[float] | None = None
        self.frames = 0
        app.post_display_hook = self._displayed  # type: ignore[method-assign]

    def _displayed(self) -> None:
        self.frames += 1
        if self._ready is None or self._done is None or not self._ready():
            return
        self._ready, done = None, self._done
        self.app.screen.call_after_refresh(lambda: done.done() or done.set_result(time.perf_counter()))

    async def until(self, ready: Callable[[], bool], start: float) -> float:
        """Seconds from `start` until a painted frame in which `ready()` holds."""
        assert self._done is not None
        try:
            return await asyncio.wait_for(self._done, TIMEOUT) - start
        finally:
            self._ready = self._done = None

    def arm(self, ready: Callable[[], bool]) -> None:
        self._ready, self._done = ready, asyncio.get_running_loop().create_future()

    async def keys(self, pilot: Pilot[Any], keys: tuple[str, ...], ready: Callable[[], bool]) -> float:
        """Press `keys` (the clock starts before the first) and wait for the frame that shows the result."""
        if ready():
            raise AssertionError("the condition holds before the key is pressed: it would time nothing")
        self.arm(ready)
        start = time.perf_counter()
        await pilot.press(*keys)
        return await self.until(ready, start)
