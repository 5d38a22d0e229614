"""Argument checks for the pairwise text signals, shared by both implementations so they
accept the same inputs and raise the same exceptions with the same messages.

The native path does not call these on the fast path: it encodes straight away and, only when
that fails, calls the check that explains the failure (the same check the twin runs first).
"""

from __future__ import annotations

import re

# A lone surrogate ("\\ud800") is a valid Python str but not Unicode text: it cannot be encoded
# as UTF-8, so the native kernels can never see it. Both implementations reject it alike.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _type_name(value) -> str:
    return type(value).__name__


def check_text(function: str, name: str, value) -> None:
    """Raises TypeError unless `value` is a str, ValueError when it holds a lone surrogate."""
    if not isinstance(value, str):
        raise TypeError(f"{function}: {name} must be a str, not {_type_name(value)}")
    if not value.isascii():
        match = _SURROGATE.search(value)
        if match is not None:
            raise ValueError(
                f"{function}: {name} contains a lone surrogate U+{ord(match.group()):04X} at index "
                f"{match.start()} and cannot be encoded as UTF-8"
            )


def check_pair(function: str, name_a: str, a, name_b: str, b) -> None:
    """check_text on both arguments, first argument first."""
    check_text(function, name_a, a)
    check_text(function, name_b, b)


def text_sequence(function: str, name: str, values) -> list | tuple:
    """`values` as a list or tuple of items (not yet checked); TypeError for a str, bytes or a
    non-iterable."""
    if type(values) is list or type(values) is tuple:
        return values
    if isinstance(values, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"{function}: {name} must be a sequence of str, not {_type_name(values)}")
    try:
        return list(values)
    except TypeError:
        raise TypeError(f"{function}: {name} must be a sequence of str, not {_type_name(values)}") from None


def check_pairs(function: str, claims, sources) -> tuple:
    """Checks a batch: two sequences of str of equal length. Returns them as lists/tuples.

    Order of checks (so both implementations report the same first error): claims is a
    sequence, sources is a sequence, equal lengths, then claims[0], sources[0], claims[1], ...
    """
    claims = text_sequence(function, "claims", claims)
    sources = text_sequence(function, "sources", sources)
    if len(claims) != len(sources):
        raise ValueError(
            f"{function}: claims and sources must have the same length, got {len(claims)} and {len(sources)}"
        )
    for index in range(len(claims)):
        check_text(function, f"claims[{index}]", claims[index])
        check_text(function, f"sources[{index}]", sources[index])
    return claims, sources
