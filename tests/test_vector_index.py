"""VectorIndex: results against a brute-force float64 numpy reference, parity between the
twins, ties, removal, errors, files, use after close and concurrent use."""

from __future__ import annotations

import math
import os
import struct
import threading
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from conftest import implementation_module

METRICS = ["cosine", "dot", "l2"]


@pytest.fixture(scope="session", params=["python", "native"])
def vector(request):
    """The vector module of one implementation."""
    return implementation_module("vector", request.param)


@pytest.fixture(scope="session")
def py_vector():
    return implementation_module("vector", "python")


@pytest.fixture(scope="session")
def native_vector():
    return implementation_module("vector", "native")


# ---- an independent reference ---------------------------------------------------------------

def reference_scores(metric: str, vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Exact scores in float64 from the original float32 inputs (written separately from the
    implementations: plain formulas, no shared code)."""
    x = vectors.astype(np.float64)
    q = query.astype(np.float64)
    if metric == "dot":
        return x @ q
    if metric == "cosine":
        return (x @ q) / (np.linalg.norm(x, axis=1) * np.linalg.norm(q))
    return -np.sqrt(((x - q) ** 2).sum(axis=1))


def tolerance(metric: str, vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Per-row bound on a float32 score's error: γ_d · Σ|q_i x_i| (d = dim, u = 2^-24) for the
    sum, plus the roundings of the inputs' normalisation (cosine) or the square root (l2)."""
    d = vectors.shape[1]
    gamma = (d + 4) * 2.0**-24 / (1 - (d + 4) * 2.0**-24)
    x = vectors.astype(np.float64)
    q = query.astype(np.float64)
    if metric == "dot":
        return gamma * (np.abs(x) @ np.abs(q)) + 1e-30
    if metric == "cosine":
        xn = np.abs(x) / np.linalg.norm(x, axis=1)[:, None]
        qn = np.abs(q) / np.linalg.norm(q)
        return 3 * gamma * (xn @ qn) + 1e-30
    squared = ((x - q) ** 2).sum(axis=1)
    # sqrt of (1 + γ)·s: relative error γ/2, plus rounding of the differences themselves.
    return 2 * gamma * (np.sqrt(squared) + np.sqrt((np.abs(x) + np.abs(q)) ** 2 @ np.ones(d)) * 2.0**-24) + 1e-30


def assert_valid_top_k(metric, vectors, ids_in_order, query, k, results):
    """`results` is an exact top-k of the reference within tolerance: right length, each score
    near its reference, ordered, and nothing left out that clearly beats the last one kept."""
    ref = reference_scores(metric, vectors, query)
    tol = tolerance(metric, vectors, query)
    row_of = {id: row for row, id in enumerate(ids_in_order)}
    assert len(results) == min(k, len(ids_in_order))
    got_rows = [row_of[id] for id, _ in results]
    assert len(set(got_rows)) == len(got_rows)
    for (id, score), row in zip(results, got_rows):
        assert abs(score - ref[row]) <= tol[row], (id, score, ref[row])
    scores = [s for _, s in results]
    assert all(a >= b for a, b in zip(scores, scores[1:]))
    if got_rows:
        last = got_rows[-1]
        left_out = np.setdiff1d(np.arange(len(ids_in_order)), got_rows)
        if left_out.size:
            assert (ref[left_out] <= ref[last] + tol[left_out] + tol[last]).all()


def random_vectors(seed, n, dim):
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


# ---- behaviour, per implementation ----------------------------------------------------------

@pytest.mark.parametrize("metric", METRICS)
def test_search_is_an_exact_top_k(vector, metric):
    data = random_vectors(1, 500, 48)
    queries = random_vectors(2, 20, 48)
    with vector.VectorIndex(48, metric) as index:
        ids = index.add(data)
        assert ids.tolist() == list(range(500)) and len(index) == 500
        for q in queries:
            assert_valid_top_k(metric, data, ids.tolist(), q, 10, index.search(q, k=10))
        assert_valid_top_k(metric, data, ids.tolist(), queries[0], 600, index.search(queries[0], k=600))


@pytest.mark.parametrize("metric", METRICS)
def test_search_many_rows_equal_search(vector, metric):
    data = random_vectors(3, 300, 24)
    queries = random_vectors(4, 17, 24)
    with vector.VectorIndex(24, metric) as index:
        index.add(data, ids=np.arange(1000, 1300))
        for threads in (None, 1, 2, 3):
            ids, scores = index.search_many(queries, k=7, threads=threads)
            assert ids.shape == (17, 7) and ids.dtype == np.int64 and scores.dtype == np.float32
            for row, q in enumerate(queries):
                assert list(zip(ids[row].tolist(), scores[row].tolist())) == index.search(q, k=7)


def test_search_many_pads_missing_results(vector):
    with vector.VectorIndex(3, "dot") as index:
        ids, scores = index.search_many(np.ones((2, 3), np.float32), k=4)
        assert (ids == -1).all() and np.isnan(scores).all()
        index.add([[1, 0, 0], [0, 1, 0]])
        ids, scores = index.search_many([[1, 2, 0]], k=4)
        assert ids.tolist() == [[1, 0, -1, -1]]
        assert scores[0, :2].tolist() == [2.0, 1.0] and np.isnan(scores[0, 2:]).all()
        ids, scores = index.search_many(np.empty((0, 3), np.float32), k=2)
        assert ids.shape == (0, 2) and scores.shape == (0, 2)


def test_equal_scores_rank_in_insertion_order(vector):
    # Small integers: every product and sum is exact in float32, so ties are real ties.
    rows = [[1, 0], [2, 0], [1, 0], [3, 0], [2, 0], [1, 0], [3, 0]]
    with vector.VectorIndex(2, "dot") as index:
        index.add(rows, ids=[70, 60, 50, 40, 30, 20, 10])
        assert index.search([1, 0], k=7) == [(40, 3.0), (10, 3.0), (60, 2.0), (30, 2.0), (70, 1.0), (50, 1.0), (20, 1.0)]
        assert index.search([1, 0], k=3) == [(40, 3.0), (10, 3.0), (60, 2.0)]
        assert index.search([1, 0], k=4) == [(40, 3.0), (10, 3.0), (60, 2.0), (30, 2.0)]
        index.remove(40)
        assert index.search([1, 0], k=3) == [(10, 3.0), (60, 2.0), (30, 2.0)]
        index.add([[3, 0]], ids=[99])  # the newest insertion comes last among equals
        assert index.search([1, 0], k=2) == [(10, 3.0), (99, 3.0)]


def test_metrics_score_as_documented(vector):
    with vector.VectorIndex(2, "l2") as index:
        index.add([[0, 0], [3, 4]])
        assert index.search([0, 0], k=2) == [(0, 0.0), (1, -5.0)]
    with vector.VectorIndex(2, "cosine") as index:
        index.add([[10, 0], [0, 2], [-3, 0]])
        assert index.search([5, 0], k=3) == [(0, 1.0), (1, 0.0), (2, -1.0)]
    with vector.VectorIndex(2, "dot") as index:
        index.add([[10, 0], [0, 2]])
        assert index.search([0.5, 4], k=2) == [(1, 8.0), (0, 5.0)]


def test_ids_explicit_and_automatic(vector):
    with vector.VectorIndex(2, "dot") as index:
        assert index.add([[1, 0]], ids=[5]).tolist() == [5]
        assert index.add([[1, 1], [2, 2]]).tolist() == [6, 7]  # after the largest id so far
        index.add([[0, 1]], ids=np.array([2], np.int64))
        assert index.add([[3, 3]]).tolist() == [8]
        index.remove([8, 7])
        assert index.add([[3, 3]]).tolist() == [9]  # removed ids are not reused
        assert len(index) == 4
        assert index.add(np.empty((0, 2))).tolist() == []


def test_remove_keeps_others_and_is_all_or_nothing(vector):
    data = random_vectors(5, 50, 8)
    with vector.VectorIndex(8, "cosine") as index:
        index.add(data)
        with pytest.raises(KeyError, match="id 77 is not in the index"):
            index.remove([3, 77])
        with pytest.raises(ValueError, match="id 3 appears twice in ids"):
            index.remove([3, 4, 3])
        with pytest.raises(KeyError, match=f"id {2**70} is not in the index"):
            index.remove(2**70)
        assert len(index) == 50
        index.remove(np.array([0, 10, 49]))
        index.remove([])
        remaining = [i for i in range(50) if i not in (0, 10, 49)]
        assert len(index) == 47
        for q in data[:5]:
            assert_valid_top_k("cosine", data[remaining], remaining, q, 5, index.search(q, k=5))


def test_input_conversions(vector):
    with vector.VectorIndex(3, "dot") as index:
        index.add([1, 2, 3])  # one vector
        index.add(np.array([[1, 1, 1]], dtype=np.float64))
        index.add(np.asfortranarray(np.array([[2, 0, 0], [0, 0, 2]], dtype=np.float32)))
        assert len(index) == 4
        assert index.search(np.array([1, 0, 0], np.int32), k=1) == [(2, 2.0)]
        assert index.search([[0, 0, 1]], k=1) == [(0, 3.0)]


def test_float32_contiguous_input_is_not_copied():
    from ragkernels.vector import _checks

    array = np.ones((4, 8), np.float32)
    assert _checks.matrix("vectors", array, 8) is array
    query = np.ones(8, np.float32)
    assert _checks.query(query, 8) is query
    converted = _checks.matrix("vectors", array[:, ::2].copy().astype(np.float64), 4)
    assert converted.dtype == np.float32 and converted.flags.c_contiguous


BAD_ADDS = [
    (np.ones((2, 4)), None, ValueError, "vectors must have shape (n, 3), got (2, 4)"),
    ([[1, 2, math.nan]], None, ValueError, "vectors[0] contains NaN or infinity"),
    ([[1, 2, 3], [1, math.inf, 3]], None, ValueError, "vectors[1] contains NaN or infinity"),
    ([[1, 2, 3], [1, 1, 1], [0, 0, 0]], None, ValueError, "vectors[2] has zero norm; cosine similarity needs a non-zero vector"),
    ([[0, 0, 0], [math.nan, 1, 1]], None, ValueError, "vectors[0] has zero norm; cosine similarity needs a non-zero vector"),
    ([[1, 2, 3]], [-1], ValueError, "id -1 is out of range (0 to 9223372036854775806)"),
    ([[1, 2, 3]], [2**63], ValueError, "id 9223372036854775808 is out of range (0 to 9223372036854775806)"),
    ([[1, 2, 3]], np.array([-5]), ValueError, "id -5 is out of range (0 to 9223372036854775806)"),
    ([[1, 2, 3], [3, 2, 1]], [4, 4], ValueError, "id 4 appears twice in ids"),
    ([[1, 2, 3]], [7], ValueError, "id 7 is already in the index"),
    ([[1, 2, 3]], [1, 2], ValueError, "ids has 2 entries for 1 vectors"),
    ([[1, 2, 3]], ["a"], TypeError, "ids must be ints, not str"),
    ([["a", "b", "c"]], None, TypeError, "vectors must be an array of real numbers, not an array of dtype <U1"),
    ("abc", None, TypeError, "vectors must be an array of real numbers, not str"),
]


@pytest.mark.parametrize("vectors, ids, exception, message", BAD_ADDS)
def test_add_errors(vector, vectors, ids, exception, message):
    with vector.VectorIndex(3, "cosine") as index:
        index.add([[1, 1, 1]], ids=[7])
        with pytest.raises(exception) as raised:
            index.add(vectors, ids=ids)
        assert str(raised.value) == message
        assert len(index) == 1  # nothing was added


def test_search_errors(vector):
    with vector.VectorIndex(3, "cosine") as index:
        index.add([[1, 1, 1]])
        cases = [
            (lambda: index.search([1, 2]), ValueError, "query must have shape (3,), got (2,)"),
            (lambda: index.search([1, math.nan, 2]), ValueError, "query contains NaN or infinity"),
            (lambda: index.search([0, 0, 0]), ValueError, "query has zero norm; cosine similarity needs a non-zero vector"),
            (lambda: index.search([1, 1, 1], k=0), ValueError, "k must be between 1 and 2147483647, got 0"),
            (lambda: index.search([1, 1, 1], k=2.0), TypeError, "k must be an int, not float"),
            (lambda: index.search_many([[1, 1]]), ValueError, "queries must have shape (n, 3), got (1, 2)"),
            (lambda: index.search_many([[1, 1, 1], [1, math.inf, 1]]), ValueError, "queries[1] contains NaN or infinity"),
            (lambda: index.search_many([[1, 1, 1]], threads=0), ValueError,
             "threads must be between 1 and 4096 (or None for all processors), got 0"),
            (lambda: index.search_many([[1, 1, 1]], k=-1), ValueError, "k must be between 1 and 2147483647, got -1"),
        ]
        for call, exception, message in cases:
            with pytest.raises(exception) as raised:
                call()
            assert str(raised.value) == message


def test_constructor_errors(vector):
    for dim, metric, exception, message in [
        (0, "dot", ValueError, "VectorIndex: dim must be between 1 and 65536, got 0"),
        (65537, "dot", ValueError, "VectorIndex: dim must be between 1 and 65536, got 65537"),
        (3.0, "dot", TypeError, "VectorIndex: dim must be an int, not float"),
        (3, "manhattan", ValueError, "VectorIndex: metric must be one of 'cosine', 'dot', 'l2', got 'manhattan'"),
    ]:
        with pytest.raises(exception) as raised:
            vector.VectorIndex(dim, metric)
        assert str(raised.value) == message


def test_use_after_close(vector, tmp_path):
    index = vector.VectorIndex(2, "dot")
    index.add([[1, 2]])
    index.close()
    index.close()  # harmless
    for call in (lambda: len(index), lambda: index.add([[1, 2]]), lambda: index.remove([0]),
                 lambda: index.search([1, 2]), lambda: index.search_many([[1, 2]]),
                 lambda: index.save(tmp_path / "closed.idx")):
        with pytest.raises(ValueError, match="VectorIndex is closed"):
            call()
    with vector.VectorIndex(2, "dot") as index:
        pass
    with pytest.raises(ValueError, match="VectorIndex is closed"):
        index.search([1, 2])


def test_concurrent_searches_see_whole_batches(vector):
    """Searches racing a writer always see a prefix of whole batches: never half of an add,
    never a removal half done."""
    batch, batches, dim = 16, 60, 8
    data = random_vectors(6, batch * batches, dim)
    index = vector.VectorIndex(dim, "dot")
    done = threading.Event()
    errors = []

    def writer():
        try:
            for b in range(batches):
                index.add(data[b * batch:(b + 1) * batch])
                if b % 10 == 9:
                    index.remove(list(range(b * batch, b * batch + batch)))  # a whole batch goes
        finally:
            done.set()

    def reader():
        try:
            while not done.is_set():
                results = index.search(data[0], k=batch * batches)
                assert len(results) % batch == 0
                ids, _ = index.search_many(data[:2], k=batch * batches, threads=2)
                assert ((ids[0] >= 0).sum()) % batch == 0
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(index) == batch * (batches - 6)
    index.close()


# ---- files ------------------------------------------------------------------------------------

@pytest.mark.parametrize("metric", METRICS)
def test_save_load_round_trip(vector, metric, tmp_path):
    data = random_vectors(7, 120, 16)
    path = tmp_path / "index.rkv"
    with vector.VectorIndex(16, metric) as index:
        index.add(data, ids=np.arange(5, 125) * 3)
        index.remove([18, 21])
        before = index.search_many(data[:9], k=5)
        index.save(path)
        index.save(path)  # replacing an existing file
    assert sorted(os.listdir(tmp_path)) == ["index.rkv"]  # no temporary left behind
    with vector.VectorIndex.load(path) as loaded:
        assert loaded.dim == 16 and loaded.metric == metric and len(loaded) == 118
        after = loaded.search_many(data[:9], k=5)
        assert (after[0] == before[0]).all() and (after[1] == before[1]).all()
        assert loaded.add([data[0]]).tolist() == [373]  # the next automatic id survived


def test_empty_index_round_trip(vector, tmp_path):
    with vector.VectorIndex(5, "l2") as index:
        index.save(tmp_path / "empty")
    with vector.VectorIndex.load(tmp_path / "empty") as loaded:
        assert len(loaded) == 0 and loaded.search([1, 2, 3, 4, 5]) == []


@pytest.mark.parametrize("metric", METRICS)
def test_files_are_identical_and_interchangeable(py_vector, native_vector, metric, tmp_path):
    data = random_vectors(8, 64, 12)
    for impl in (py_vector, native_vector):
        with impl.VectorIndex(12, metric) as index:
            index.add(data)
            index.remove([1, 2])
            index.save(tmp_path / impl.__name__)
    py_bytes = (tmp_path / py_vector.__name__).read_bytes()
    native_bytes = (tmp_path / native_vector.__name__).read_bytes()
    assert py_bytes == native_bytes
    for saver, loader in ((py_vector, native_vector), (native_vector, py_vector)):
        with loader.VectorIndex.load(tmp_path / saver.__name__) as loaded, \
                saver.VectorIndex.load(tmp_path / saver.__name__) as original:
            assert len(loaded) == 62
            ids_a, scores_a = loaded.search_many(data[:5], k=6)
            ids_b, scores_b = original.search_many(data[:5], k=6)
            assert (ids_a == ids_b).all()
            assert np.allclose(scores_a, scores_b, rtol=0, atol=1e-5)


def file_bytes(metric=1, dim=2, ids=(0, 1), vectors=((1.0, 0.0), (0.0, 1.0)), next_id=2, version=1):
    """A file built here from the documented layout (not by either implementation)."""
    data = struct.pack(f"<{len(ids)}q", *ids) + struct.pack(f"<{len(ids) * dim}f", *[v for row in vectors for v in row])
    head = struct.pack("<8sIIqqqI", b"RKVECIDX", version, metric, dim, len(ids), next_id, zlib.crc32(data))
    return head + struct.pack("<I", zlib.crc32(head)) + data


def test_documented_layout_loads(vector, tmp_path):
    path = tmp_path / "handmade"
    path.write_bytes(file_bytes(metric=0, ids=(4, 9), vectors=((1, 2), (3, 4)), next_id=12))
    with vector.VectorIndex.load(path) as index:
        assert index.metric == "dot" and index.search([1, 0], k=2) == [(9, 3.0), (4, 1.0)]
        assert index.add([[0, 1]]).tolist() == [12]


def flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:]


