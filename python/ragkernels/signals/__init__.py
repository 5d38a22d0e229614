"""Scoring signals for hallucination guards (shared/spec/signals.md), dispatched to the
native kernels or their pure-Python twins."""

from .._dispatch import IMPLEMENTATION

if IMPLEMENTATION == "native":
    from ._native import TrendWindow, trend_drop
else:
    from ._py import TrendWindow, trend_drop

__all__ = ["TrendWindow", "trend_drop"]
