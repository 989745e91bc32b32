"""The garbage collector set for an interactive session: no pause of a tenth of a second under a key.

Measured at 100,000 influencers (tests/bench/feel.py): with Python's defaults a full collection ran
every nine or ten page turns and took 70-130 ms, almost all of it walking the objects that live as
long as the app (modules, widgets, styles). Frozen after the first frame, they are never walked
again; young objects are collected every 10,000 allocations instead of 700, and the oldest generation
after 20 collections of the middle one instead of 10, so cyclic garbage is still freed, in fewer and
shorter passes (no full collection in 30 page turns, p95 of a page turn 196 → 129 ms).
"""

from __future__ import annotations

import gc

THRESHOLDS = (10_000, 20, 20)
# From the app's construction to its first frame nearly everything made lives as long as the app, so
# collecting finds little and walks it all: a full collection mid-mount measured 20-37 ms of a cold
# start. Young objects are still collected, every 50,000 allocations; the rest waits for `settle`.
STARTING = (50_000, 50, 1_000)
_before: list[tuple[int, int, int]] = []  # the thresholds in force before `hold` or `settle`, for `release`


def hold() -> None:
    """Collect rarely while the app starts (call as it is built; `settle` ends it)."""
    if not _before:
        _before.append(gc.get_threshold())
    gc.set_threshold(*STARTING)


def settle() -> None:
    """Freeze what start-up made and space the collections out (call once the first frame is up)."""
    gc.collect()  # what start-up left as garbage is freed now, not kept frozen
    gc.freeze()
    if not _before:
        _before.append(gc.get_threshold())
    gc.set_threshold(*THRESHOLDS)


def release() -> None:
    """Undo `settle` when the app ends: in a process that goes on (the tests run thousands of apps),
    a frozen app would never be collected."""
    gc.unfreeze()
    if _before:
        gc.set_threshold(*_before.pop())
