"""ragkernels: fast kernels for RAG hot paths, native (C# NativeAOT) with pure-Python twins.

The public functions have the same signatures and results whichever implementation runs;
`implementation()` says which one does ("native" or "python"). Set
RAGKERNELS_IMPLEMENTATION=python to force the twins, =native to insist on the library, and
RAGKERNELS_LIBRARY=/path/to/libragkernels.so to load a library from elsewhere.
"""

from ._dispatch import implementation
from ._version import __version__
from .bm25 import BM25Index
from .embed import Embedder
from .signals import TrendWindow, trend_drop
from .vector import VectorIndex, rrf
from .chunking import Chunk, chunk
from .embedding_cache import EmbeddingCache

__all__ = ["BM25Index", "Chunk", "EmbeddingCache", "Embedder", "TrendWindow", "VectorIndex", "__version__", "chunk",
           "implementation", "rrf", "trend_drop"]
