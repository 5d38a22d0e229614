"""Pure-Python twins of the signal kernels: the reference the native kernels must equal."""

from __future__ import annotations

import re
from array import array
from collections import deque

import numpy as np

from ._text import check_pair, check_pairs
from ._values import float_values, real_value, window_size
from ._words import IGNORED_WORDS, NEG_WORDS

# The patterns of shared/spec/signals.md, compiled once. No flags: [A-Z]/[a-z] are ASCII,
# \s, \b and \d follow Python's Unicode rules for str patterns.
_ENTITY = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")


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

    __slots__ = ("_values", "_size", "__weakref__")  # weakly referenceable, as the native one

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


def entity_overlap(text_a: str, text_b: str) -> float:
    """Jaccard overlap of the capitalised-phrase entities of two texts.

    Args:
        text_a, text_b: str (any length; lone surrogates are rejected).
    Returns:
        float in [0, 1]: |A ∩ B| / |A ∪ B| of the sets of matches of
        ``\\b[A-Z][a-z]+(?:\\s+[A-Z][a-z]+)*\\b``; 1.0 when neither text has one.
    Raises:
        TypeError: an argument is not a str. ValueError: it holds a lone surrogate.
    """
    check_pair("entity_overlap", "text_a", text_a, "text_b", text_b)
    return _entity_overlap(text_a, text_b)


def _entity_overlap(text_a: str, text_b: str) -> float:
    a = set(_ENTITY.findall(text_a))
    b = set(_ENTITY.findall(text_b))
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def numerical_consistency(text_a: str, text_b: str) -> bool | None:
    """Whether two texts share a number, compared as written.

    Args:
        text_a, text_b: str.
    Returns:
        None when either text has no number (matches of ``\\b\\d[\\d,.]*\\b``, Unicode
        digits), else True when the two sets of matched strings intersect, else False.
        No parsing or tolerance: "1,000" != "1000".
    Raises:
        TypeError: an argument is not a str. ValueError: it holds a lone surrogate.
    """
    check_pair("numerical_consistency", "text_a", text_a, "text_b", text_b)
    return _numerical_consistency(text_a, text_b)


def _numerical_consistency(text_a: str, text_b: str):
    a = set(_NUMBER.findall(text_a))
    if not a:
        return None
    b = set(_NUMBER.findall(text_b))
    if not b:
        return None
    return not a.isdisjoint(b)


def negation_flip(claim: str, source: str) -> bool:
    """Whether claim and source share at least 3 words but only one of them is negated.

    Words are ``text.lower().split()``; a text is negated when one of its words is one of
    the 24 negation words (exact match: "not," is not one, "NOT" is).
    Args:
        claim, source: str.
    Returns:
        bool: overlap >= 3 and claim_negated != source_negated, where overlap counts the
        distinct non-negation words the two texts share.
    Raises:
        TypeError: an argument is not a str. ValueError: it holds a lone surrogate.
    """
    check_pair("negation_flip", "claim", claim, "source", source)
    return _negation_flip(claim, source)


def _negation_flip(claim: str, source: str) -> bool:
    c = set(claim.lower().split())
    s = set(source.lower().split())
    claim_neg = not c.isdisjoint(NEG_WORDS)
    source_neg = not s.isdisjoint(NEG_WORDS)
    overlap = len((c - NEG_WORDS) & (s - NEG_WORDS))
    return overlap >= 3 and claim_neg != source_neg


def traceability(claim: str, source: str) -> float:
    """Share of the claim's distinct content words that also appear in the source.

    Words are ``text.lower().split()`` minus the 54 stop words and 24 negation words;
    punctuation stays attached, no stemming.
    Args:
        claim, source: str.
    Returns:
        float in [0, 1]; 1.0 when the claim has no content word.
    Raises:
        TypeError: an argument is not a str. ValueError: it holds a lone surrogate.
    """
    check_pair("traceability", "claim", claim, "source", source)
    return _traceability(claim, source)


def _traceability(claim: str, source: str) -> float:
    cw = set(claim.lower().split()) - IGNORED_WORDS
    if not cw:
        return 1.0
    sw = set(source.lower().split()) - IGNORED_WORDS
    return len(cw & sw) / len(cw)


def entity_overlap_batch(claims, sources) -> np.ndarray:
    """entity_overlap of each (claims[i], sources[i]) pair.

    Args:
        claims, sources: equal-length sequences of str.
    Returns:
        float64 array of len(claims).
    Raises:
        TypeError: not a sequence, or an element is not a str. ValueError: unequal lengths
        or a lone surrogate.
    """
    claims, sources = check_pairs("entity_overlap_batch", claims, sources)
    return np.array([_entity_overlap(a, b) for a, b in zip(claims, sources)], dtype=np.float64)


def numerical_consistency_batch(claims, sources) -> np.ndarray:
    """numerical_consistency of each pair as an int8 array: 1 = True, 0 = False, -1 = None.

    Errors as entity_overlap_batch.
    """
    claims, sources = check_pairs("numerical_consistency_batch", claims, sources)
    codes = {True: 1, False: 0, None: -1}
    return np.array([codes[_numerical_consistency(a, b)] for a, b in zip(claims, sources)], dtype=np.int8)


def negation_flip_batch(claims, sources) -> np.ndarray:
    """negation_flip of each pair as a bool array. Errors as entity_overlap_batch."""
    claims, sources = check_pairs("negation_flip_batch", claims, sources)
    return np.array([_negation_flip(a, b) for a, b in zip(claims, sources)], dtype=np.bool_)


def traceability_batch(claims, sources) -> np.ndarray:
    """traceability of each pair as a float64 array. Errors as entity_overlap_batch."""
    claims, sources = check_pairs("traceability_batch", claims, sources)
    return np.array([_traceability(a, b) for a, b in zip(claims, sources)], dtype=np.float64)
