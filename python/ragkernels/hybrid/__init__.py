"""Hybrid retrieval: BM25 + exact vector search fused by reciprocal rank fusion, dispatched to
one native call (rk_hybrid_search) or the pure-Python twin.

HybridIndex(bm25, vectors=None)

Args:
    bm25: a ragkernels.BM25Index whose document ids are the chunk ids (ints, int64 range).
    vectors: a ragkernels.VectorIndex holding each chunk's embedding under the same id, or
        None for BM25-only search. The HybridIndex borrows both (it never closes them).

Id contract: one chunk has one int id (0 .. 2**63 - 2, the VectorIndex range), added to the
BM25 index as that document's id (BM25Index.add(texts, ids=chunk_ids)) and to the vector index
as that vector's id (VectorIndex.add(embeddings, ids=chunk_ids)). Each id appears at most once
per index. A BM25 index with a str id cannot be searched here (ValueError).

search(text, vector=None, k=10, fetch_k=None, weights=(1, 1), rrf_k=60, allowed=None)
    -> list of HybridHit(id, score, bm25_rank, vector_rank), best first.

    text: the query (str) for BM25; vector: its embedding (float32 array of shape (dim,)) or
    None for BM25 only. Each retriever returns its top fetch_k (default max(50, k)); the two
    lists are fused by RRF: an id at rank r (from 1) in list j adds weights[j] / (rrf_k + r),
    weights = (bm25 weight, vector weight) (finite, >= 0), and equal fused scores keep the order
    of first appearance, reading the BM25 list first. bm25_rank / vector_rank are the 1-based
    ranks among each retriever's candidates, None when absent. allowed: None, or the chunk ids
    a result may have (a metadata filter, see ragkernels.BM25Index.search): both retrievers
    skip other chunks before their top fetch_k, so excluded chunks never take a place.

Raises:
    TypeError: a non-str text, non-int k/fetch_k, bad weights or allowed types.
    ValueError: k or fetch_k < 1, a negative or non-finite weight or rrf_k, a vector of the
        wrong shape, non-finite or (cosine) zero, a vector without a vector index, str ids in
        the BM25 index, an id listed twice by one index, a closed index.

Native (both indexes native): one C call does BM25 top fetch_k + vector top fetch_k + fusion
in C#, whose per-thread workspace owns every buffer (nothing allocated once warm); the
Python twin gives the same ids, ranks and bit-identical fused scores.
"""

from .._dispatch import IMPLEMENTATION
from ._args import HybridHit

if IMPLEMENTATION == "native":
    from ._native import HybridIndex
else:
    from ._py import HybridIndex

HybridIndex.__doc__ = __doc__

__all__ = ["HybridHit", "HybridIndex"]