GOOD = file_bytes()
CORRUPT = [
    (b"", "not a ragkernels vector index file (wrong magic bytes)"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a ragkernels vector index file (wrong magic bytes)"),
    (GOOD[:7], "not a ragkernels vector index file (wrong magic bytes)"),
    (GOOD[:20], "truncated vector index file: 20 bytes, the header alone needs 48"),
    (GOOD[:47], "truncated vector index file: 47 bytes, the header alone needs 48"),
    (GOOD[:60], "truncated vector index file: 60 bytes, expected 80"),
    (GOOD[:-1], "truncated vector index file: 79 bytes, expected 80"),
    (GOOD + b"\x00", "corrupt vector index file: 81 bytes, expected 80 (trailing data)"),
    (file_bytes(version=2), "unsupported vector index file version 2 (this build reads version 1)"),
    (flip(GOOD, 8), "unsupported vector index file version 0 (this build reads version 1)"),
    (flip(GOOD, 17), "corrupt vector index file: header checksum mismatch"),
    (flip(GOOD, 45), "corrupt vector index file: header checksum mismatch"),
    (flip(GOOD, 50), "corrupt vector index file: data checksum mismatch"),
    (flip(GOOD, 79), "corrupt vector index file: data checksum mismatch"),
    (file_bytes(metric=3), "corrupt vector index file: bad header fields (metric 3, dimension 2, count 2, next id 2)"),
    (file_bytes(dim=0, ids=(), vectors=()), "corrupt vector index file: bad header fields (metric 1, dimension 0, count 0, next id 2)"),
    (file_bytes(ids=(0, 5)), "corrupt vector index file: id 5 is out of range (0 to 1)"),
    (file_bytes(ids=(-1, 0)), "corrupt vector index file: id -1 is out of range (0 to 1)"),
    (file_bytes(ids=(1, 1)), "corrupt vector index file: id 1 appears twice"),
    (file_bytes(vectors=((1, 0), (math.nan, 1))), "corrupt vector index file: vector 1 contains NaN or infinity"),
]


@pytest.mark.parametrize("data, message", CORRUPT)
def test_corrupt_files_are_refused_with_a_clear_message(vector, tmp_path, data, message):
    path = tmp_path / "bad"
    path.write_bytes(data)
    with pytest.raises(ValueError) as raised:
        vector.VectorIndex.load(path)
    assert str(raised.value) == message


def test_file_errors(vector, tmp_path):
    with pytest.raises(FileNotFoundError):
        vector.VectorIndex.load(tmp_path / "missing")
    with pytest.raises(IsADirectoryError):
        vector.VectorIndex.load(tmp_path)
    with vector.VectorIndex(2, "dot") as index:
        with pytest.raises(FileNotFoundError):
            index.save(tmp_path / "no-such-folder" / "index")
    assert os.listdir(tmp_path) == []


# ---- parity between the twins (hypothesis) ------------------------------------------------

small_ints = st.integers(min_value=-6, max_value=6)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_parity_exact_on_exactly_representable_inputs(py_vector, native_vector, data):
    """Small-integer vectors: every dot product and squared distance is exact in float32 in any
    summation order, so both twins must agree bit for bit, ties included."""
    dim = data.draw(st.integers(1, 20))
    n = data.draw(st.integers(0, 60))
    metric = data.draw(st.sampled_from(["dot", "l2"]))
    rows = np.array(data.draw(st.lists(st.lists(small_ints, min_size=dim, max_size=dim), min_size=n, max_size=n)),
                    dtype=np.float32).reshape(n, dim)
    queries = np.array(data.draw(st.lists(st.lists(small_ints, min_size=dim, max_size=dim), min_size=1, max_size=4)),
                       dtype=np.float32)
    k = data.draw(st.integers(1, 70))
    with py_vector.VectorIndex(dim, metric) as a, native_vector.VectorIndex(dim, metric) as b:
        a.add(rows)
        b.add(rows)
        if n > 3:
            doomed = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=3))
            a.remove(doomed)
            b.remove(doomed)
        for q in queries:
            assert a.search(q, k) == b.search(q, k)
        ids_a, scores_a = a.search_many(queries, k)
        ids_b, scores_b = b.search_many(queries, k, threads=2)
        assert (ids_a == ids_b).all()
        assert np.array_equal(scores_a, scores_b, equal_nan=True)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(METRICS), st.integers(1, 70), st.integers(1, 300), st.integers(1, 25))
