"""The metadata-filter argument shared by BM25Index.search, VectorIndex.search and HybridIndex
(both implementations): `allowed`, the ids a search may return.

A filter is applied before the top k: rows whose id is not allowed are skipped while the top k
is collected, so they never take a place (filtering is not a score of 0, and k results still
come back when k allowed rows match). The native kernels get the ids as a sorted, duplicate-free
int64 array and test membership by binary search only for rows that would enter the top k.
"""

from __future__ import annotations

import operator

import numpy as np

#: Raised (ValueError) by both implementations when a filter or a hybrid search meets a BM25
#: index whose ids are not all int64 integers (C#: Bm25Snapshot.IntegerIdsNeeded).
INTEGER_IDS_NEEDED = "filters and hybrid search need int64 document ids in the BM25 index"

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def allowed_ids(allowed) -> np.ndarray | None:
    """None, or the allowed ids as a sorted, duplicate-free C-contiguous int64 array.

    Args:
        allowed: None (no filter) or an iterable of int ids (a set, a list, a numpy integer
            array); an empty iterable allows nothing.
    Raises:
        TypeError: not an iterable of ints (str and bool are refused).
        ValueError: an id outside the int64 range.
    """
    if allowed is None:
        return None
    if isinstance(allowed, np.ndarray):
        if allowed.dtype.kind not in "iu":
            raise TypeError(f"allowed must hold int ids, not an array of dtype {allowed.dtype}")
        if allowed.dtype.kind == "u" and allowed.size and int(allowed.max()) > _INT64_MAX:
            raise ValueError(f"allowed ids must be int64 values, got {int(allowed.max())}")
        ids = np.ascontiguousarray(allowed.reshape(-1), dtype=np.int64)
        if ids.shape[0] < 2 or bool((ids[1:] > ids[:-1]).all()):
            return ids  # already sorted without duplicates (the common case): no sort, no copy
        return np.unique(ids)
    if isinstance(allowed, (str, bytes, bytearray)) or not hasattr(allowed, "__iter__"):
        raise TypeError(f"allowed must be None or an iterable of int ids, not {type(allowed).__name__}")
    values = []
    for value in allowed:
        if isinstance(value, (bool, np.bool_)) or isinstance(value, (str, bytes)):
            raise TypeError(f"allowed must hold int ids, got {type(value).__name__}")
        try:
            number = operator.index(value)
        except TypeError:
            raise TypeError(f"allowed must hold int ids, got {type(value).__name__}") from None
        if not _INT64_MIN <= number <= _INT64_MAX:
            raise ValueError(f"allowed ids must be int64 values, got {number}")
        values.append(number)
    return np.unique(np.array(values, dtype=np.int64))


def integer_ids(ids) -> bool:
    """True when every id is a Python int in the int64 range (what the native side can parse)."""
    return all(type(i) is int and _INT64_MIN <= i <= _INT64_MAX for i in ids)


_ONE = np.zeros(1, dtype=np.int64)


def buffer_of(allowed: np.ndarray) -> np.ndarray:
    """The array to pass as the C `allowed` pointer: never empty, because a NULL pointer means
    "no filter" while an empty filter (allowed_count 0) allows nothing."""
    return allowed if allowed.shape[0] else _ONE
