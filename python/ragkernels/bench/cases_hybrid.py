"""Benchmark rows for hybrid retrieval (issue 6): HybridIndex.search over 10,000 chunks with
embeddings of dimension 384, query embedding excluded (the target: p95 <= 2 ms from Python).
Chunk texts come from a small deterministic generator that HybridWorkloads.cs reproduces
exactly (same words, same ids); the vectors are random (numpy here, Box-Muller in C#: the same
shapes and distribution, not the same values)."""

from __future__ import annotations

import importlib

import numpy as np

from ._cases import Case

COUNT, DIM, K, FETCH_K = 10_000, 384, 10, 50
WORDS_PER_CHUNK, VOCABULARY = 60, 5000
_MASK = (1 << 64) - 1


def _splitmix(x: int) -> int:
    """splitmix64 (Steele et al.): the same bits as HybridWorkloads.SplitMix in C#."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def word(i: int, j: int) -> str:
    """Word j of text i: a skewed (roughly Zipf-like) pick from VOCABULARY words, so some terms
    are common and most are rare, as in natural text."""
    u = (_splitmix(i * 1000 + j) >> 11) * (1.0 / (1 << 53))
    return f"w{int(VOCABULARY * u * u * u)}"


def texts(count: int, words: int, first: int = 0) -> list[str]:
    return [" ".join(word(i, j) for j in range(words)) for i in range(first, first + count)]


_cache: dict = {}


def _data():
    if not _cache:
        _cache["texts"] = texts(COUNT, WORDS_PER_CHUNK)
        _cache["vectors"] = np.random.default_rng(16).standard_normal((COUNT, DIM)).astype(np.float32)
        _cache["query_text"] = texts(1, 6, first=10**6)[0]
        _cache["query"] = np.random.default_rng(17).standard_normal(DIM).astype(np.float32)
    return _cache


def _sibling(module, area: str):
    """ragkernels.<area>._py / ._native, matching the hybrid module the harness passes."""
    suffix = module.__name__.rsplit(".", 1)[1]
    return importlib.import_module(f"ragkernels.{area}.{suffix}")


def _hybrid(module, with_vector=True, filtered=False):
    data = _data()
    bm25 = _sibling(module, "bm25").BM25Index()
    bm25.add(data["texts"], ids=list(range(COUNT)))
    vectors = _sibling(module, "vector").VectorIndex(DIM, "cosine")
    vectors.add(data["vectors"], ids=np.arange(COUNT, dtype=np.int64))
    index = module.HybridIndex(bm25, vectors)
    text, vector = data["query_text"], (data["query"] if with_vector else None)
    allowed = np.arange(0, COUNT, 10, dtype=np.int64) if filtered else None
    search = index.search
    return lambda: search(text, vector, K, FETCH_K, (1, 1), 60, allowed)


CASES = [
    Case("HybridIndex.search", f"top-{K} of {COUNT:,} chunks ({WORDS_PER_CHUNK} words, dim {DIM} cosine), "
         f"fetch_k {FETCH_K}, query embedding excluded", "hybrid", _hybrid,
         notes="native: BM25 + vector search + RRF in one call, one thread", iterations=1000),
    Case("HybridIndex.search (filter 10%)", f"as above, allowed = every 10th chunk id ({COUNT // 10:,} ids)", "hybrid",
         lambda m: _hybrid(m, filtered=True), notes="filters act before each top-k", iterations=1000),
    Case("HybridIndex.search (BM25 only)", f"top-{K} of {COUNT:,} chunks, no vector", "hybrid",
         lambda m: _hybrid(m, with_vector=False), iterations=1000),
]
