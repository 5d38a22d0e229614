"""Pure-Python (numpy) twins of the vector index and reciprocal rank fusion: the reference.

Parity with the native kernels:

* rrf is bit-exact: every score starts at 0.0 and receives its terms w / (k + rank) in the
  same order, in float64.
* VectorIndex scores are float32 dot products (or distances). C# sums them with
  TensorPrimitives over SIMD lanes (8 or 16 partial sums, then a horizontal sum); numpy sums
  them with BLAS (sgemv) or einsum in another order. Both are float32 sums of the same
  products, so each score is within the classic bound γ_d · Σ|q_i x_i| of the exact value
  (γ_d = d·u/(1 − d·u), u = 2⁻²⁴; about 2.3e-5 for d = 384 and unit vectors, typically
  ~1e-6), and two implementations differ by at most twice that. Ids come out in the same order
  whenever the scores involved are further apart than that; inputs whose products and sums
  are exact in float32 (e.g. small integers) give bit-identical scores and identical ties.
  Cosine normalisation is done in float64 and rounded once to float32 in both, so stored
  vectors are (almost always) bit-identical.
"""

from __future__ import annotations

import threading

import numpy as np

from .._allowed import allowed_ids
from . import _checks, _format

_float32 = np.float32
_NEG_INF = np.float32(-np.inf)


class _State:
    """One consistent view: rows below `count` never change once published."""

    __slots__ = ("vectors", "ids", "count", "next_id")

    def __init__(self, vectors, ids, count, next_id):
        self.vectors = vectors
        self.ids = ids
        self.count = count
        self.next_id = next_id


def _normalize(rows: np.ndarray) -> np.ndarray:
    """Each row / its norm, computed in float64 and rounded once to float32 (as C# does)."""
    wide = rows.astype(np.float64)
    norms = np.sqrt(np.einsum("ij,ij->i", wide, wide))
    return (wide / norms[:, None]).astype(_float32)


