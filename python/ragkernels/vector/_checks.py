"""Argument checks shared by both VectorIndex/rrf implementations, so they accept the same
inputs and raise the same exceptions with the same messages. Checks that need the index's
contents (duplicate ids, NaN rows, unknown ids) live in each implementation, with the same
messages and in the same order as the C# kernel (RagKernels.Vectors.VectorIndex)."""

from __future__ import annotations

import math
import numbers

import numpy as np

METRICS = {"dot": 0, "cosine": 1, "l2": 2}
METRIC_NAMES = {code: name for name, code in METRICS.items()}
MAX_DIMENSION = 1 << 16
MAX_ID = 2**63 - 2

_float32 = np.dtype(np.float32)
_int64 = np.dtype(np.int64)
_ndarray = np.ndarray


def _type_name(value) -> str:
    return type(value).__name__


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def dimension(dim) -> int:
    if not _is_int(dim):
        raise TypeError(f"VectorIndex: dim must be an int, not {_type_name(dim)}")
    dim = int(dim)
    if not 1 <= dim <= MAX_DIMENSION:
        raise ValueError(f"VectorIndex: dim must be between 1 and {MAX_DIMENSION}, got {dim}")
    return dim


def metric(name) -> str:
    if not isinstance(name, str) or name not in METRICS:
        raise ValueError(f"VectorIndex: metric must be one of 'cosine', 'dot', 'l2', got {name!r}")
    return name


def matrix(name: str, vectors, dim: int) -> np.ndarray:
    """`vectors` as a C-contiguous float32 array of shape (n, dim): a float32 C-contiguous array
    is returned as is (no copy); a 1-D array of length dim is one row; anything else numeric is
    converted."""
    if type(vectors) is not _ndarray or vectors.dtype != _float32 or not vectors.flags.c_contiguous:
        vectors = _as_float32(name, vectors)
    if vectors.ndim == 1 and vectors.shape[0] == dim:
        vectors = vectors.reshape(1, dim)
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise ValueError(f"{name} must have shape (n, {dim}), got {vectors.shape}")
    return vectors


def query(vector, dim: int) -> np.ndarray:
    """One query as a C-contiguous float32 array of shape (dim,), not copied when it is one."""
    if type(vector) is _ndarray and vector.dtype == _float32 and vector.flags.c_contiguous and vector.shape == (dim,):
        return vector
    vector = _as_float32("query", vector)
    if vector.ndim == 2 and vector.shape[0] == 1:
        vector = vector.reshape(-1)
    if vector.shape != (dim,):
        raise ValueError(f"query must have shape ({dim},), got {vector.shape}")
    return vector


def _as_float32(name: str, values) -> np.ndarray:
    if isinstance(values, (str, bytes, bytearray)):
        raise TypeError(f"{name} must be an array of real numbers, not {_type_name(values)}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of real numbers: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, not an array of dtype {array.dtype}")
    return np.ascontiguousarray(array, dtype=_float32)


def new_ids(ids, n: int) -> np.ndarray | None:
    """None (automatic ids) or an int64 array of n ids. Values outside int64 are refused here
    with the message the kernels give for any out-of-range id."""
    if ids is None:
        return None
    if type(ids) is _ndarray and ids.dtype == _int64 and ids.flags.c_contiguous and ids.ndim == 1:
        array = ids
    else:
        if _is_int(ids):
            ids = [ids]
        if isinstance(ids, (str, bytes, bytearray)):
            raise TypeError(f"ids must be a sequence of ints, not {_type_name(ids)}")
        try:
            values = ids.tolist() if type(ids) is _ndarray else list(ids)
        except TypeError:
            raise TypeError(f"ids must be a sequence of ints, not {_type_name(ids)}") from None
        for value in values:
            if not _is_int(value):
                raise TypeError(f"ids must be ints, not {_type_name(value)}")
            if not 0 <= value <= MAX_ID:
                raise ValueError(f"id {int(value)} is out of range (0 to {MAX_ID})")
        array = np.array(values, dtype=_int64).reshape(-1)
    if array.shape[0] != n:
        raise ValueError(f"ids has {array.shape[0]} entries for {n} vectors")
    return array


