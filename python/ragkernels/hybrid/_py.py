"""HybridIndex in pure Python: the reference. It calls the indexes' own (filtered) searches and
fuses the two rankings in Python exactly as ragkernels.rrf does, so the fused scores are
bit-identical to the native rk_hybrid_search (each score starts at 0.0 and receives its BM25
term, then its vector term, each w / (rrf_k + rank) in float64)."""

from __future__ import annotations

from .._allowed import INTEGER_IDS_NEEDED, allowed_ids, integer_ids
from ._args import HybridHit, check_query, check_search


class HybridIndex:
    """BM25 + vector retrieval fused by reciprocal rank fusion; see ragkernels.HybridIndex."""

    def __init__(self, bm25, vectors=None):
        self.bm25 = bm25
        self.vectors = vectors

    def search(self, text, vector=None, k=10, fetch_k=None, weights=(1, 1), rrf_k=60, allowed=None) -> list:
        k, fetch_k, w_bm25, w_vector, rrf_k = check_search(text, k, fetch_k, weights, rrf_k)
        query = check_query(self.vectors, vector)
        allowed = allowed_ids(allowed)
        if not integer_ids(self.bm25.ids):
            raise ValueError(INTEGER_IDS_NEEDED)
        bm25_ids = [i for i, _ in self.bm25.search(text, k=fetch_k, allowed=allowed)]
        vector_ids = [] if query is None else [i for i, _ in self.vectors.search(query, k=fetch_k, allowed=allowed)]
        return fuse(bm25_ids, vector_ids, k, w_bm25, w_vector, rrf_k)

    def __repr__(self) -> str:
        return f"HybridIndex({self.bm25!r}, {self.vectors!r})"


def fuse(bm25_ids: list, vector_ids: list, k: int, w_bm25: float, w_vector: float, rrf_k: float) -> list:
    """RRF of the two candidate lists: score = Σ w / (rrf_k + rank), ranks from 1, equal scores
    in order of first appearance (BM25's list first); the best k as HybridHit."""
    scores: dict = {}
    bm25_rank: dict = {}
    vector_rank: dict = {}
    for ranks, ids, w, j in ((bm25_rank, bm25_ids, w_bm25, 0), (vector_rank, vector_ids, w_vector, 1)):
        for rank, id in enumerate(ids, 1):
            if id in ranks:
                raise ValueError(f"rrf: rankings[{j}] lists the same id at ranks {ranks[id]} and {rank}")
            ranks[id] = rank
            scores[id] = scores.get(id, 0.0) + w / (rrf_k + rank)
    fused = sorted(scores.items(), key=lambda item: -item[1])[:k]  # stable: ties keep first appearance
    return [HybridHit(id, score, bm25_rank.get(id), vector_rank.get(id)) for id, score in fused]
