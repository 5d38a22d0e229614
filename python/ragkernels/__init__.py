"""ragkernels: fast kernels for RAG hot paths, native (C# NativeAOT) with pure-Python twins.

The public functions have the same signatures and results whichever implementation runs;
`implementation()` says which one does ("native" or "python"). Set
RAGKERNELS_IMPLEMENTATION=python to force the twins, =native to insist on the library, and
RAGKERNELS_LIBRARY=/path/to/libragkernels.so to load a library from elsewhere.
"""

from ._dispatch import implementation
from ._version import __version__
from .bm25 import BM25Index
from .chunking import Chunk, chunk
from .embed import Embedder
from .embedding_cache import EmbeddingCache
from .hybrid import HybridHit, HybridIndex
from .retriever import RetrievalResult, Retriever
from .signals import (
    TrendWindow,
    entity_overlap,
    entity_overlap_batch,
    negation_flip,
    negation_flip_batch,
    numerical_consistency,
    numerical_consistency_batch,
    traceability,
    traceability_batch,
    trend_drop,
)
from .vector import VectorIndex, rrf

__all__ = [
    "BM25Index",
    "Chunk",
    "EmbeddingCache",
    "Embedder",
    "HybridHit",
    "HybridIndex",
    "RetrievalResult",
    "Retriever",
    "TrendWindow",
    "VectorIndex",
    "__version__",
    "chunk",
    "entity_overlap",
    "entity_overlap_batch",
    "implementation",
    "negation_flip",
    "negation_flip_batch",
    "numerical_consistency",
    "numerical_consistency_batch",
    "rrf",
    "traceability",
    "traceability_batch",
    "trend_drop",
]
