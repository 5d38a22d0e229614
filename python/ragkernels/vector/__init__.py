"""Exact vector search and reciprocal rank fusion, dispatched to the native kernels or their
pure-Python twins. The public docstrings live in ragkernels/vector/_api.py."""

from .._dispatch import IMPLEMENTATION

if IMPLEMENTATION == "native":
    from ._native import VectorIndex as _VectorIndex, rrf as _rrf
else:
    from ._py import VectorIndex as _VectorIndex, rrf as _rrf

from ._api import make_public

VectorIndex, rrf = make_public(_VectorIndex, _rrf)

__all__ = ["VectorIndex", "rrf"]
