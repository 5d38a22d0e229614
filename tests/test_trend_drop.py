"""trend_drop and TrendWindow: golden values, parity between twins, inputs and errors."""

from __future__ import annotations

import math
import struct
from array import array
from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

# From the Python reference (shared/spec/signals.md, "Golden values").
GOLDEN = [
    ([], 0.0),
    ([0.5], 0.0),
    ([0.5, 0.5, 0.5, 0.5, 0.5], -0.0),
    ([0.9, 0.7, 0.5, 0.3, 0.1], 0.8),
    ([0.8, 0.2], 0.6000000000000001),
    ([0.85, 0.8, 0.7], 0.15000000000000002),
    ([0.1, 0.2, 0.3], -0.19999999999999998),
    ([0.85, 0.82, 0.78, 0.71, 0.65, 0.58, 0.52, 0.48, 0.43, 0.39], 0.4914545454545454),
]


def bits(x: float) -> bytes:
    """Exact comparison that tells -0.0 from 0.0 and treats every NaN alike."""
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


@pytest.mark.parametrize("values, expected", GOLDEN)
def test_golden_values(signals, values, expected):
    assert bits(signals.trend_drop(values)) == bits(expected)


@pytest.mark.parametrize(
    "convert",
    [list, tuple, deque, lambda v: array("d", v), lambda v: array("f", v), np.array,
     lambda v: np.array(v, dtype=np.float32), lambda v: (x for x in v)],
    ids=["list", "tuple", "deque", "array-d", "array-f", "numpy", "numpy-f32", "generator"],
)
def test_accepts_every_sequence_kind(signals, convert):
    values = [0.85, 0.8, 0.7]
    expected = signals.trend_drop([float(x) for x in convert(values)])
    assert bits(signals.trend_drop(convert(values))) == bits(expected)


def test_integers_and_bools_are_real_numbers(signals):
    assert signals.trend_drop([3, 2, 1]) == 2.0
    assert signals.trend_drop(np.array([3, 2, 1], dtype=np.int64)) == 2.0
    assert signals.trend_drop([True, False]) == 1.0


def test_numpy_float64_is_not_copied():
    from ragkernels.signals._values import float_values

    contiguous = np.linspace(1.0, 0.0, 7)
    assert float_values("trend_drop", contiguous) is contiguous
    strided = contiguous[::2]
    converted = float_values("trend_drop", strided)
    assert converted is not strided and converted.flags.c_contiguous


def test_non_contiguous_numpy_gives_the_same_answer(signals):
    values = np.linspace(0.9, 0.1, 11)
    assert bits(signals.trend_drop(values[::3])) == bits(signals.trend_drop(values[::3].tolist()))


@pytest.mark.parametrize(
    "values, exception, message",
    [
        (["0.5", 0.4], TypeError, "trend_drop: values[0] must be a real number, not str"),
        ([0.5, None], TypeError, "trend_drop: values[1] must be a real number, not NoneType"),
        ([0.5, 1j], TypeError, "trend_drop: values[1] must be a real number, not complex"),
        ("0.5", TypeError, "trend_drop: values must be a sequence of real numbers, not str"),
        (b"\x00" * 8, TypeError, "trend_drop: values must be a sequence of real numbers, not bytes"),
        (5, TypeError, "trend_drop: values must be a sequence of real numbers, not int"),
        (None, TypeError, "trend_drop: values must be a sequence of real numbers, not NoneType"),
        ({0.1: 1}, TypeError, "trend_drop: values must be a sequence of real numbers, not dict"),
        (np.zeros((2, 2)), ValueError, "trend_drop: values must be one-dimensional, got an array of shape (2, 2)"),
        (np.array(["a"]), TypeError, "trend_drop: values must be real numbers, not an array of dtype <U1"),
        (np.array([1j]), TypeError, "trend_drop: values must be real numbers, not an array of dtype complex128"),
    ],
)
def test_invalid_input_raises_the_same_error_in_both(signals, values, exception, message):
    with pytest.raises(exception) as raised:
        signals.trend_drop(values)
    assert str(raised.value) == message


