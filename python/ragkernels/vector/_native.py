"""VectorIndex and rrf through libragkernels. Same signatures, results and errors as _py.py
(scores of VectorIndex within the float32 tolerance documented there; rrf bit-exact)."""

from __future__ import annotations

import os
import weakref

import numpy as np

from .._native import ffi, lib, raise_for
from .._native._handle import HandleOwner
from .._allowed import allowed_ids, buffer_of
from .. import _slices
from . import _checks, _format

if lib is None:  # pragma: no cover - the dispatcher never imports this module then
    raise ImportError("libragkernels is not loaded")

_from_buffer = ffi.from_buffer
_new = ffi.new
_NULL = ffi.NULL
_search = lib.rk_vector_index_search
_search_many = lib.rk_vector_index_search_many
_search_many_cancellable = lib.rk_vector_index_search_many_cancellable
_fuse = lib.rk_rrf_fuse
_empty = np.empty
_int64 = np.int64
_float32 = np.float32
_ndarray = np.ndarray
# Queries in the first slice of search_many (at least); at most this many are one call.
_QUERY_PROBE = 64
# The kernel's query group (VectorIndex.QueryGroup in C#) and the processors it counts.
_QUERY_GROUP = 64
# Below this many multiply-adds (queries x vectors x dim; ~10 ms at most) a search_many call
# runs directly: a worker thread (~0.1-0.2 ms) would cost more than it saves.
_DIRECT_WORK = 1 << 25
_PROCESSORS = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class VectorIndex(HandleOwner):
    """An exact top-k index over float32 vectors; see ragkernels.VectorIndex for the contract."""

    __slots__ = ("_handle", "_dim", "_metric", "_finalizer", "__weakref__")

    def __init__(self, dim: int, metric: str = "cosine"):
        self._dim = _checks.dimension(dim)
        self._metric = _checks.metric(metric)
        handle = _new("uint64_t*")
        status = lib.rk_vector_index_create(self._dim, _checks.METRICS[self._metric], handle)
        if status:
            raise_for(status)
        self._adopt(handle[0])

    def _adopt(self, handle: int) -> None:
        self._handle = handle
        self._finalizer = weakref.finalize(self, lib.rk_vector_index_free, handle)

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def metric(self) -> str:
        return self._metric

    def _live(self) -> int:
        if not self._handle:
            raise ValueError("VectorIndex is closed")
        return self._handle

    def _raise(self, status: int):
        if not self._handle:
            raise ValueError("VectorIndex is closed")
        raise_for(status)

    def __len__(self) -> int:
        count = _new("int64_t*")
        status = lib.rk_vector_index_count(self._live(), count)
        if status:
            self._raise(status)
        return count[0]

    def add(self, vectors, ids=None) -> np.ndarray:
        handle = self._live()
        vectors = _checks.matrix("vectors", vectors, self._dim)
        n = vectors.shape[0]
        ids = _checks.new_ids(ids, n)
        assigned = _empty(n, _int64)
        status = lib.rk_vector_index_add(
            handle, _from_buffer("float[]", vectors), n,
            _NULL if ids is None else _from_buffer("int64_t[]", ids), _from_buffer("int64_t[]", assigned))
        if status:
            self._raise(status)
        return assigned

    def remove(self, ids) -> None:
        handle = self._live()
        ids = _checks.known_ids(ids)
        status = lib.rk_vector_index_remove(handle, _from_buffer("int64_t[]", ids), ids.shape[0])
        if status:
            self._raise(status)

    def search(self, vector, k: int = 10, allowed=None) -> list[tuple[int, float]]:
        handle = self._live()
        q = _checks.query(vector, self._dim)
        if type(k) is not int or not 1 <= k <= 4096:
            k = _checks.top_k(k)
            if k > 4096:
                k = min(k, max(len(self), 1))  # never allocate more room than there are vectors
        ids = _empty(k, _int64)
        scores = _empty(k, _float32)
        found = _new("int64_t*")
        if allowed is None:
            status = _search(handle, _from_buffer("float[]", q), self._dim, k,
                             _from_buffer("int64_t[]", ids), _from_buffer("float[]", scores), found)
        else:
            allowed = allowed_ids(allowed)
            status = lib.rk_vector_index_search_filtered(
                handle, _from_buffer("float[]", q), self._dim, k, _from_buffer("int64_t[]", buffer_of(allowed)),
                allowed.shape[0], _from_buffer("int64_t[]", ids), _from_buffer("float[]", scores), found)
        if status:
            self._raise(status)
        n = found[0]
        return list(zip(ids[:n].tolist(), scores[:n].tolist()))

    def search_many(self, vectors, k: int = 10, threads: int | None = None):
        handle = self._live()
        queries = _checks.matrix("queries", vectors, self._dim)
        k = _checks.top_k(k)
        threads = _checks.thread_count(threads)
        n = queries.shape[0]
        ids = _empty((n, k), _int64)
        scores = _empty((n, k), _float32)
        # Slices of about 50 ms (all threads within each) so that Ctrl-C is honoured between
        # them; each slice searches the snapshot current when it starts. A slice gives each
        # thread whole groups of _QUERY_GROUP queries: the kernel scans the vectors once per group
        # (cache blocking), so smaller slices would cost throughput. On a large index one such
        # unit takes longer than 50 ms (100,000 x 384 on 2 cores: about 0.5 s), so a call that
        # is not tiny runs cancellable: in a worker thread, with a flag that Ctrl-C sets and the
        # kernel reads before each ~64 KB block of vectors (_slices.cancellable).
        workers = min(threads or _PROCESSORS, _PROCESSORS)
        unit = max(_QUERY_PROBE, _QUERY_GROUP * workers)
        parts = [(0, n)] if n <= unit else _slices.slices(n, unit, multiple=unit)
        rows = len(self)  # for the choice below only: a concurrent add or remove does not matter
        for start, stop in parts:
            q, i, s = (_from_buffer("float[]", queries[start:stop]), _from_buffer("int64_t[]", ids[start:stop]),
                       _from_buffer("float[]", scores[start:stop]))
            if (stop - start) * rows * self._dim < _DIRECT_WORK:
                status = _search_many(handle, q, stop - start, k, threads, i, s)
            else:
                flag = _new("int32_t[1]")
                status = _slices.cancellable(
                    lambda: _search_many_cancellable(handle, q, stop - start, k, threads, i, s, flag), flag)
            if status:
                self._raise(status)
        return ids, scores

    def save(self, path) -> None:
        handle = self._live()
        needed = _new("int64_t*")
        buffer = bytearray()
        while True:
            status = lib.rk_vector_index_serialize(
                handle, _from_buffer("uint8_t[]", buffer) if buffer else _NULL, len(buffer), needed)
            if status == lib.RK_OK:
                break
            if status != lib.RK_BUFFER_TOO_SMALL:
                self._raise(status)
            buffer = bytearray(needed[0])  # the index may grow meanwhile: then loop again
        _format.write_atomic(path, memoryview(buffer)[: needed[0]])

    @classmethod
    def load(cls, path) -> "VectorIndex":
        data = _format.read_file(path)
        handle = _new("uint64_t*")
        dim = _new("int64_t*")
        metric = _new("int32_t*")
        status = lib.rk_vector_index_deserialize(_from_buffer("uint8_t[]", data), len(data), handle, dim, metric)
        if status:
            raise_for(status)
        index = cls.__new__(cls)
        index._dim = dim[0]
        index._metric = _checks.METRIC_NAMES[metric[0]]
        index._adopt(handle[0])
        return index





