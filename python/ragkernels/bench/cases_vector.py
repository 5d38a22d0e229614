"""Benchmark rows for exact vector search, reciprocal rank fusion, chunking and the embedding
cache (issue 6). Vector rows use 10,000 random vectors of dimension 384 (MiniLM's size);
the C# workloads of the same names (VectorWorkloads.cs) use the same shapes."""

from __future__ import annotations

import numpy as np

from ._cases import Case

COUNT, DIM, K = 10_000, 384, 10
BATCH = 64  # queries per search_many call: throughput = BATCH / median time


def _vectors(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)


_cache: dict = {}


def _data():
    if not _cache:
        _cache["corpus"] = _vectors(6, COUNT)
        _cache["queries"] = _vectors(7, BATCH)
    return _cache["corpus"], _cache["queries"]


def _index(module):
    corpus, _ = _data()
    index = module.VectorIndex(DIM, "cosine")
    index.add(corpus)
    return index


def _search(module):
    index = _index(module)
    query = _data()[1][0]
    search = index.search
    return lambda: search(query, K)


def _search_many(threads):
    def make(module):
        index = _index(module)
        queries = _data()[1]
        search_many = index.search_many
        return lambda: search_many(queries, K, threads)
    return make


def _rankings():
    # Two 100-long rankings sharing half their ids, as BM25 and a vector search might.
    rng = np.random.default_rng(8)
    first = rng.permutation(np.arange(0, 100)).astype(np.int64)
    second = rng.permutation(np.arange(50, 150)).astype(np.int64)
    return first, second


def _rrf(limit):
    def make(module):
        rankings = list(_rankings())
        rrf = module.rrf
        return lambda: rrf(rankings, 60, None, limit)
    return make


def _python_only(module) -> bool:
    return module.__name__.endswith("._py")


def _chunk(module):
    if not _python_only(module):
        return None
    from ..chunking import chunk

    words = np.random.default_rng(9).choice(["retrieval", "augmented", "generation,", "the", "a", "kernel.",
                                             "index", "of", "vectors", "\n\n"], size=20_000)
    text = " ".join(words.tolist())  # ~130 KB
    return lambda: chunk(text, 500, 50)


def _cache_hits(module):
    if not _python_only(module):
        return None
    from ..embedding_cache import EmbeddingCache

    texts = [f"query number {i}" for i in range(10)]
    cache = EmbeddingCache(lambda batch: np.zeros((len(batch), DIM), np.float32), max_entries=1000)
    cache.embed(texts)
    embed = cache.embed
    return lambda: embed(texts)


CASES = [
    Case("VectorIndex.search", f"top-{K} of {COUNT:,} x {DIM} cosine, one query", "vector", _search,
         notes="native: one thread (SIMD); Python twin: numpy sgemv (BLAS may use several threads)",
         iterations=2000),
    Case("VectorIndex.search_many (1 thread)", f"{BATCH} queries, top-{K} of {COUNT:,} x {DIM} cosine", "vector",
         _search_many(1), notes="the twin ignores threads", items=BATCH, unit="queries", iterations=60),
    Case("VectorIndex.search_many (2 threads)", f"{BATCH} queries, top-{K} of {COUNT:,} x {DIM} cosine", "vector",
         _search_many(2), notes="the twin ignores threads", items=BATCH, unit="queries", iterations=60),
    Case("rrf", "two 100-long int64 rankings (150 distinct ids), all returned", "vector", _rrf(None)),
    Case("rrf (limit 10)", "two 100-long int64 rankings, best 10 returned", "vector", _rrf(10)),
    Case("chunk (words)", "~130 KB text, size 500, overlap 50 (pure Python)", "vector", _chunk, csharp=None,
         iterations=200),
    Case("EmbeddingCache.embed (10 hits)", "10 cached texts, dim 384 (pure Python)", "vector", _cache_hits,
         csharp=None),
]