def test_int_too_large_for_a_float_raises_overflow_in_both(py_signals, native_signals):
    messages = set()
    for module in (py_signals, native_signals):
        with pytest.raises(OverflowError) as raised:
            module.trend_drop([1, 10**400])
        messages.add(str(raised.value))
    assert len(messages) == 1


def test_nan_or_infinity_anywhere_gives_nan(signals):
    for bad in (math.nan, math.inf, -math.inf):
        for position in range(4):
            values = [0.9, 0.7, 0.5, 0.3]
            values[position] = bad
            assert math.isnan(signals.trend_drop(values))


def test_overflowing_sum_of_finite_values_matches(py_signals, native_signals):
    values = [1.7e308, 1.7e308, -1e308]
    assert bits(native_signals.trend_drop(values)) == bits(py_signals.trend_drop(values))


series_elements = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-300, max_value=1e-300),
    st.floats(min_value=0.0, max_value=1.0),
    st.sampled_from([-0.0, 0.0, 1e308, -1e308, 5e-324]),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(series_elements, min_size=0, max_size=300))
def test_parity_on_generated_series(py_signals, native_signals, values):
    assert bits(native_signals.trend_drop(values)) == bits(py_signals.trend_drop(values))
    assert bits(native_signals.trend_drop(np.array(values))) == bits(py_signals.trend_drop(values))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=12), st.lists(series_elements, max_size=60))
def test_window_equals_trend_drop_of_the_last_values(signals, size, stream):
    with signals.TrendWindow(size) as window:
        for i, score in enumerate(stream):
            expected = signals.trend_drop(stream[max(0, i + 1 - size): i + 1])
            assert bits(window.push(score)) == bits(expected)


def test_window_push_matches_across_implementations(py_signals, native_signals):
    rng = np.random.default_rng(7)
    scores = rng.random(500).tolist()
    with py_signals.TrendWindow(5) as a, native_signals.TrendWindow(5) as b:
        for score in scores:
            assert bits(a.push(score)) == bits(b.push(score))


def test_window_reset_starts_over(signals):
    window = signals.TrendWindow(3)
    for score in (0.9, 0.1, 0.5, 0.7):
        window.push(score)
    window.reset()
    assert window.push(0.8) == 0.0
    assert bits(window.push(0.2)) == bits(signals.trend_drop([0.8, 0.2]))


def test_window_accepts_numpy_and_int_scores(signals):
    window = signals.TrendWindow(2)
    window.push(np.float32(0.5))
    assert window.push(1) == signals.trend_drop([float(np.float32(0.5)), 1.0])


@pytest.mark.parametrize(
    "size, exception, message",
    [
        (0, ValueError, "TrendWindow: size must be between 1 and 1048576, got 0"),
        (-3, ValueError, "TrendWindow: size must be between 1 and 1048576, got -3"),
        (2**20 + 1, ValueError, "TrendWindow: size must be between 1 and 1048576, got 1048577"),
        (2.5, TypeError, "TrendWindow: size must be an int, not float"),
        ("5", TypeError, "TrendWindow: size must be an int, not str"),
        (True, TypeError, "TrendWindow: size must be an int, not bool"),
    ],
)
def test_window_size_errors(signals, size, exception, message):
    with pytest.raises(exception) as raised:
        signals.TrendWindow(size)
    assert str(raised.value) == message


@pytest.mark.parametrize("score", ["0.5", None, 1j, [0.5]])
def test_window_push_rejects_non_numbers_alike(signals, score):
    window = signals.TrendWindow(3)
    with pytest.raises(TypeError) as raised:
        window.push(score)
    assert str(raised.value) == f"TrendWindow.push: score must be a real number, not {type(score).__name__}"
    assert window.push(0.5) == 0.0, "a failed push must leave the window usable and unchanged"


def test_window_use_after_close_raises(signals):
    window = signals.TrendWindow(3)
    window.push(0.4)
    window.close()
    window.close()  # a second close is harmless
    for call in (lambda: window.push(0.1), window.reset):
        with pytest.raises(ValueError, match="TrendWindow is closed"):
            call()