_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _int_ids(ranking):
    """An int64 array of the ranking's ids when they are all plain ints (the fast path), else None."""
    if type(ranking) is _ndarray:
        if ranking.dtype.kind in "iu" and ranking.ndim == 1:
            if ranking.dtype == _int64:
                return ranking
            if ranking.dtype.kind == "i" or ranking.size == 0 or ranking.max() <= _INT64_MAX:
                return ranking.astype(_int64)
        return None
    if type(ranking) is not list:
        ranking = list(ranking)
    for item in ranking:
        if type(item) is not int or not _INT64_MIN <= item <= _INT64_MAX:
            return None
    return np.array(ranking, dtype=_int64)


def rrf(rankings, k: float = 60, weights=None, limit: int | None = None) -> list[tuple[object, float]]:
    """Reciprocal rank fusion; see ragkernels.rrf for the contract."""
    rankings = _checks.rrf_rankings(rankings)
    weights = _checks.rrf_weights(weights, len(rankings))
    k = _checks.rrf_k(k)
    limit = _checks.rrf_limit(limit)
    arrays = []
    for ranking in rankings:
        ints = _int_ids(ranking)
        if ints is None:
            break
        arrays.append(ints)
    keys = None
    if len(arrays) < len(rankings):
        # General ids: number them densely in order of first appearance, fuse the numbers and
        # map back. Tie order is first appearance either way, so the answer is the same.
        number: dict = {}
        arrays = []
        for ranking in rankings:
            ids = _checks.ranking_ids(ranking)
            arrays.append(np.fromiter((number.setdefault(id, len(number)) for id in ids), _int64, len(ids)))
        keys = list(number)
    count = len(arrays)
    bounds = [0]
    total = 0
    for array in arrays:
        total += array.shape[0]
        bounds.append(total)
    offsets = _new("int64_t[]", bounds)  # cheaper than numpy for a handful of entries
    ids = arrays[0] if count == 1 else np.concatenate(arrays) if count else _empty(0, _int64)
    capacity = total if limit is None else min(limit, total)
    out_ids = _empty(capacity, _int64)
    out_scores = _empty(capacity, np.float64)
    n = _new("int64_t*")
    w = _NULL if weights is None else _from_buffer("double[]", np.array(weights, dtype=np.float64))
    status = _fuse(_from_buffer("int64_t[]", ids), offsets, count, w, k,
                   _from_buffer("int64_t[]", out_ids), _from_buffer("double[]", out_scores), capacity, n)
    if status:
        raise_for(status)
    found = n[0]
    fused_ids = out_ids[:found].tolist()
    if keys is not None:
        fused_ids = [keys[i] for i in fused_ids]
    return list(zip(fused_ids, out_scores[:found].tolist()))
