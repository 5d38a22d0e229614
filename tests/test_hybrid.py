"""HybridIndex (issue 6): BM25 + vector candidates fused by reciprocal rank fusion, and the
allowed-id filters of BM25Index.search / VectorIndex.search it relies on.

Golden values are worked out by hand from the formula score = Σ w / (k + rank) on corpora whose
BM25 and vector orders are obvious by construction; parity compares the pure-Python twin with
the one-call native path; properties check that a filter acts before the top k.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import IMPLEMENTATIONS, implementation_module

from ragkernels._allowed import INTEGER_IDS_NEEDED


class Impl:
    """One implementation's BM25Index, VectorIndex and HybridIndex."""

    def __init__(self, name):
        self.name = name
        self.bm25 = implementation_module("bm25", name)
        self.vector = implementation_module("vector", name)
        self.hybrid = implementation_module("hybrid", name)

    def build(self, texts, vectors, ids, metric="dot"):
        b = self.bm25.BM25Index()
        b.add(texts, ids=ids)
        v = self.vector.VectorIndex(np.asarray(vectors).shape[1], metric)
        v.add(np.asarray(vectors, dtype=np.float32), ids=np.asarray(ids, dtype=np.int64))
        return b, v, self.hybrid.HybridIndex(b, v)


@pytest.fixture(scope="module", params=IMPLEMENTATIONS)
def impl(request):
    return Impl(request.param)


@pytest.fixture(scope="module")
def both():
    return Impl("python"), Impl("native")


# ---- golden cases ---------------------------------------------------------------------------
# Four chunks of four tokens each: BM25 for "alpha" ranks them by how often "alpha" occurs
# (equal lengths, so more occurrences = higher score): 5, 3, 9 (7 has none). The dot-product
# scores against the query (1, 0) are 9: 3, 7: 2, 5: 1, 3: 0, so the vector order is 9, 7, 5, 3.
GOLDEN_IDS = [5, 3, 9, 7]
GOLDEN_TEXTS = ["alpha alpha alpha x", "alpha alpha x x", "alpha x x x", "x x x x"]
GOLDEN_VECTORS = [[1, 0], [0, 1], [3, 0], [2, 0]]
QUERY = np.array([1, 0], np.float32)


def rrf_term(w, k, rank):
    return w / (k + rank)


def test_golden_equal_weights(impl):
    _, _, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
    hits = h.search("alpha", QUERY, k=10)
    # 5: BM25 1, vector 3; 9: BM25 3, vector 1 -> the same two terms (a + b == b + a exactly),
    # so the tie goes to 5, which appears first (the BM25 list is read first).
    expected = [
        (5, 0.0 + rrf_term(1, 60, 1) + rrf_term(1, 60, 3), 1, 3),
        (9, 0.0 + rrf_term(1, 60, 3) + rrf_term(1, 60, 1), 3, 1),
        (3, 0.0 + rrf_term(1, 60, 2) + rrf_term(1, 60, 4), 2, 4),
        (7, 0.0 + rrf_term(1, 60, 2), None, 2),
    ]
    assert [tuple(hit) for hit in hits] == expected
    assert hits[0].score == hits[1].score


def test_golden_weights_and_rank_constant(impl):
    _, _, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
    hits = h.search("alpha", QUERY, k=3, weights=(2, 0.5), rrf_k=10)
    # 5: 2/11 + 0.5/13 = 0.2203; 3: 2/12 + 0.5/14 = 0.2024; 9: 2/13 + 0.5/11 = 0.1993; 7: 0.5/12.
    assert [(hit.id, hit.score) for hit in hits] == [
        (5, 2 / 11 + 0.5 / 13), (3, 2 / 12 + 0.5 / 14), (9, 2 / 13 + 0.5 / 11)]


def test_golden_fetch_k_cuts_candidates_and_ties_follow_first_appearance(impl):
    _, _, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
    hits = h.search("alpha", QUERY, k=10, fetch_k=2)
    # Candidates: BM25 5, 3; vectors 9, 7. Scores 1/61, 1/62, 1/61, 1/62: ties in the order seen.
    assert [tuple(hit) for hit in hits] == [
        (5, 1 / 61, 1, None), (9, 1 / 61, None, 1), (3, 1 / 62, 2, None), (7, 1 / 62, None, 2)]


