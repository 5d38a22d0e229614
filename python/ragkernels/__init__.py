"""ragkernels: fast kernels for RAG hot paths, native (C# NativeAOT) with pure-Python twins.

The public functions have the same signatures and results whichever implementation runs;
`implementation()` says which one does ("native" or "python"). Set
RAGKERNELS_IMPLEMENTATION=python to force the twins, =native to insist on the library, and
RAGKERNELS_LIBRARY=/path/to/libragkernels.so to load a library from elsewhere.
"""

from ._dispatch import implementation
from ._version import __version__
from .bm25 import BM25Index
from .signals import TrendWindow, trend_drop

__all__ = ["BM25Index", "TrendWindow", "__version__", "implementation", "trend_drop"]
