"""Input checks shared by both implementations, so they accept the same inputs and raise
the same exceptions with the same messages."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
import numbers

_TEXT_TYPES = (str, bytes, bytearray, memoryview)


def _type_name(value) -> str:
    return type(value).__name__


def float_values(function: str, values) -> array | "numpy.ndarray":
    """`values` as a contiguous buffer of float64: a float64 numpy array is returned as is
    (no copy), anything else is converted into an array('d').

    Raises TypeError for a non-sequence or a non-real element, ValueError for an array that
    is not one-dimensional.
    """
    if isinstance(values, array):
        return values if values.typecode == "d" else array("d", values)
    if _is_ndarray(values):
        return _numpy_values(function, values)
    if isinstance(values, _TEXT_TYPES) or isinstance(values, Mapping):
        raise TypeError(f"{function}: values must be a sequence of real numbers, not {_type_name(values)}")
    try:
        return array("d", values)
    except TypeError:
        pass
    try:
        items = list(values)
    except TypeError:
        raise TypeError(f"{function}: values must be a sequence of real numbers, not {_type_name(values)}") from None
    for index, item in enumerate(items):
        if not _is_real(item):
            raise TypeError(f"{function}: values[{index}] must be a real number, not {_type_name(item)}")
    return array("d", items)  # pragma: no cover - every element passed the check above


def real_value(function: str, name: str, value) -> float:
    """One real number as a float; TypeError otherwise."""
    if not _is_real(value):
        raise TypeError(f"{function}: {name} must be a real number, not {_type_name(value)}")
    return float(value)


def window_size(size) -> int:
    """A trend window size: an int from 1 to 1,048,576."""
    if isinstance(size, bool) or not isinstance(size, numbers.Integral):
        raise TypeError(f"TrendWindow: size must be an int, not {_type_name(size)}")
    size = int(size)
    if not 1 <= size <= MAX_WINDOW:
        raise ValueError(f"TrendWindow: size must be between 1 and {MAX_WINDOW}, got {size}")
    return size


MAX_WINDOW = 1 << 20


def _is_real(value) -> bool:
    if isinstance(value, numbers.Real):
        return True
    try:
        array("d", (value,))
        return True
    except TypeError:
        return False


def _is_ndarray(values) -> bool:
    cls = type(values)
    return cls.__module__ == "numpy" and cls.__name__ == "ndarray"


def _numpy_values(function: str, values):
    import numpy as np

    if values.ndim != 1:
        raise ValueError(f"{function}: values must be one-dimensional, got an array of shape {values.shape}")
    if values.dtype == np.float64 and values.flags.c_contiguous:
        return values
    if values.dtype.kind in "biuf":
        return np.ascontiguousarray(values, dtype=np.float64)
    if values.dtype.kind == "O":
        return float_values(function, values.tolist())
    raise TypeError(f"{function}: values must be real numbers, not an array of dtype {values.dtype}")
