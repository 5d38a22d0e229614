"""Signal kernels through libragkernels. Same signatures, results and errors as _py.py."""

from __future__ import annotations

import weakref

from .._native import ffi, lib, raise_for
from ._values import float_values, real_value, window_size

if lib is None:  # pragma: no cover - the dispatcher never imports this module then
    raise ImportError("libragkernels is not loaded")

_trend_drop = lib.rk_signal_trend_drop
_window_push = lib.rk_trend_window_push
_from_buffer = ffi.from_buffer
_new = ffi.new


def trend_drop(values) -> float:
    """Total drop of the least-squares line through `values`; see ragkernels.signals._py."""
    out = _new("double*")
    if type(values) is list or type(values) is tuple:
        # cffi converts a list or tuple of numbers straight into a temporary C array: cheaper
        # than building an array('d') first. On a bad element, fall through to the shared
        # checks so the error is the same as the Python twin's.
        try:
            status = _trend_drop(values, len(values), out)
        except (TypeError, OverflowError):
            pass
        else:
            if status:
                raise_for(status)
            return out[0]
    buffer = float_values("trend_drop", values)
    status = _trend_drop(_from_buffer("double[]", buffer), len(buffer), out)
    if status:
        raise_for(status)
    return out[0]


class TrendWindow:
    """A window over the last `size` scores of a stream; `push` returns trend_drop of them.

    Args:
        size: window length, an int from 1 to 1,048,576 (guards use 5).
    Raises:
        TypeError / ValueError: for a size of the wrong type or range.

    One window belongs to one stream: push to it from one thread at a time. Use it as a
    context manager or call close(); a closed window raises ValueError.
    """

    __slots__ = ("_handle", "_size", "_out", "_finalizer", "__weakref__")

    def __init__(self, size: int):
        self._size = window_size(size)
        handle = _new("uint64_t*")
        status = lib.rk_trend_window_create(self._size, handle)
        if status:
            raise_for(status)
        self._handle = handle[0]
        # One result slot per window, allocated once: a push then costs one call.
        self._out = _new("double*")
        self._finalizer = weakref.finalize(self, lib.rk_trend_window_free, self._handle)

    @property
    def size(self) -> int:
        return self._size

    def push(self, score) -> float:
        """Appends `score` (a real number) and returns trend_drop of the window."""
        try:
            status = _window_push(self._handle, score, self._out)
        except TypeError:
            status = _window_push(self._handle, real_value("TrendWindow.push", "score", score), self._out)
        if status:
            self._raise(status)
        return self._out[0]

    def reset(self) -> None:
        """Empties the window."""
        status = lib.rk_trend_window_reset(self._handle)
        if status:
            self._raise(status)

    def close(self) -> None:
        """Releases the window; closing twice is harmless."""
        if self._handle:
            self._handle = 0
            self._finalizer()

    def _raise(self, status: int):
        if not self._handle:
            raise ValueError("TrendWindow is closed")
        raise_for(status)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
