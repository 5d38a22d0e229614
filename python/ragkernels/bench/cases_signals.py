"""Benchmark rows for the scoring signals (shared/spec/signals.md reference inputs)."""

from __future__ import annotations

from ._cases import Case

# The reference inputs of shared/spec/signals.md.
TREND_SERIES = [0.85, 0.82, 0.78, 0.71, 0.65, 0.58, 0.52, 0.48, 0.43, 0.39]


def _trend_drop(module):
    values = TREND_SERIES
    trend_drop = module.trend_drop
    return lambda: trend_drop(values)


def _window_push(module):
    # A push costs the same whatever the score (the window is recomputed in full), so a
    # constant score keeps the harness's own work out of the timing.
    window = module.TrendWindow(5)
    for score in TREND_SERIES[:5]:
        window.push(score)
    push = window.push
    return lambda: push(0.39)


def _python_trend_drop_on_window(module):
    # What a guard does without a window object: call trend_drop on the last 5 scores.
    if not module.__name__.endswith("._py"):
        return None
    values = TREND_SERIES[:5]
    trend_drop = module.trend_drop
    return lambda: trend_drop(values)


CASES = [
    Case("trend_drop", "10-value reference series (list)", "signals", _trend_drop, peer_function="trend_drop"),
    Case("TrendWindow.push", "full window of 5", "signals", _window_push,
         notes="the Python twin's push; compare with trend_drop on a 5-value list"),
    Case("trend_drop (5 values)", "5-value list: the per-token call a window replaces", "signals",
         _python_trend_drop_on_window, csharp=None),
]
