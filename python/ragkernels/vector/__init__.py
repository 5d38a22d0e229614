"""Exact vector search and reciprocal rank fusion, dispatched to the native kernels or their
pure-Python twins. The public docstrings live in ragkernels/vector/_api.py.

Notes for the HybridIndex and Retriever of issue 6 (not built here: they need BM25Index and
Embedder from their own branches). What they are expected to call:

* Candidates: `BM25Index.search(query, k=fetch_k) -> [(id, score)]` and
  `VectorIndex.search(embedding, k=fetch_k) -> [(id, score)]` (or `search_many` for batches).
  Use the same integer ids in both indexes (chunk numbers), so fusion needs no mapping.
* Fusion: `rrf([bm25_hits, vector_hits], k=60, weights=weights, limit=k)`; (id, score) tuples
  are accepted as they come from search(), int ids take the native fast path (rk_rrf_fuse:
  one flat int64 id buffer + offsets, caller buffers for the result). Per-retriever ranks for
  the result objects are each id's 1-based position in the two candidate lists.
* A C# HybridIndex should own a `RagKernels.Fusion.ReciprocalRankFusion` (one per thread or
  under its lock) and call `Fuse(ids, offsets, weights, k, outIds, outScores)` directly on
  spans: after warm-up it allocates nothing. `VectorIndex.Search(query, ids, scores)` is
  allocation-free as well.
* Metadata filters must exclude chunks before top-k: the planned shape is an optional
  allowed-row mask (or id set) passed to VectorIndex.search / BM25Index.search; VectorIndex
  does not have that parameter yet (TopK.Offer would simply skip masked rows).
* Chunks: `chunk(text, size, overlap, unit="tokens", tokenizer=embedder_offsets)` gives the
  spans to cite; `EmbeddingCache(embedder)` sits in front of `Embedder.embed`.
"""

from .._dispatch import IMPLEMENTATION

if IMPLEMENTATION == "native":
    from ._native import VectorIndex as _VectorIndex, rrf as _rrf
else:
    from ._py import VectorIndex as _VectorIndex, rrf as _rrf

from ._api import make_public

VectorIndex, rrf = make_public(_VectorIndex, _rrf)

__all__ = ["VectorIndex", "rrf"]
