"""Pure-Python twins of the signal kernels: the reference the native kernels must equal."""

from __future__ import annotations

from array import array
from collections import deque

from ._values import float_values, real_value, window_size


def trend_drop(values) -> float:
    """Total drop of the least-squares line through `values` (positive = falling).

    Args:
        values: a sequence of real numbers (list, tuple, deque, array.array, numpy array).
    Returns:
        float; 0.0 for fewer than two values, NaN when any value is NaN or infinite.
    Raises:
        TypeError: a non-sequence or a non-real element. ValueError: a numpy array that is
        not one-dimensional.
    """
    values = float_values("trend_drop", values)
    if not isinstance(values, array):  # a float64 numpy array: iterate Python floats, not numpy scalars
        values = values.tolist()
    return _trend_drop(values)


def _trend_drop(values) -> float:
    # Plain loops in a fixed order, never sum(): Python >= 3.12 compensates sum() and the
    # native kernel must match to the last bit (shared/spec/signals.md).
    n = len(values)
    if n < 2:
        return 0.0
    total = 0.0
    for v in values:
        total += v
    if total - total != 0.0:  # NaN or infinite: either a value is, or the sum overflowed
        for v in values:
            if v - v != 0.0:
                return float("nan")
    x_mean = (n - 1) / 2.0
    y_mean = total / n
    num = 0.0
    for i, v in enumerate(values):
        num += (i - x_mean) * (v - y_mean)
    den = 0.0
    for i in range(n):
        dx = i - x_mean
        den += dx * dx
    slope = num / den if den > 1e-12 else 0.0
    return -slope * (n - 1)


class TrendWindow:
    """A window over the last `size` scores of a stream; `push` returns trend_drop of them.

    Args:
        size: window length, an int from 1 to 1,048,576 (guards use 5).
    Raises:
        TypeError / ValueError: for a size of the wrong type or range.

    Use it as a context manager or call close(); a closed window raises ValueError.
    """

    __slots__ = ("_values", "_size")

    def __init__(self, size: int):
        self._size = window_size(size)
        self._values = deque(maxlen=self._size)

    @property
    def size(self) -> int:
        return self._size

    def push(self, score) -> float:
        """Appends `score` (a real number) and returns trend_drop of the window."""
        values = self._values
        if values is None:
            raise ValueError("TrendWindow is closed")
        if type(score) is not float:
            score = real_value("TrendWindow.push", "score", score)
        values.append(score)
        return _trend_drop(values)

    def reset(self) -> None:
        """Empties the window."""
        if self._values is None:
            raise ValueError("TrendWindow is closed")
        self._values.clear()

    def close(self) -> None:
        """Releases the window; closing twice is harmless."""
        self._values = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
