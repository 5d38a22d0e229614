"""Sentence embeddings from sentence-transformers model folders exported to ONNX, dispatched to
the native library (C# tokenizer + ONNX Runtime C API) or the Python fallback (the onnxruntime
Python package + a pure-Python BERT tokenizer)."""

from .._dispatch import IMPLEMENTATION

if IMPLEMENTATION == "native":
    from ._native import Embedder
else:
    from ._py import Embedder

__all__ = ["Embedder"]
