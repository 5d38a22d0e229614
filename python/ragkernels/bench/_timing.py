"""Timing single calls: warm-up discarded, garbage collector off, perf_counter_ns around each
call, and the cost of the timer itself subtracted."""

from __future__ import annotations

import gc
import statistics
import time

_clock = time.perf_counter_ns

# The timed calls of a row are split into this many rounds that alternate between the Python
# twin, native, C# and the peers. This machine kind (a VM on a shared host) changes speed by up to
# ±50% from one minute to the next; timing the twin and then native, each in one block, let that
# drift decide a row's speed-up. Alternating rounds expose every implementation to the same drift,
# so the ratios hold even when the absolute times move.
ROUNDS = 10


def timer_overhead_ns(samples: int = 20001) -> float:
    """Median cost of timing an empty call (two clock reads around `lambda: None`): the
    harness's own share, subtracted from every timed call."""
    clock = _clock
    empty = lambda: None  # noqa: E731 - the same shape as the timed closures
    deltas = []
    for _ in range(samples):
        t0 = clock()
        empty()
        t1 = clock()
        deltas.append(t1 - t0)
    return float(statistics.median(deltas))


def time_calls(call, iterations: int, warmup: int, overhead_ns: float) -> list[float]:
    """Per-call times in nanoseconds of `call()` (no arguments: bind them with a closure)."""
    clock = _clock
    for _ in range(warmup):
        call()
    times = [0.0] * iterations
    enabled = gc.isenabled()
    gc.disable()
    try:
        for i in range(iterations):
            t0 = clock()
            call()
            t1 = clock()
            times[i] = t1 - t0 - overhead_ns
    finally:
        if enabled:
            gc.enable()
    return times


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks."""
    if not sorted_values:
        return float("nan")
    position = (len(sorted_values) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def summarize(times_ns: list[float]) -> dict:
    """Median, p95, p99, min and max in microseconds, and the sample count."""
    ordered = sorted(times_ns)
    us = 1e-3
    return {
        "n": len(ordered),
        "median_us": percentile(ordered, 50) * us,
        "p95_us": percentile(ordered, 95) * us,
        "p99_us": percentile(ordered, 99) * us,
        "min_us": ordered[0] * us if ordered else float("nan"),
        "max_us": ordered[-1] * us if ordered else float("nan"),
    }
