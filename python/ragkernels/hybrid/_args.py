"""Argument checks and the result type shared by both HybridIndex implementations, so they
raise the same exceptions with the same messages."""

from __future__ import annotations

import numbers
from typing import NamedTuple

from ..vector import _checks

#: fetch_k when none is given: at least 50 candidates from each retriever (more for a large k).
DEFAULT_FETCH_K = 50


class HybridHit(NamedTuple):
    """One fused result: the chunk id, its RRF score, and its 1-based rank among the BM25 and
    the vector candidates (None when that retriever did not return it)."""

    id: int
    score: float
    bm25_rank: int | None
    vector_rank: int | None


def _count(name: str, value, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    value = int(value)
    if not 1 <= value <= maximum:
        raise ValueError(f"{name} must be between 1 and {maximum}, got {value}")
    return value


def check_search(text, k, fetch_k, weights, rrf_k) -> tuple[int, int, float, float, float]:
    """(k, fetch_k, bm25 weight, vector weight, rrf_k) after checking search()'s arguments."""
    if type(text) is not str:
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    k = _count("k", k, 2**31 - 1)
    fetch_k = max(DEFAULT_FETCH_K, k) if fetch_k is None else _count("fetch_k", fetch_k, 2**30 - 1)
    w = _checks.rrf_weights(weights, 2)
    return k, fetch_k, w[0], w[1], _checks.rrf_k(rrf_k)


def check_query(vectors, vector):
    """The query embedding as a C-contiguous float32 array, or None for a BM25-only search."""
    if vector is None:
        return None
    if vectors is None:
        raise ValueError("this HybridIndex has no vector index: pass vector=None")
    return _checks.query(vector, vectors.dim)
