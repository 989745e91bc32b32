"""The figures the benchmarks report: p50 and p95 over every run, never the best of them."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def p50_p95(samples: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile (inclusive method) of the samples."""
    if len(samples) == 1:
        return samples[0], samples[0]
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[18]


def runs(action: Callable[[], object], count: int = 5) -> tuple[float, float]:
    """(p50, p95) in seconds of `count` runs of `action`."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return p50_p95(times)
