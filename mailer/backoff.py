"""Retry times: Postfix-like exponential backoff with a floor, a cap and bounded jitter."""

from __future__ import annotations

import random


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
