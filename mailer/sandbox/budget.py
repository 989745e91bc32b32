"""The per-render budget of the template sandbox: steps, a deadline, and the sizes of what is built.

Three limits bound memory whatever a template does: no single value over VALUE_LIMIT
characters or items, no more than BUILT_LIMIT characters or items built in all during
one render (so many medium values cannot pile up in a list or a buffer), and the
output under OUTPUT_LIMIT. Sizes are checked before an operation allocates, wherever
its result size can be known in advance (sandbox_sizes.py).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

OUTPUT_LIMIT = 100_000  # characters of one rendered subject or body
VALUE_LIMIT = 100_000  # characters or items of any value built while rendering
BUILT_LIMIT = 1_000_000  # characters or items built in all during one render
STEP_LIMIT = 100_000  # loop iterations, calls, filters and joins per render
TIME_LIMIT = 0.5  # seconds of wall time per render


class LimitExceeded(Exception):
    """A template tried to do more work than one email needs."""


class Budget:
    """Steps, built size and a deadline for one render."""

    def __init__(self) -> None:
        self.steps = 0
        self.built = 0
        self.deadline = time.monotonic() + TIME_LIMIT

    def tick(self) -> None:
        self.steps += 1
        if self.steps > STEP_LIMIT:
            raise LimitExceeded(f"it does too much work (over {STEP_LIMIT:,} loop steps or calls)")
        if self.steps % 64 == 0 and time.monotonic() > self.deadline:
            raise LimitExceeded(f"it takes too long to render (over {TIME_LIMIT} s)")

    def charge(self, size: int) -> None:
        self.built += size
        if self.built > BUILT_LIMIT:
            raise LimitExceeded(f"it builds too much text or too many items in all "
                                f"(over {BUILT_LIMIT:,} while rendering)")


_budget: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


def tick() -> None:
    budget = _budget.get()
    if budget is not None:
        budget.tick()


def charge(size: int) -> None:
    """Count a newly built value against the render's total (outside a render: nothing)."""
    budget = _budget.get()
    if budget is not None:
        budget.charge(size)


def too_big(size: int, what: str) -> None:
    if size > VALUE_LIMIT:
        raise LimitExceeded(f"it builds {what} too large ({size:,} over {VALUE_LIMIT:,})")


def measure(value: Any) -> int:
    """Characters or items of a built value (0 for anything that is not a sized builtin)."""
    if isinstance(value, str | bytes | bytearray | list | tuple | dict | set | frozenset):
        return len(value)
    return 0


def built(value: Any, what: str) -> Any:
    """Check and charge a value an operation has just built; returns it."""
    size = measure(value)
    too_big(size, what)
    charge(size)
    return value


class metered:
    """Context manager: a fresh budget for the renders inside it."""

    def __enter__(self) -> Budget:
        self._budget = Budget()
        self._token = _budget.set(self._budget)
        return self._budget

    def __exit__(self, *exc: object) -> None:
        _budget.reset(self._token)