def test_golden_bm25_only(impl):
    _, _, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
    assert [tuple(hit) for hit in h.search("alpha")] == [
        (5, 1 / 61, 1, None), (3, 1 / 62, 2, None), (9, 1 / 63, 3, None)]
    bm25_alone = impl.hybrid.HybridIndex(h.bm25, None)
    assert [hit.id for hit in bm25_alone.search("alpha", k=2)] == [5, 3]
    with pytest.raises(ValueError, match="no vector index"):
        bm25_alone.search("alpha", QUERY)


def test_golden_filter(impl):
    _, _, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
    # Only 3 and 7: BM25 gives 3 at rank 1 (not 2), the vectors give 7, then 3.
    hits = h.search("alpha", QUERY, allowed={3, 7})
    assert [tuple(hit) for hit in hits] == [(3, 1 / 61 + 1 / 62, 1, 2), (7, 1 / 61, None, 1)]
    assert h.search("alpha", QUERY, allowed=[]) == []


def test_golden_zero_weight_keeps_ranks(impl):
    _, _, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
    hits = h.search("alpha", QUERY, k=2, weights=(0, 1))
    # BM25 terms are 0/(60 + r): only the vector ranks count; 9 (vector 1), then 7 (vector 2).
    assert [tuple(hit) for hit in hits] == [(9, 0.0 + 0 / 63 + 1 / 61, 3, 1), (7, 1 / 62, None, 2)]


# ---- filters on the indexes themselves ----------------------------------------------------------

def test_bm25_filter_is_applied_before_top_k(impl):
    b, _, _ = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
    assert b.search("alpha", k=1, allowed=[9]) == b.search("alpha", k=3)[2:]
    assert b.search("alpha", k=2, allowed=np.array([9, 3, 3])) == [h for h in b.search("alpha") if h[0] in (3, 9)]
    assert b.search("alpha", allowed=[7]) == []  # allowed, but no match: never a score of 0


def test_vector_filter_is_applied_before_top_k(impl):
    _, v, _ = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
    assert v.search(QUERY, k=1, allowed=[3]) == [(3, 0.0)]
    assert v.search(QUERY, k=2, allowed=(5, 3)) == [(5, 1.0), (3, 0.0)]
    assert v.search(QUERY, k=2, allowed=set()) == []


def test_filter_argument_errors_are_identical(both):
    messages = []
    for impl in both:
        b, v, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
        row = []
        for call in (lambda: b.search("alpha", allowed="12"), lambda: b.search("alpha", allowed=[1.5]),
                     lambda: b.search(["alpha"], allowed=[1]), lambda: v.search(QUERY, allowed=[2**63]),
                     lambda: v.search(QUERY, allowed=[True]), lambda: h.search("alpha", allowed=np.array([0.5]))):
            with pytest.raises((TypeError, ValueError)) as info:
                call()
            row.append((info.type, str(info.value)))
        messages.append(row)
    assert messages[0] == messages[1]


def test_str_ids_are_refused_by_filters_and_hybrid(both):
    messages = []
    for impl in both:
        b = impl.bm25.BM25Index()
        b.add(["alpha x", "alpha y"], ids=["a", 1])
        h = impl.hybrid.HybridIndex(b, None)
        row = []
        for call in (lambda: b.search("alpha", allowed=[1]), lambda: h.search("alpha")):
            with pytest.raises(ValueError) as info:
                call()
            row.append(str(info.value))
        assert row == [INTEGER_IDS_NEEDED, INTEGER_IDS_NEEDED]
        messages.append(row)
        assert b.search("alpha") != []  # unfiltered BM25 search keeps working with str ids


def test_search_argument_errors_are_identical(both):
    rows = []
    for impl in both:
        b, v, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
        calls = [
            lambda: h.search(b"alpha", QUERY), lambda: h.search("alpha", QUERY, k=0),
            lambda: h.search("alpha", QUERY, fetch_k=0), lambda: h.search("alpha", QUERY, weights=(1,)),
            lambda: h.search("alpha", QUERY, weights=(1, -1)), lambda: h.search("alpha", QUERY, rrf_k=float("nan")),
            lambda: h.search("alpha", np.zeros(3, np.float32)), lambda: h.search("alpha", np.array([np.nan, 0], np.float32)),
            # A lone surrogate cannot be encoded as UTF-8: BM25's own ValueError, word for word.
            lambda: h.search("alpha \ud800 x", QUERY), lambda: h.search("\udfff", None),
        ]
        row = []
        for call in calls:
            with pytest.raises((TypeError, ValueError)) as info:
                call()
            row.append((info.type, str(info.value)))
        v.close()
        with pytest.raises(ValueError, match="closed") as info:
            h.search("alpha", QUERY)
        row.append(str(info.value))
        assert h.search("alpha") != []  # BM25 only still works
        b.close()
        with pytest.raises(ValueError, match="closed") as info:
            h.search("alpha")
        row.append(str(info.value))
        rows.append(row)
    assert rows[0] == rows[1]


