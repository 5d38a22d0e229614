"""Argument checks shared by both Embedder twins, so their errors are identical."""

from __future__ import annotations

import os

MAX_BATCH_SIZE = 65536


def model_dir(value) -> str:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"model_dir must be a str or os.PathLike, not {type(value).__name__}")
    path = os.fspath(value)
    if isinstance(path, bytes):
        raise TypeError("model_dir must be a str or os.PathLike of str, not bytes")
    if not path:
        raise ValueError("model_dir must not be empty")
    return path


def _int(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            import numpy as np

            if isinstance(value, np.integer):
                value = int(value)
            else:
                raise TypeError
        except TypeError:
            raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def batch_size(value) -> int:
    return _int("batch_size", value, 1, MAX_BATCH_SIZE)


def max_length(value) -> int:
    """0 for None (the model's own), else 2..1048576 (the model may allow less)."""
    return 0 if value is None else _int("max_length", value, 2, 1 << 20)


def threads(value) -> int:
    """0 for None (ONNX Runtime's default), else 1..1024."""
    return 0 if value is None else _int("threads", value, 1, 1024)


def normalize(value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"normalize must be a bool, not {type(value).__name__}")
    return value


def texts(value) -> list:
    """A list of str from a list, tuple or other sequence of str (a single str is refused)."""
    if isinstance(value, (str, bytes)):
        raise TypeError("texts must be a sequence of str, not a single " + type(value).__name__)
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"texts must be a sequence of str, not {type(value).__name__}") from None
    for i, item in enumerate(items):
        if type(item) is not str and not isinstance(item, str):
            raise TypeError(f"texts[{i}] must be a str, not {type(item).__name__}")
    return items


def closed_error() -> ValueError:
    return ValueError("Embedder is closed")