def test_parity_within_tolerance_on_random_vectors(py_vector, native_vector, seed, metric, dim, n, k):
    """Random floats: scores agree within the documented float32 bound, and the ids agree
    wherever the reference scores are separated by more than that bound."""
    rng = np.random.default_rng(seed)
    rows = (rng.standard_normal((n, dim)) * rng.choice([1e-3, 1.0, 1e3])).astype(np.float32)
    q = rng.standard_normal(dim).astype(np.float32)
    with py_vector.VectorIndex(dim, metric) as a, native_vector.VectorIndex(dim, metric) as b:
        a.add(rows)
        b.add(rows)
        got_a, got_b = a.search(q, k), b.search(q, k)
    ids = list(range(n))
    assert_valid_top_k(metric, rows, ids, q, k, got_a)
    assert_valid_top_k(metric, rows, ids, q, k, got_b)
    ref = reference_scores(metric, rows, q)
    tol = tolerance(metric, rows, q)
    order = sorted(range(n), key=lambda r: -ref[r])[: min(k + 1, n)]
    separated = all(ref[x] - ref[y] > 2 * (tol[x] + tol[y]) for x, y in zip(order, order[1:]))
    if separated:
        assert [id for id, _ in got_a] == [id for id, _ in got_b] == order[:k]
    for (id_a, score_a), (id_b, score_b) in zip(got_a, got_b):
        if id_a == id_b:
            assert abs(score_a - score_b) <= 2 * tol[id_a]