class VectorIndex:
    """An exact top-k index over float32 vectors; see ragkernels.VectorIndex for the contract."""

    __slots__ = ("_dim", "_metric", "_state", "_row_of", "_lock", "_closed", "__weakref__")

    def __init__(self, dim: int, metric: str = "cosine"):
        self._dim = _checks.dimension(dim)
        self._metric = _checks.metric(metric)
        self._state = _State(np.empty((0, self._dim), _float32), np.empty(0, np.int64), 0, 0)
        self._row_of: dict[int, int] = {}
        self._lock = threading.Lock()
        self._closed = False

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def metric(self) -> str:
        return self._metric

    def _live(self) -> _State:
        if self._closed:
            raise ValueError("VectorIndex is closed")
        return self._state

    def __len__(self) -> int:
        return self._live().count

    # ---- writing --------------------------------------------------------------------------

    def add(self, vectors, ids=None) -> np.ndarray:
        self._live()
        vectors = _checks.matrix("vectors", vectors, self._dim)
        n = vectors.shape[0]
        ids = _checks.new_ids(ids, n)
        self._check_rows(vectors, "vectors")
        with self._lock:
            state = self._live()
            next_id = state.next_id
            if ids is None:
                if n and next_id > _checks.MAX_ID - (n - 1):
                    raise ValueError(f"automatic ids exhausted: {n} more would pass {_checks.MAX_ID}")
                ids = np.arange(next_id, next_id + n, dtype=np.int64)
            else:
                self._check_new_ids(ids)
            count = state.count
            data, id_array = state.vectors, state.ids
            if count + n > id_array.shape[0]:
                capacity = max(16, count + n, 2 * id_array.shape[0])
                grown_data = np.empty((capacity, self._dim), _float32)
                grown_ids = np.empty(capacity, np.int64)
                grown_data[:count] = data[:count]
                grown_ids[:count] = id_array[:count]
                data, id_array = grown_data, grown_ids
            if n:
                data[count:count + n] = _normalize(vectors) if self._metric == "cosine" else vectors
                id_array[count:count + n] = ids
                for row, id in enumerate(ids.tolist(), count):
                    self._row_of[id] = row
                next_id = max(next_id, int(ids.max()) + 1)
            self._state = _State(data, id_array, count + n, next_id)
            return ids.copy()

    def _check_rows(self, rows: np.ndarray, name: str) -> None:
        if rows.shape[0] == 0:
            return
        bad_value = ~np.isfinite(rows).all(axis=1)
        bad_norm = ~rows.any(axis=1) if self._metric == "cosine" else np.zeros(rows.shape[0], bool)
        bad = np.flatnonzero(bad_value | bad_norm)
        if bad.size:
            row = int(bad[0])
            what = name if name == "query" else f"{name}[{row}]"
            if bad_value[row]:
                raise ValueError(f"{what} contains NaN or infinity")
            raise ValueError(f"{what} has zero norm; cosine similarity needs a non-zero vector")

    def _check_new_ids(self, ids: np.ndarray) -> None:
        seen = set()
        for id in ids.tolist():
            if not 0 <= id <= _checks.MAX_ID:
                raise ValueError(f"id {id} is out of range (0 to {_checks.MAX_ID})")
            if id in seen:
                raise ValueError(f"id {id} appears twice in ids")
            seen.add(id)
            if id in self._row_of:
                raise ValueError(f"id {id} is already in the index")

    def remove(self, ids) -> None:
        self._live()
        ids = _checks.known_ids(ids)
        if ids.shape[0] == 0:
            return
        with self._lock:
            state = self._live()
            doomed = set()
            for id in ids.tolist():
                row = self._row_of.get(id)
                if row is None:
                    raise KeyError(f"id {id} is not in the index")
                if row in doomed:
                    raise ValueError(f"id {id} appears twice in ids")
                doomed.add(row)
            keep = np.ones(state.count, bool)
            keep[list(doomed)] = False
            # Fresh arrays: searches running on the old state keep reading unchanged rows.
            data = state.vectors[: state.count][keep]
            id_array = state.ids[: state.count][keep]
            self._row_of = {id: row for row, id in enumerate(id_array.tolist())}
            self._state = _State(data, id_array, data.shape[0], state.next_id)

    # ---- searching ------------------------------------------------------------------------

    def _prepare(self, query: np.ndarray) -> np.ndarray:
        if self._metric == "cosine":
            return _normalize(query.reshape(1, -1))[0]
        return query

    def _scores(self, state: _State, q: np.ndarray) -> np.ndarray:
        rows = state.vectors[: state.count]
        if self._metric == "l2":
            scores = np.empty(state.count, _float32)
            for start in range(0, state.count, 4096):  # bounded temporary memory
                diff = rows[start:start + 4096] - q
                scores[start:start + 4096] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
            np.negative(scores, out=scores)
        else:
            scores = rows @ q
        # Only finite values are stored, but huge ones can overflow to inf - inf.
        scores[np.isnan(scores)] = _NEG_INF
        return scores

    def _top(self, state: _State, q: np.ndarray, k: int):
        """(ids, scores) of the best min(k, count) rows, best first, ties in row order."""
        scores = self._scores(state, q)
        n = scores.shape[0]
        if k >= n:
            order = np.argsort(-scores, kind="stable")
        else:
            kth = np.partition(scores, n - k)[n - k]  # the k-th largest score
            greater = np.flatnonzero(scores > kth)
            equal = np.flatnonzero(scores == kth)[: k - greater.shape[0]]
            candidates = np.concatenate([greater, equal])
            order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return state.ids[order], scores[order]

    def search(self, vector, k: int = 10, allowed=None) -> list[tuple[int, float]]:
        state = self._live()
        q = _checks.query(vector, self._dim)
        k = _checks.top_k(k)
        allowed = allowed_ids(allowed)
        self._check_rows(q.reshape(1, -1), "query")
        if state.count == 0:
            return []
        if allowed is None:
            ids, scores = self._top(state, self._prepare(q), k)
        else:
            ids, scores = self._top_allowed(state, self._prepare(q), k, allowed)
        return list(zip(ids.tolist(), scores.tolist()))

    def _top_allowed(self, state: _State, q: np.ndarray, k: int, allowed: np.ndarray):
        """_top over the allowed rows only (kept in row order, so ties still follow insertion)."""
        rows = np.flatnonzero(np.isin(state.ids[: state.count], allowed))
        scores = self._scores(state, q)[rows]
        order = np.argsort(-scores, kind="stable")[:k]
        return state.ids[rows[order]], scores[order]

    def search_many(self, vectors, k: int = 10, threads: int | None = None):
        state = self._live()
        queries = _checks.matrix("queries", vectors, self._dim)
        k = _checks.top_k(k)
        _checks.thread_count(threads)  # numpy decides its own threading
        self._check_rows(queries, "queries")
        n = queries.shape[0]
        out_ids = np.full((n, k), -1, np.int64)
        out_scores = np.full((n, k), np.nan, _float32)
        if state.count:
            for row in range(n):
                ids, scores = self._top(state, self._prepare(queries[row]), k)
                out_ids[row, : ids.shape[0]] = ids
                out_scores[row, : ids.shape[0]] = scores
        return out_ids, out_scores

    # ---- files and lifetime -----------------------------------------------------------------

    def save(self, path) -> None:
        state = self._live()
        data = _format.encode(_checks.METRICS[self._metric], self._dim, state.ids[: state.count],
                              state.vectors[: state.count], state.next_id)
        _format.write_atomic(path, data)

    @classmethod
    def load(cls, path) -> "VectorIndex":
        metric, dim, ids, vectors, next_id = _format.decode(_format.read_file(path))
        index = cls(dim, _checks.METRIC_NAMES[metric])
        index._row_of = {id: row for row, id in enumerate(ids.tolist())}
        index._state = _State(vectors, ids, ids.shape[0], next_id)
        return index

    def close(self) -> None:
        self._closed = True
        self._state = None
        self._row_of = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def rrf(rankings, k: float = 60, weights=None, limit: int | None = None) -> list[tuple[object, float]]:
    """Reciprocal rank fusion; see ragkernels.rrf for the contract."""
    rankings = _checks.rrf_rankings(rankings)
    weights = _checks.rrf_weights(weights, len(rankings))
    k = _checks.rrf_k(k)
    limit = _checks.rrf_limit(limit)
    scores: dict = {}
    for j, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[j]
        first_rank: dict = {}
        for rank, id in enumerate(_checks.ranking_ids(ranking), 1):
            if id in first_rank:
                raise ValueError(f"rrf: rankings[{j}] lists the same id at ranks {first_rank[id]} and {rank}")
            first_rank[id] = rank
            scores[id] = scores.get(id, 0.0) + w / (k + rank)
    fused = sorted(scores.items(), key=lambda item: -item[1])  # stable: ties keep first appearance
    return fused if limit is None else fused[:limit]
