"""Benchmark rows for the scoring signals (shared/spec/signals.md reference inputs)."""

from __future__ import annotations

import functools
import re

from ._cases import Case

# The reference inputs of shared/spec/signals.md.
TREND_SERIES = [0.85, 0.82, 0.78, 0.71, 0.65, 0.58, 0.52, 0.48, 0.43, 0.39]


def _trend_drop(module):
    values = TREND_SERIES
    trend_drop = module.trend_drop
    return lambda: trend_drop(values)


def _window_push(module):
    # A push costs the same whatever the score (the window is recomputed in full), so a
    # constant score keeps the harness's own work out of the timing.
    window = module.TrendWindow(5)
    for score in TREND_SERIES[:5]:
        window.push(score)
    push = window.push
    return lambda: push(0.39)


def _python_trend_drop_on_window(module):
    # What a guard does without a window object: call trend_drop on the last 5 scores.
    if not module.__name__.endswith("._py"):
        return None
    values = TREND_SERIES[:5]
    trend_drop = module.trend_drop
    return lambda: trend_drop(values)


# CLAIM and SOURCE of shared/spec/signals.md, the per-call reference inputs of the four
# pairwise signals.
CLAIM = (
    "The Team Plan costs $19 per user per month and supports up to 25 users with email support. "
    "Phone support is available for all paid plans. We are SOC 2 Type II, ISO 27001, HIPAA, and FedRAMP certified."
)
SOURCE = (
    "Team Plan costs $19 per user per month, up to 25 users. Phone support is Enterprise only. "
    "All paid plans include a 14-day free trial. SOC 2 Type II and ISO 27001 certified."
)
BATCH_PAIRS = 10_000
PAIR_SIGNALS = ["entity_overlap", "numerical_consistency", "negation_flip", "traceability"]


def words(text: str, count: int, rotation: int = 0) -> str:
    """`count` words of `text` taken cyclically from word `rotation` on (the C# workloads in
    SignalWorkloads.cs build the same strings)."""
    items = text.split(" ")
    return " ".join(items[(rotation + i) % len(items)] for i in range(count))


# A 100-word claim against a 500-word source, built from the reference texts.
LONG_CLAIM = words(CLAIM + " " + SOURCE, 100)
LONG_SOURCE = words(SOURCE + " " + CLAIM, 500)


def batch_pairs(count: int = BATCH_PAIRS) -> tuple[list[str], list[str]]:
    """Pair i: CLAIM and SOURCE, each rotated by i words (same size, varied content)."""
    claim_words = len(CLAIM.split(" "))
    source_words = len(SOURCE.split(" "))
    claims = [words(CLAIM, claim_words, i) for i in range(count)]
    sources = [words(SOURCE, source_words, i) for i in range(count)]
    return claims, sources


CROSS_SIDE = 100


def cross_pairs(side: int = CROSS_SIDE) -> tuple[list[str], list[str]]:
    """How a guard calls a batch: each of `side` claims (CLAIM rotated) against each of `side`
    sources (SOURCE rotated), a claim's pairs one after another passing the same str object."""
    claim_words = len(CLAIM.split(" "))
    source_words = len(SOURCE.split(" "))
    claims = [words(CLAIM, claim_words, i) for i in range(side)]
    sources = [words(SOURCE, source_words, j) for j in range(side)]
    return [claim for claim in claims for _ in sources], sources * side


@functools.lru_cache(maxsize=1)
def arguana_pairs(count: int = BATCH_PAIRS) -> tuple[list[str], list[str]]:
    """Real text, as a guard meets it: each sentence of an ArguAna query (an argument; ~21 words a
    sentence) against the passage judged relevant to the query (~148 words), the passage one str
    for all of its query's sentences. In the first 10,000 pairs, 59% of the 1,102 passages are
    not all ASCII (curly quotes, dashes). Needs ../shared/data/arguana (shared/data/README.md)."""
    from .bm25_arguana import find_data, load

    doc_ids, texts, query_ids, query_texts, qrels = load(find_data(None))
    by_id = dict(zip(doc_ids, texts))
    claims, sources = [], []
    for query_id, query in zip(query_ids, query_texts):
        relevant = [doc for doc, grade in qrels[query_id].items() if grade > 0 and doc in by_id]
        if not relevant:
            continue
        passage = by_id[relevant[0]]
        for sentence in re.split(r"(?<=[.!?])\s+", query):
            if sentence.strip() and len(claims) < count:
                claims.append(sentence)
                sources.append(passage)
    return claims, sources


def _pair(name: str, claim: str, source: str):
    def make(module):
        function = getattr(module, name, None)
        if function is None:
            return None
        return lambda: function(claim, source)

    return make


def _batch(name: str, layout=batch_pairs):
    def make(module):
        function = getattr(module, name + "_batch", None)
        if function is None:
            return None
        claims, sources = layout()
        return lambda: function(claims, sources)

    return make


def _have_arguana() -> bool:
    from .bm25_arguana import find_data

    return find_data(None) is not None


CASES = [
    Case("trend_drop", "10-value reference series (list)", "signals", _trend_drop, peer_function="trend_drop"),
    Case("TrendWindow.push", "full window of 5", "signals", _window_push,
         notes="the Python twin's push; compare with trend_drop on a 5-value list"),
    Case("trend_drop (5 values)", "5-value list: the per-token call a window replaces", "signals",
         _python_trend_drop_on_window, csharp=None),
] + [
    case
    for name in PAIR_SIGNALS
    for case in (
        Case(name, "reference CLAIM/SOURCE", "signals", _pair(name, CLAIM, SOURCE)),
        Case(name, "100-word claim vs 500-word source", "signals", _pair(name, LONG_CLAIM, LONG_SOURCE),
             csharp=f"{name} (100 vs 500 words)"),
        Case(f"{name}_batch", f"{BATCH_PAIRS:,} pairs (CLAIM/SOURCE rotated)", "signals", _batch(name),
             items=BATCH_PAIRS, unit="pairs", iterations=20),
        Case(f"{name}_batch", f"{CROSS_SIDE} claims × {CROSS_SIDE} sources, a claim's str repeated for its pairs", "signals",
             _batch(name, cross_pairs), items=CROSS_SIDE * CROSS_SIDE, unit="pairs", iterations=20,
             csharp=f"{name}_batch ({CROSS_SIDE} x {CROSS_SIDE})"),
    )
] + [
    # Real text; only where ../shared/data is (a user's clone has no such rows).
    Case(f"{name}_batch", f"{BATCH_PAIRS:,} ArguAna pairs: each query sentence vs its relevant passage", "signals",
         _batch(name, arguana_pairs), items=BATCH_PAIRS, unit="pairs", iterations=20, csharp=None)
    for name in PAIR_SIGNALS
    if _have_arguana()
]