def known_ids(ids) -> np.ndarray:
    """The ids to remove as an int64 array; an int outside int64 cannot be in the index."""
    if type(ids) is _ndarray and ids.dtype == _int64 and ids.flags.c_contiguous and ids.ndim == 1:
        return ids
    if _is_int(ids):
        ids = [ids]
    if isinstance(ids, (str, bytes, bytearray)):
        raise TypeError(f"ids must be a sequence of ints, not {_type_name(ids)}")
    try:
        values = ids.tolist() if type(ids) is _ndarray else list(ids)
    except TypeError:
        raise TypeError(f"ids must be a sequence of ints, not {_type_name(ids)}") from None
    for value in values:
        if not _is_int(value):
            raise TypeError(f"ids must be ints, not {_type_name(value)}")
        if not -(2**63) <= value < 2**63:
            raise KeyError(f"id {int(value)} is not in the index")
    return np.array(values, dtype=_int64).reshape(-1)


def top_k(k) -> int:
    if type(k) is int and 1 <= k <= 2**31 - 1:
        return k
    if not _is_int(k):
        raise TypeError(f"k must be an int, not {_type_name(k)}")
    k = int(k)
    if not 1 <= k <= 2**31 - 1:
        raise ValueError(f"k must be between 1 and {2**31 - 1}, got {k}")
    return k


def thread_count(threads) -> int:
    """0 for None (all processors), else an int >= 1."""
    if threads is None:
        return 0
    if not _is_int(threads):
        raise TypeError(f"threads must be an int or None, not {_type_name(threads)}")
    threads = int(threads)
    if not 1 <= threads <= 4096:
        raise ValueError(f"threads must be between 1 and 4096 (or None for all processors), got {threads}")
    return threads


# ---- rrf -------------------------------------------------------------------------------

def rrf_k(k) -> float:
    if (type(k) is int or type(k) is float) and 0 <= k < math.inf:
        return float(k)
    if isinstance(k, bool) or not isinstance(k, numbers.Real):
        raise TypeError(f"rrf: k must be a real number, not {_type_name(k)}")
    k = float(k)
    if not math.isfinite(k) or k < 0:
        raise ValueError(f"rrf: k must be a finite number >= 0, got {k!r}")
    return k


def rrf_weights(weights, count: int) -> list[float] | None:
    if weights is None:
        return None
    if isinstance(weights, (str, bytes, bytearray)):
        raise TypeError(f"rrf: weights must be a sequence of real numbers, not {_type_name(weights)}")
    try:
        values = list(weights)
    except TypeError:
        raise TypeError(f"rrf: weights must be a sequence of real numbers, not {_type_name(weights)}") from None
    if len(values) != count:
        raise ValueError(f"rrf: weights has {len(values)} entries for {count} rankings")
    out = []
    for j, w in enumerate(values):
        if isinstance(w, bool) or not isinstance(w, numbers.Real):
            raise TypeError(f"rrf: weights[{j}] must be a real number, not {_type_name(w)}")
        w = float(w)
        if not math.isfinite(w) or w < 0:
            raise ValueError(f"rrf: weights[{j}] must be a finite number >= 0, got {w!r}")
        out.append(w)
    return out


def rrf_limit(limit) -> int | None:
    if limit is None or (type(limit) is int and limit >= 0):
        return limit
    if not _is_int(limit):
        raise TypeError(f"rrf: limit must be an int or None, not {_type_name(limit)}")
    limit = int(limit)
    if limit < 0:
        raise ValueError(f"rrf: limit must be 0 or more, got {limit}")
    return limit


def rrf_rankings(rankings) -> list:
    """The rankings as a list; each stays as given (an ndarray or a sequence), checked for shape."""
    if isinstance(rankings, (str, bytes, bytearray)) or type(rankings) is _ndarray and rankings.ndim != 2:
        raise TypeError(f"rrf: rankings must be a sequence of rankings, not {_type_name(rankings)}")
    try:
        rankings = list(rankings)
    except TypeError:
        raise TypeError(f"rrf: rankings must be a sequence of rankings, not {_type_name(rankings)}") from None
    for j, ranking in enumerate(rankings):
        if type(ranking) is _ndarray:
            if ranking.ndim != 1:
                raise ValueError(f"rrf: rankings[{j}] must be one-dimensional, got shape {ranking.shape}")
        elif isinstance(ranking, (str, bytes, bytearray)) or not hasattr(ranking, "__iter__"):
            raise TypeError(f"rrf: rankings[{j}] must be a sequence of ids, not {_type_name(ranking)}")
    return rankings


def ranking_ids(ranking) -> list:
    """The ids of one ranking, best first: an ndarray's values as Python scalars; a tuple element
    is an (id, score) pair as returned by search(), so its first item is the id."""
    if type(ranking) is _ndarray:
        return ranking.tolist()
    return [item[0] if type(item) is tuple else item for item in ranking]
