"""rrf: golden cases worked out by hand, an independent reference, exact parity between the
twins, and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from conftest import implementation_module


@pytest.fixture(scope="session", params=["python", "native"])
def vector(request):
    return implementation_module("vector", request.param)


@pytest.fixture(scope="session")
def py_vector():
    return implementation_module("vector", "python")


@pytest.fixture(scope="session")
def native_vector():
    return implementation_module("vector", "native")


def test_golden_two_rankings(vector):
    # a: rank 1 in ranking 0.          b: rank 2 in ranking 0, rank 1 in ranking 1.
    # c: rank 3, then rank 2.          d: rank 3 in ranking 1 only.
    expected = [
        ("b", 1 / 62 + 1 / 61),
        ("c", 1 / 63 + 1 / 62),
        ("a", 1 / 61),
        ("d", 1 / 63),
    ]
    assert vector.rrf([["a", "b", "c"], ["b", "c", "d"]]) == expected


def test_golden_ties_keep_first_appearance(vector):
    # 1 and 2 both score 1/61 + 1/62; 1 appears first (ranking 0, rank 1).
    assert vector.rrf([[1, 2], [2, 1]]) == [(1, 1 / 61 + 1 / 62), (2, 1 / 62 + 1 / 61)]
    # Disjoint rankings: each rank-1 id scores 1/61, reading ranking 0 before ranking 1.
    assert vector.rrf([[5, 6], [7, 8]]) == [(5, 1 / 61), (7, 1 / 61), (6, 1 / 62), (8, 1 / 62)]


def test_golden_weights_and_k(vector):
    # weights (2, 1): x = 2/(10+1) + 1/(10+2); y = 2/(10+2) + 1/(10+1)  -> x first.
    assert vector.rrf([["x", "y"], ["y", "x"]], k=10, weights=[2, 1]) == [
        ("x", 2 / 11 + 1 / 12), ("y", 2 / 12 + 1 / 11)]
    # k = 0: plain reciprocal ranks: w = 1/2 + 1/1 = 1.5 beats z = 1/1 + 1/3 = 1.33, then v = 1/2.
    assert vector.rrf([["z", "w"], ["w", "v", "z"]], k=0) == [("w", 1 / 2 + 1 / 1), ("z", 1 / 1 + 1 / 3), ("v", 1 / 2)]
    # A zero weight keeps the ids (score from the other ranking only) and their order.
    assert vector.rrf([[1, 2], [3]], weights=[0, 1]) == [(3, 1 / 61), (1, 0.0), (2, 0.0)]


def test_limit_and_empty_inputs(vector):
    fused = vector.rrf([[1, 2, 3], [3, 2]])
    assert vector.rrf([[1, 2, 3], [3, 2]], limit=2) == fused[:2]
    assert vector.rrf([[1, 2, 3]], limit=0) == []
    assert vector.rrf([]) == []
    assert vector.rrf([[], []]) == []
    assert vector.rrf([[], [4]]) == [(4, 1 / 61)]


def test_accepts_search_results_arrays_and_mixed_ids(vector):
    bm25 = [(10, 7.5), (11, 3.2)]
    dense = np.array([11, 12], dtype=np.int32)
    assert vector.rrf([bm25, dense]) == [(11, 1 / 62 + 1 / 61), (10, 1 / 61), (12, 1 / 62)]
    fused = vector.rrf([np.array([3, 4], np.uint64), [4, "doc"]])
    assert fused == [(4, 1 / 62 + 1 / 61), (3, 1 / 61), ("doc", 1 / 62)]
    assert all(type(id) is int for id, _ in vector.rrf([np.arange(3)]))
    big = 2**70
    assert vector.rrf([[big, 1]]) == [(big, 1 / 61), (1, 1 / 62)]


@pytest.mark.parametrize(
    "call, exception, message",
    [
        (lambda rrf: rrf([[1, 2, 1]]), ValueError, "rrf: rankings[0] lists the same id at ranks 1 and 3"),
        (lambda rrf: rrf([[1], ["a", "b", "a"]]), ValueError, "rrf: rankings[1] lists the same id at ranks 1 and 3"),
        (lambda rrf: rrf([[1]], k=-1), ValueError, "rrf: k must be a finite number >= 0, got -1.0"),
        (lambda rrf: rrf([[1]], k=math.inf), ValueError, "rrf: k must be a finite number >= 0, got inf"),
        (lambda rrf: rrf([[1]], k="60"), TypeError, "rrf: k must be a real number, not str"),
        (lambda rrf: rrf([[1], [2]], weights=[1]), ValueError, "rrf: weights has 1 entries for 2 rankings"),
        (lambda rrf: rrf([[1]], weights=[math.nan]), ValueError, "rrf: weights[0] must be a finite number >= 0, got nan"),
        (lambda rrf: rrf([[1]], weights=[-2]), ValueError, "rrf: weights[0] must be a finite number >= 0, got -2.0"),
        (lambda rrf: rrf([[1]], limit=-1), ValueError, "rrf: limit must be 0 or more, got -1"),
        (lambda rrf: rrf("abc"), TypeError, "rrf: rankings must be a sequence of rankings, not str"),
        (lambda rrf: rrf([5]), TypeError, "rrf: rankings[0] must be a sequence of ids, not int"),
        (lambda rrf: rrf([np.zeros((2, 2))]), ValueError, "rrf: rankings[0] must be one-dimensional, got shape (2, 2)"),
        (lambda rrf: rrf([[[1], [2]]]), TypeError, "unhashable type: 'list'"),
    ],
)
def test_errors(vector, call, exception, message):
    with pytest.raises(exception) as raised:
        call(vector.rrf)
    assert str(raised.value) == message


def reference_rrf(rankings, k=60.0, weights=None):
    """Written from the definition: for every id, in order of first appearance, add
    w_j / (k + rank) over the rankings j that contain it, in ranking order; then sort by score
    descending, ties by first appearance."""
    first_seen = []
    for ranking in rankings:
        for id in ranking:
            if id not in first_seen:
                first_seen.append(id)
    scored = []
    for position, id in enumerate(first_seen):
        total = 0.0
        for j, ranking in enumerate(rankings):
            if id in ranking:
                w = 1.0 if weights is None else float(weights[j])
                total += w / (float(k) + (list(ranking).index(id) + 1))
        scored.append((-total, position, id, total))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [(id, total) for _, _, id, total in scored]


ranking_lists = st.lists(st.lists(st.integers(-50, 50), unique=True, max_size=40), max_size=5)


@settings(max_examples=300, deadline=None)
@given(ranking_lists, st.floats(0, 200), st.booleans(), st.data())
def test_parity_and_reference_on_int_ids(py_vector, native_vector, rankings, k, weighted, data):
    weights = data.draw(st.lists(st.floats(0, 5), min_size=len(rankings), max_size=len(rankings))) if weighted else None
    expected = reference_rrf(rankings, k, weights)
    assert py_vector.rrf(rankings, k=k, weights=weights) == expected
    assert native_vector.rrf(rankings, k=k, weights=weights) == expected
    arrays = [np.array(r, dtype=np.int64) for r in rankings]
    assert native_vector.rrf(arrays, k=k, weights=weights) == expected
    limit = data.draw(st.integers(0, 100))
    assert native_vector.rrf(arrays, k=k, weights=weights, limit=limit) == expected[:limit]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(max_size=3), unique=True, max_size=20), max_size=4))
def test_parity_on_text_ids(py_vector, native_vector, rankings):
    expected = reference_rrf(rankings)
    assert py_vector.rrf(rankings) == expected
    assert native_vector.rrf(rankings) == expected


def test_native_fusion_export_checks_offsets(lib, ffi):
    ids = ffi.new("int64_t[]", [1, 2, 3])
    out_ids = ffi.new("int64_t[]", 3)
    out_scores = ffi.new("double[]", 3)
    count = ffi.new("int64_t*")
    bad_offsets = [[0, 2, 1, 3], [1, 3], [0, -1]]  # decreasing, not from 0, negative total
    for offsets in bad_offsets:
        buffer = ffi.new("int64_t[]", offsets)
        status = lib.rk_rrf_fuse(ids, buffer, len(offsets) - 1, ffi.NULL, 60.0, out_ids, out_scores, 3, count)
        assert status == lib.RK_INVALID_ARGUMENT, offsets
    good = ffi.new("int64_t[]", [0, 3])
    assert lib.rk_rrf_fuse(ids, good, 1, ffi.NULL, 60.0, out_ids, out_scores, 3, ffi.NULL) == lib.RK_NULL_POINTER
    assert lib.rk_rrf_fuse(ids, good, 1, ffi.NULL, 60.0, ffi.NULL, out_scores, 3, count) == lib.RK_NULL_POINTER
    assert lib.rk_rrf_fuse(ids, good, 1, ffi.NULL, -1.0, out_ids, out_scores, 3, count) == lib.RK_INVALID_ARGUMENT
    assert lib.rk_rrf_fuse(ids, good, 1, ffi.NULL, 60.0, out_ids, out_scores, 2, count) == lib.RK_OK
    assert count[0] == 2 and list(out_ids[0:2]) == [1, 2]
