"""Per-code-point probes comparing the native kernels' character classes with Python's.

Each probe is a (claim, source) pair whose signal value reveals one property of one code
point; the expected value comes from Python's own str methods, not from either twin.
Used by tests/test_unicode_tables.py.
"""

from __future__ import annotations

import sys
import unicodedata

from ragkernels.signals._words import IGNORED_WORDS

# Code points that exist as characters in Python's Unicode database (any category but Cn,
# surrogates excluded: they are not text).
def python_code_points() -> list[str]:
    return [chr(c) for c in range(sys.maxunicode + 1)
            if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"]


def is_word(x: str) -> bool:
    return x.isalnum() or x == "_"


def _trace_expected(claim: str, source: str) -> float:
    # Straight from the definition, with Python's own lower()/split().
    cw = set(claim.lower().split()) - IGNORED_WORDS
    if not cw:
        return 1.0
    sw = set(source.lower().split()) - IGNORED_WORDS
    return len(cw & sw) / len(cw)


def probes(chars: list[str]):
    """Yields (property, signal, claims, sources, expected) for the characters."""
    yield ("isspace", "traceability", [f"ab{x}cd" for x in chars], ["ab"] * len(chars),
           [0.5 if x.isspace() else 0.0 for x in chars])
    yield ("word (isalnum or _)", "entity_overlap", [f"Ab{x}" for x in chars], ["Ab"] * len(chars),
           [0.0 if is_word(x) else 1.0 for x in chars])
    yield ("isdecimal", "numerical_consistency", [f"1{x}" for x in chars], ["1"] * len(chars),
           [0 if x.isdecimal() else -1 if is_word(x) else 1 for x in chars])
    yield ("isdecimal alone", "numerical_consistency", chars, chars,
           [1 if x.isdecimal() else -1 for x in chars])
    # Lower-casing: native lower of "q"+x must equal native lower of Python's lower of it.
    sources = [f"q{x}z".lower() for x in chars]
    yield ("lower", "traceability", [f"q{x}z" for x in chars], sources,
           [_trace_expected(f"q{x}z", s) for x, s in zip(chars, sources)])
    # Final sigma: the source spells out Python's choice of σ or ς.
    for name, template in (("final sigma after", "a{}Σ"), ("final sigma, x first", "{}Σ"),
                           ("final sigma before", "aΣ{}"), ("final sigma between", "aΣ{}a")):
        claims = [template.format(x) for x in chars]
        sources = [c.lower() for c in claims]
        yield (name, "traceability", claims, sources,
               [_trace_expected(c, s) for c, s in zip(claims, sources)])


def disagreements(signals, chars: list[str]) -> dict[str, list[int]]:
    """{property: [code points where the native batch result differs from the expectation]}."""
    out = {}
    for name, signal, claims, sources, expected in probes(chars):
        got = getattr(signals, signal + "_batch")(claims, sources).tolist()
        bad = [ord(x) for x, g, e in zip(chars, got, expected) if g != e]
        if bad:
            out[name] = bad
    return out


if __name__ == "__main__":
    from ragkernels.signals import _native

    result = disagreements(_native, python_code_points())
    for name, bad in result.items():
        print(name, len(bad), " ".join(f"U+{c:04X}" for c in bad[:80]))