def test_duplicate_ids_in_bm25_are_refused(both):
    messages = []
    for impl in both:
        b, v, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
        b.add(["alpha alpha alpha alpha"], ids=[5])  # 5 again: listed twice by BM25
        with pytest.raises(ValueError) as info:
            h.search("alpha", QUERY)
        messages.append(str(info.value))
    assert messages[0] == messages[1] and "rankings[0] lists the same id" in messages[0]


# ---- parity and properties on generated corpora -------------------------------------------------

WORDS = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta"]


@st.composite
def corpora(draw):
    n = draw(st.integers(1, 30))
    dim = draw(st.integers(1, 6))
    texts = [" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))) for _ in range(n)]
    # Small integers: every dot product is exact in float32, so both twins see identical scores
    # and identical ties.
    vectors = draw(st.lists(st.lists(st.integers(-3, 3), min_size=dim, max_size=dim), min_size=n, max_size=n))
    ids = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n, unique=True))
    query_words = draw(st.lists(st.sampled_from(WORDS + ["unknown"]), min_size=0, max_size=4))
    query = draw(st.lists(st.integers(-3, 3), min_size=dim, max_size=dim))
    allowed = draw(st.none() | st.lists(st.sampled_from(ids), max_size=n))
    k = draw(st.integers(1, 12))
    fetch_k = draw(st.none() | st.integers(1, 12))
    weights = draw(st.sampled_from([(1, 1), (2, 0.5), (0, 1), (0.3, 0.7)]))
    use_vector = draw(st.booleans())
    return texts, vectors, ids, " ".join(query_words), query, allowed, k, fetch_k, weights, use_vector


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora())
def test_native_equals_python_twin(both, case):
    texts, vectors, ids, text, query, allowed, k, fetch_k, weights, use_vector = case
    results = []
    for impl in both:
        _, _, h = impl.build(texts, vectors, ids)
        vector = np.asarray(query, np.float32) if use_vector else None
        results.append([tuple(hit) for hit in h.search(text, vector, k=k, fetch_k=fetch_k, weights=weights,
                                                       allowed=allowed)])
    assert results[0] == results[1]  # same ids, bit-identical scores, same ranks


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora())
def test_filters_never_return_excluded_chunks(impl, case):
    texts, vectors, ids, text, query, allowed, k, fetch_k, weights, _ = case
    allowed = set(allowed or ids[: len(ids) // 2])
    b, v, h = impl.build(texts, vectors, ids)
    q = np.asarray(query, np.float32)
    bm25_hits = b.search(text, k=k, allowed=allowed)
    vector_hits = v.search(q, k=k, allowed=allowed)
    hybrid_hits = h.search(text, q, k=k, fetch_k=fetch_k, allowed=allowed)
    assert {i for i, _ in bm25_hits} <= allowed
    assert {i for i, _ in vector_hits} <= allowed
    assert {hit.id for hit in hybrid_hits} <= allowed
    # Before the top k: the filtered top k is the unfiltered full ranking restricted to the
    # allowed ids, cut at k (so excluded chunks never take a place).
    assert bm25_hits == [hit for hit in b.search(text, k=len(ids)) if hit[0] in allowed][:k]
    assert vector_hits == [hit for hit in v.search(q, k=len(ids)) if hit[0] in allowed][:k]


def test_huge_k_and_fetch_k_do_not_size_buffers(impl):
    _, _, h = impl.build(GOLDEN_TEXTS, GOLDEN_VECTORS, GOLDEN_IDS)
    everything = h.search("alpha", QUERY, k=100)
    assert h.search("alpha", QUERY, k=2**31 - 1, fetch_k=2**30 - 1) == everything
    assert [hit.id for hit in everything] == [5, 9, 3, 7]
