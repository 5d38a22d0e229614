"""Every code point: the native kernels' whitespace, word-character, decimal-digit,
lower-casing and final-sigma decisions against Python's own str methods (through the C ABI,
with the batch exports), so .NET's and Python's Unicode databases are compared
systematically, not by example.

Where they genuinely disagree: code points that Python 3.11's database (Unicode 14.0) does
not assign but .NET 9's (Unicode 15.0) does. Python sees them as unassigned (no letter, no
digit, not cased), .NET as the letters, digits and marks Unicode 15.0 made them. They are
listed in UNICODE_15_ADDITIONS and left out of the parity alphabet (tests/test_pair_signals.py).
On a Python whose database is 15.0 or newer, they are assigned and checked exactly.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest

from unicode_probes import disagreements, python_code_points

# Code points new in Unicode 15.0 on which the probes see a difference from Unicode 14.0
# (found by tests/unicode_probes.py; ranges inclusive).
UNICODE_15_ADDITIONS = [
    (0x0ECE, 0x0ECE), (0x10EFD, 0x10EFF), (0x1123F, 0x11241), (0x11F00, 0x11F02), (0x11F04, 0x11F10),
    (0x11F12, 0x11F33), (0x11F36, 0x11F3A), (0x11F40, 0x11F40), (0x11F42, 0x11F42), (0x11F50, 0x11F59),
    (0x1342F, 0x1342F), (0x13439, 0x13455), (0x1B132, 0x1B132), (0x1B155, 0x1B155), (0x1D2C0, 0x1D2D3),
    (0x1DF25, 0x1DF2A), (0x1E030, 0x1E06D), (0x1E08F, 0x1E08F), (0x1E4D0, 0x1E4F9), (0x2B739, 0x2B739),
    (0x31350, 0x323AF),
]


def documented(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in UNICODE_15_ADDITIONS)


def test_every_code_point_python_assigns_agrees(native_signals):
    found = disagreements(native_signals, python_code_points())
    assert found == {}, {name: [f"U+{c:04X}" for c in cps[:20]] for name, cps in found.items()}


def test_code_points_python_leaves_unassigned_differ_only_where_documented(native_signals):
    unassigned = [chr(c) for c in range(sys.maxunicode + 1)
                  if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) == "Cn"]
    found = disagreements(native_signals, unassigned)
    undocumented = {name: [f"U+{c:04X}" for c in cps if not documented(c)][:20] for name, cps in found.items()}
    assert all(not cps for cps in undocumented.values()), undocumented


def test_the_documented_code_points_are_unassigned_in_this_python():
    if unicodedata.unidata_version >= "15.0.0":
        pytest.skip(f"Python's Unicode database is {unicodedata.unidata_version}: these code points are assigned "
                    "here and checked exactly by test_every_code_point_python_assigns_agrees")
    for lo, hi in UNICODE_15_ADDITIONS:
        for cp in range(lo, hi + 1):
            assert unicodedata.category(chr(cp)) == "Cn", f"U+{cp:04X}"