# ---- the native object's handle ------------------------------------------------------------

def test_native_handle_freed_behind_its_back(native_vector):
    from ragkernels._native import lib

    index = native_vector.VectorIndex(2, "dot")
    assert lib.rk_vector_index_free(index._handle) == lib.RK_OK
    with pytest.raises(ValueError, match="invalid vector index handle"):
        index.search([1, 2])
    index.close()


def test_native_finaliser_frees_the_handle(native_vector):
    import gc

    from ragkernels._native import ffi, lib

    index = native_vector.VectorIndex(2, "dot")
    handle = index._handle
    count = ffi.new("int64_t*")
    assert lib.rk_vector_index_count(handle, count) == lib.RK_OK
    del index
    gc.collect()
    assert lib.rk_vector_index_count(handle, count) == lib.RK_INVALID_HANDLE


def test_abi_checks_pointers_and_sizes(lib, ffi):
    handle = ffi.new("uint64_t*")
    assert lib.rk_vector_index_create(0, 0, handle) == lib.RK_INVALID_ARGUMENT
    assert lib.rk_vector_index_create(4, 7, handle) == lib.RK_INVALID_ARGUMENT
    assert lib.rk_vector_index_create(4, 0, ffi.NULL) == lib.RK_NULL_POINTER
    assert lib.rk_vector_index_create(4, 0, handle) == lib.RK_OK
    h = handle[0]
    try:
        found = ffi.new("int64_t*")
        ids = ffi.new("int64_t[]", 4)
        scores = ffi.new("float[]", 4)
        query = ffi.new("float[]", [1, 2, 3, 4])
        assert lib.rk_vector_index_add(h, ffi.NULL, 2, ffi.NULL, ffi.NULL) == lib.RK_NULL_POINTER
        assert lib.rk_vector_index_add(h, query, -1, ffi.NULL, ffi.NULL) == lib.RK_INVALID_ARGUMENT
        assert lib.rk_vector_index_add(h, query, 1, ffi.NULL, ffi.NULL) == lib.RK_OK
        assert lib.rk_vector_index_search(h, query, 3, 4, ids, scores, found) == lib.RK_INVALID_ARGUMENT
        assert lib.rk_vector_index_search(h, query, 4, 0, ids, scores, found) == lib.RK_INVALID_ARGUMENT
        assert lib.rk_vector_index_search(h, ffi.NULL, 4, 4, ids, scores, found) == lib.RK_NULL_POINTER
        assert lib.rk_vector_index_search(h, query, 4, 4, ids, scores, found) == lib.RK_OK and found[0] == 1
        assert lib.rk_vector_index_remove(h, ffi.NULL, 1) == lib.RK_NULL_POINTER
        needed = ffi.new("int64_t*")
        assert lib.rk_vector_index_serialize(h, ffi.NULL, 0, needed) == lib.RK_BUFFER_TOO_SMALL
        assert needed[0] == 48 + 8 + 16
        small = ffi.new("uint8_t[]", 10)
        assert lib.rk_vector_index_serialize(h, small, 10, needed) == lib.RK_BUFFER_TOO_SMALL
        dim = ffi.new("int64_t*")
        metric = ffi.new("int32_t*")
        assert lib.rk_vector_index_deserialize(small, 10, handle, dim, metric) == lib.RK_FORMAT
        assert lib.rk_vector_index_deserialize(ffi.NULL, 5, handle, dim, metric) == lib.RK_NULL_POINTER
        for forged in (0, h + 1, h ^ (1 << 40)):
            assert lib.rk_vector_index_search(forged, query, 4, 4, ids, scores, found) == lib.RK_INVALID_HANDLE
    finally:
        assert lib.rk_vector_index_free(h) == lib.RK_OK
    assert lib.rk_vector_index_free(h) == lib.RK_INVALID_HANDLE
