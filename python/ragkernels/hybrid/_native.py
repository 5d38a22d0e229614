"""HybridIndex through libragkernels: one rk_hybrid_search call does the BM25 top fetch_k, the
vector top fetch_k and the fusion in C#, with the workspace's buffers reused (nothing allocated
in C# once warm). Same results and errors as _py.py; indexes that are not both native (a mix of
implementations) take the Python path."""

from __future__ import annotations

import threading

import numpy as np

from .._allowed import allowed_ids, buffer_of
from .._native import ffi, lib, raise_for
from ..bm25._native import BM25Index as _NativeBM25
from ..vector._native import VectorIndex as _NativeVectors
from . import _py
from ._args import HybridHit, check_query, check_search

if lib is None:  # pragma: no cover - the dispatcher never imports this module then
    raise ImportError("libragkernels is not loaded")

_from_buffer = ffi.from_buffer
_new = ffi.new
_unpack = ffi.unpack
_NULL = ffi.NULL
_hybrid = lib.rk_hybrid_search
_BUFFER_K = 64
_buffers = threading.local()


def _result_buffers(k: int):
    if k > _BUFFER_K:
        return _new("int64_t[]", k), _new("double[]", k), _new("int32_t[]", k), _new("int32_t[]", k), _new("int64_t*")
    # One set per thread, reused: a search then costs one call and no allocation in cffi.
    buffers = _buffers.__dict__.get("b")
    if buffers is None:
        buffers = _buffers.b = (_new("int64_t[]", _BUFFER_K), _new("double[]", _BUFFER_K), _new("int32_t[]", _BUFFER_K),
                                _new("int32_t[]", _BUFFER_K), _new("int64_t*"))
    return buffers


class HybridIndex(_py.HybridIndex):
    """BM25 + vector retrieval fused by reciprocal rank fusion; see ragkernels.HybridIndex."""

    def search(self, text, vector=None, k=10, fetch_k=None, weights=(1, 1), rrf_k=60, allowed=None) -> list:
        bm25, vectors = self.bm25, self.vectors
        if type(bm25) is not _NativeBM25 or (vectors is not None and type(vectors) is not _NativeVectors):
            return super().search(text, vector, k, fetch_k, weights, rrf_k, allowed)
        k, fetch_k, w_bm25, w_vector, rrf_k = check_search(text, k, fetch_k, weights, rrf_k)
        query = check_query(vectors, vector)
        if allowed is not None:
            allowed = allowed_ids(allowed)
        bm25_handle = bm25._handle
        if not bm25_handle:
            raise ValueError("BM25Index is closed")
        if query is None:
            vector_handle, query_ptr, dim = 0, _NULL, 0
        else:
            vector_handle = vectors._live()
            query_ptr, dim = _from_buffer("float[]", query), query.shape[0]
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate: the twin raises what BM25's search raises for it, after its
            # own checks (ids, filter), so let it.
            return super().search(text, vector, k, fetch_k, weights, rrf_k, allowed)
        if k > _BUFFER_K:
            # At most every candidate of both lists comes back: never allocate more room than that.
            k = max(1, min(k, 2 * fetch_k, len(bm25) + (0 if query is None else len(vectors))))
        ids, scores, bm25_ranks, vector_ranks, found = _result_buffers(k)
        status = _hybrid(bm25_handle, vector_handle, data, len(data), query_ptr, dim, fetch_k, w_bm25, w_vector, rrf_k,
                         _NULL if allowed is None else _from_buffer("int64_t[]", buffer_of(allowed)),
                         0 if allowed is None else allowed.shape[0], k, ids, scores, bm25_ranks, vector_ranks, found)
        if status:
            if not bm25._handle:
                raise ValueError("BM25Index is closed")
            raise_for(status)
        n = found[0]
        return [HybridHit(i, s, a or None, b or None) for i, s, a, b in
                zip(_unpack(ids, n), _unpack(scores, n), _unpack(bm25_ranks, n), _unpack(vector_ranks, n))]
