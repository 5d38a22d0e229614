"""Scoring signals for hallucination guards (shared/spec/signals.md), dispatched to the
native kernels or their pure-Python twins."""

from .._dispatch import IMPLEMENTATION

if IMPLEMENTATION == "native":
    from ._native import (
        TrendWindow,
        entity_overlap,
        entity_overlap_batch,
        negation_flip,
        negation_flip_batch,
        numerical_consistency,
        numerical_consistency_batch,
        traceability,
        traceability_batch,
        trend_drop,
    )
else:
    from ._py import (
        TrendWindow,
        entity_overlap,
        entity_overlap_batch,
        negation_flip,
        negation_flip_batch,
        numerical_consistency,
        numerical_consistency_batch,
        traceability,
        traceability_batch,
        trend_drop,
    )

__all__ = [
    "TrendWindow",
    "entity_overlap",
    "entity_overlap_batch",
    "negation_flip",
    "negation_flip_batch",
    "numerical_consistency",
    "numerical_consistency_batch",
    "traceability",
    "traceability_batch",
    "trend_drop",
]
