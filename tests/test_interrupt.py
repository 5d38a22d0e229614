"""Interruptibility (issue 7, item 7): long native operations run as slices (ragkernels._slices),
so Ctrl-C (SIGINT -> KeyboardInterrupt) is honoured between native calls, and the object stays
usable afterwards, in a state the caller can reason about:

- BM25Index.add is all or nothing: after an interrupt the index equals the index before the call
  (length, ids, scores, search results, next default id), natively and in the Python twin.
- search_many, Embedder.embed and the pairwise signal batches only read: the object is unchanged
  and a second call gives the same answer as an uninterrupted one.

How: a timer thread waits until the operation has started its N-th slice, then sends SIGINT to
the main thread with pthread_kill (the main thread is then normally inside that slice's native
call). The test asserts that KeyboardInterrupt came out, that the operation had not reached its
last slice (so it did not just run to the end), and that it stopped in the slice during which
the signal arrived (or the next one, when it arrived between two). No wall-clock thresholds: slice counts only. The slice target is lowered to a few
milliseconds and slices are kept at their (small) probe size, so small inputs make many slices
and the file stays fast; the adaptive sizing itself is tested with a fake clock.
"""

from __future__ import annotations

import signal
import sys
import threading
import time

import numpy as np
import pytest

from conftest import SHARED_DATA, implementation_module, native_lib

TARGET = 0.004  # seconds per slice in these tests (the library's default is 0.05)
FIRE_AT = 3  # the slice during which SIGINT is sent


@pytest.fixture(autouse=True)
def _default_sigint_handler():
    """SIGINT must raise KeyboardInterrupt in the main thread (Python's default handler)."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        pytest.skip("signals are delivered to the main thread only")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    # The timer thread needs the GIL to send the signal: a short switch interval wakes it
    # within a slice or two instead of after 5 ms (many tiny test slices).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)
    signal.signal(signal.SIGINT, previous)


class Slices:
    """Wraps ragkernels._slices.slices: counts the slices started and sends SIGINT to the main
    thread (from a timer thread) once slice `fire_at` of the `fire_call`-th sliced pass has
    started."""

    def __init__(self, monkeypatch, fire_at=FIRE_AT, fire_call=1, target=TARGET):
        from ragkernels import _slices

        self.real = _slices.slices
        self.calls = 0
        self.started = 0  # slices started in the current pass
        self.stops: list[int] = []
        self.totals: list[int] = []
        self.fire_at, self.fire_call = fire_at, fire_call
        self.fired_at = None
        self.sent_at = None
        self._go = threading.Event()
        self._ready = threading.Event()
        self._cancelled = False
        self._main = threading.main_thread().ident
        self._thread = None
        monkeypatch.setattr(_slices, "TARGET_SECONDS", target)
        # Slices never grow past the probe size (they still shrink when slower than the
        # target): many slices from a small input, whatever this machine's speed.
        monkeypatch.setattr(_slices, "GROWTH", 1.0)
        monkeypatch.setattr(_slices, "slices", self._slices)

    def arm(self):
        self._thread = threading.Thread(target=self._kill, daemon=True)
        self._thread.start()
        return self

    def _kill(self):
        self._go.wait(60)
        self._ready.set()
        if not self._cancelled:
            # The main thread goes on once it sees _ready: give it time to enter the slice's
            # native call (the usual place for a Ctrl-C to arrive).
            time.sleep(0.0002)
            # This thread holds the GIL here, so the main thread cannot start another slice
            # between the two lines (waking this thread can take a few slices: the GIL).
            self.sent_at = self.started
            signal.pthread_kill(self._main, signal.SIGINT)

    def _slices(self, total, *args, **kwargs):
        self.calls += 1
        self.started = 0
        self.totals.append(total)
        for start, stop in self.real(total, *args, **kwargs):
            self.started += 1
            self.stops.append(stop)
            if self.calls == self.fire_call and self.started == self.fire_at and self._thread is not None:
                self.fired_at = self.started
                self._go.set()
                # Wait (GIL released) until the timer thread runs: a thread that is slow to be
                # scheduled must not let the operation run to its end first.
                self._ready.wait(30)
            yield start, stop

    def disarm(self):
        """Stops the timer thread and waits for it."""
        if self._thread is not None:
            if self.fired_at is None:
                self._cancelled = True
                self._go.set()
            self._thread.join(10)
            assert not self._thread.is_alive()

    def check_interrupted(self):
        """The operation stopped in the slice during which SIGINT arrived (or the next one, when
        it arrived between two) and before its end."""
        assert self.fired_at is not None, "the operation never reached the slice that sends SIGINT"
        assert self.calls == self.fire_call, f"{self.calls} sliced passes started, SIGINT during pass {self.fire_call}"
        assert self.sent_at is not None and self.sent_at >= self.fired_at
        assert self.started <= self.sent_at + 1, f"{self.started} slices started, SIGINT during slice {self.sent_at}"
        assert self.stops[-1] < self.totals[-1], "the operation ran to its end despite the interrupt"


def interrupt(monkeypatch, operation, *args, fire_at=FIRE_AT, fire_call=1, **kwargs):
    """Runs operation(*args, **kwargs) with SIGINT sent during its slice `fire_at` (of its
    `fire_call`-th sliced pass); asserts it raised KeyboardInterrupt early. Returns the record."""
    record = Slices(monkeypatch, fire_at=fire_at, fire_call=fire_call).arm()
    try:
        with pytest.raises(KeyboardInterrupt):
            operation(*args, **kwargs)
    finally:
        record.disarm()
    record.check_interrupted()
    monkeypatch.undo()  # back to the library's own slicing for the calls that follow
    return record


def _words(n, seed):
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{i}" for i in range(400)] + ["alpha", "beta", "gamma", "delta", "omega"]
    picks = rng.integers(0, len(vocabulary), size=(n, 12))
    return [" ".join(vocabulary[j] for j in row) for row in picks]


QUERIES = ["alpha beta", "w1 w2 w3", "gamma w17", "omega delta w399", "nothing matches this"]


def _state(index):
    """Everything a caller can observe of a BM25 index."""
    return (len(index), list(index.ids), [index.search(q, k=7) for q in QUERIES],
            [index.get_scores(q).tolist() for q in QUERIES])


# ---- adaptive slice sizes -------------------------------------------------------------------

class FakeClock:
    """perf_counter for _slices: advances by `per_item` seconds per item of the last slice."""

    def __init__(self, per_item):
        self.now, self.per_item = 0.0, per_item

    def __call__(self):
        return self.now


def _run_slices(monkeypatch, total, first, per_item, cost=None, **kwargs):
    from ragkernels import _slices

    clock = FakeClock(per_item)
    monkeypatch.setattr(_slices, "_clock", clock)
    sizes, previous = [], 0
    for start, stop in _slices.slices(total, first, cost=cost, **kwargs):
        assert start == previous and stop > start
        previous = stop
        sizes.append(stop - start)
        units = stop - start if cost is None else cost[stop] - cost[start]
        clock.now += units * per_item(start) if callable(per_item) else units * per_item
    assert previous == total
    return sizes


def test_slices_converge_to_the_target_and_grow_gradually(monkeypatch):
    # 10 microseconds per item, target 50 ms: 5,000 items per slice after a gradual ramp.
    sizes = _run_slices(monkeypatch, 100_000, 16, 10e-6)
    assert sizes[:5] == [16, 128, 1024, 5000, 5000]
    assert all(s == 5000 for s in sizes[3:-1])
    # Items that become 10 times slower: the next slice shrinks at once.
    sizes = _run_slices(monkeypatch, 100_000, 16, lambda start: 10e-6 if start < 20_000 else 100e-6)
    after = [s for s in sizes[-5:-1]]
    assert after == [500] * 4
    # Multiples and a cap; the last slice takes what is left.
    sizes = _run_slices(monkeypatch, 1000, 8, 1e-6, multiple=8, largest=100)
    assert all(s % 8 == 0 and s <= 104 for s in sizes[:-1]) and sum(sizes) == 1000


def test_slices_by_cost(monkeypatch):
    # Items of cost 10 then 1 (e.g. tokens of length-sorted texts), 1 microsecond per unit.
    costs = [10] * 20_000 + [1] * 300_000
    cumulative = np.concatenate([[0], np.cumsum(costs)]).tolist()
    sizes = _run_slices(monkeypatch, len(costs), 32, 1e-6, cost=cumulative, multiple=32)
    assert all(s % 32 == 0 for s in sizes[:-1])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    spent = [(cumulative[a + s] - cumulative[a]) * 1e-6 for a, s in zip(starts, sizes)]
    assert len(spent) > 8
    assert max(spent[:-1]) <= 0.05 * 1.01  # never above the target (plus one batch of rounding)
    assert min(spent[3:-1]) >= 0.05 * 0.99  # and not below once the rate is known and the ramp is over


def test_walk_follows_the_calls_until_stop_or_a_refusal():
    from ragkernels import _slices

    seen = []

    def three_at_a_time(start, stop):
        seen.append((start, stop))
        return min(stop, start + 3)

    assert _slices.walk(three_at_a_time, 2, 9) == 9
    assert seen == [(2, 9), (5, 9), (8, 9)]
    refusing = lambda start, stop: False if start >= 4 else start + 2  # noqa: E731
    assert _slices.walk(refusing, 0, 9) == 4  # where the ordinary path takes over
    assert _slices.walk(refusing, 5, 5) == 5  # an empty range makes no call


# ---- BM25 --------------------------------------------------------------------------------------

def test_bm25_add_is_all_or_nothing_when_interrupted(monkeypatch, capfd):
    bm25 = implementation_module("bm25", "native")
    from ragkernels.bm25 import _native

    index = bm25.BM25Index()
    index.add(_words(300, 1))  # default ids 0..299
    before = _state(index)
    monkeypatch.setattr(_native, "_ADD_PROBE", 16)
    interrupt(monkeypatch, index.add, _words(40000, 2))
    assert _state(index) == before
    staged = native_lib().rk_bm25_commit  # nothing is left staged in the library
    from ragkernels._native import ffi

    count = ffi.new("int64_t*")
    assert staged(index._handle, 0, count) == 0 and count[0] == 0
    # The next add continues the default ids where they were: as if the interrupted call never ran.
    index.add(["alpha omega"])
    assert index.ids[-1] == 300
    reference = bm25.BM25Index()
    reference.add(_words(300, 1) + ["alpha omega"])
    assert _state(index) == _state(reference)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_bm25_add_interrupted_during_its_last_call_is_complete(monkeypatch):
    """A Ctrl-C that arrives during the call that publishes the staged documents (the longest
    one, a rebuild of every score) is raised after it: the add has then happened in full, and the
    index is consistent (every search finds the ids of its documents)."""
    bm25 = implementation_module("bm25", "native")
    from ragkernels.bm25 import _native

    real = _native.lib

    class Lib:
        def __getattr__(self, name):
            return getattr(real, name)

        @staticmethod
        def rk_bm25_commit(handle, keep, staged):
            status = real.rk_bm25_commit(handle, keep, staged)
            if keep == 1:
                signal.raise_signal(signal.SIGINT)  # as if it had arrived during the call
            return status

    index = bm25.BM25Index()
    index.add(["alpha beta"])
    docs = _words(1000, 12)
    monkeypatch.setattr(_native, "lib", Lib())
    monkeypatch.setattr(_native, "_ADD_PROBE", 16)
    with pytest.raises(KeyboardInterrupt):
        index.add(docs)
    monkeypatch.undo()
    reference = bm25.BM25Index()
    reference.add(["alpha beta"] + docs)
    assert _state(index) == _state(reference)
    index.add(["omega"])
    assert index.ids[-1] == 1001


def test_bm25_add_interrupted_with_ids_and_tokens_then_retried(monkeypatch):
    bm25 = implementation_module("bm25", "native")
    from ragkernels.bm25 import _native

    index = bm25.BM25Index(method="bm25+")
    index.add(["alpha beta", "gamma"], ids=["a", "b"])
    before = _state(index)
    docs = [text.split() for text in _words(20000, 3)]
    ids = [f"d{i}" for i in range(20000)]
    monkeypatch.setattr(_native, "_ADD_PROBE", 16)
    interrupt(monkeypatch, index.add, docs, ids=ids)
    assert _state(index) == before
    index.remove(["b"])  # a write after the interrupt works
    index.add(docs, ids=ids)  # and the same add, retried, goes through in full
    reference = bm25.BM25Index(method="bm25+")
    reference.add(["alpha beta"] + [" ".join(d) for d in docs], ids=["a"] + ids)
    assert _state(index)[:3] == _state(reference)[:3]


def test_bm25_add_twin_is_all_or_nothing_too(monkeypatch):
    """The pure-Python twin is interruptible anywhere; an add interrupted half-way leaves it as
    before the call, the semantics the native add now has."""
    bm25 = implementation_module("bm25", "python")
    from ragkernels.bm25 import _common

    index = bm25.BM25Index()
    index.add(_words(50, 4))
    before = _state(index)
    real, calls = _common.tokenize, []

    def tokenize(*args):
        calls.append(1)
        if len(calls) == 200:
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        return real(*args)

    monkeypatch.setattr(_common, "tokenize", tokenize)
    with pytest.raises(KeyboardInterrupt):
        index.add(_words(1000, 5))
    monkeypatch.undo()
    assert len(calls) < 1000
    assert _state(index) == before
    index.add(["alpha omega"])
    assert index.ids[-1] == 50


def test_bm25_search_many_interrupted_then_identical(monkeypatch):
    bm25 = implementation_module("bm25", "native")
    from ragkernels.bm25 import _native

    index = bm25.BM25Index()
    index.add(_words(2000, 6))
    queries = _words(15000, 7)
    expected = index.search_many(queries, k=5)
    # Slicing does not change the answer: equal to one search per query.
    for row in (0, 1234, 14999):
        hits = index.search(queries[row], k=5)
        assert [index.ids[d] for d in expected[0][row] if d >= 0] == [i for i, _ in hits]
        assert expected[1][row][: len(hits)].tolist() == [s for _, s in hits]
    before = _state(index)
    monkeypatch.setattr(_native, "_QUERY_PROBE", 32)
    interrupt(monkeypatch, index.search_many, queries, k=5)
    assert _state(index) == before
    again = index.search_many(queries, k=5)
    assert np.array_equal(again[0], expected[0]) and np.array_equal(again[1], expected[1])


# ---- vectors -----------------------------------------------------------------------------------

def test_vector_search_many_interrupted_then_identical(monkeypatch):
    vector = implementation_module("vector", "native")

    rng = np.random.default_rng(8)
    index = vector.VectorIndex(32)
    index.add(rng.standard_normal((20000, 32)).astype(np.float32))
    queries = rng.standard_normal((3000, 32)).astype(np.float32)
    expected = index.search_many(queries, k=4)
    for row in (0, 2999):
        hits = index.search(queries[row], k=4)
        assert expected[0][row].tolist() == [i for i, _ in hits]
    monkeypatch.setattr(vector, "_QUERY_PROBE", 4)
    monkeypatch.setattr(vector, "_QUERY_GROUP", 2)
    interrupt(monkeypatch, index.search_many, queries, k=4)
    assert len(index) == 20000
    again = index.search_many(queries, k=4)
    assert np.array_equal(again[0], expected[0]) and np.array_equal(again[1], expected[1])


def _sigint_then_wait_for(flag):
    """From a worker thread: SIGINT to the main thread, then wait until the main thread has set
    the cancellation flag in response (what Ctrl-C during a long native call does)."""
    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
    for _ in range(60_000):
        if flag[0]:
            return
        time.sleep(0.0005)
    raise AssertionError("the main thread never set the cancellation flag")


def test_cancellable_sets_the_flag_joins_the_worker_and_reraises():
    from ragkernels import _slices
    from ragkernels._native import ffi

    flag = ffi.new("int32_t[1]")
    events = []

    def call():  # stands for a native call that polls its flag
        _sigint_then_wait_for(flag)
        events.append("stopped")
        return 10

    with pytest.raises(KeyboardInterrupt):
        _slices.cancellable(call, flag)
    assert events == ["stopped"]  # the worker was joined before the exception went on
    flag = ffi.new("int32_t[1]")
    assert _slices.cancellable(lambda: 7, flag) == 7 and flag[0] == 0


def test_vector_search_many_cancelled_inside_one_native_call(monkeypatch):
    """Ctrl-C while one long native call runs: the flag reaches the kernel, which stops early
    (RK_CANCELLED); KeyboardInterrupt comes out and the index is unchanged and usable."""
    vector = implementation_module("vector", "native")
    from ragkernels._native import lib

    rng = np.random.default_rng(9)
    index = vector.VectorIndex(64)
    index.add(rng.standard_normal((20000, 64)).astype(np.float32))
    queries = rng.standard_normal((100, 64)).astype(np.float32)
    expected = index.search_many(queries, k=5)
    statuses = []
    real = vector._search_many_cancellable

    def observed(handle, q, n, k, threads, ids, scores, flag):
        _sigint_then_wait_for(flag)  # the flag is set before the kernel reads its first block
        status = real(handle, q, n, k, threads, ids, scores, flag)
        statuses.append(status)
        return status

    monkeypatch.setattr(vector, "_search_many_cancellable", observed)
    with pytest.raises(KeyboardInterrupt):
        index.search_many(queries, k=5)
    assert statuses == [lib.RK_CANCELLED]
    monkeypatch.undo()
    assert len(index) == 20000
    again = index.search_many(queries, k=5)
    assert np.array_equal(again[0], expected[0]) and np.array_equal(again[1], expected[1])


# ---- signals -----------------------------------------------------------------------------------

def test_pair_signal_batch_interrupted_then_identical(monkeypatch):
    signals = implementation_module("signals", "native")

    filler = " The board of Acme Corp met in Berlin and in Paris with Globex Inc." * 8
    claims = [f"Revenue grew {i % 97} percent in {1990 + i % 30} for Acme Corp.{filler}" for i in range(60000)]
    sources = [f"Acme Corp reported revenue growth of {i % 89} percent in {1990 + i % 31}.{filler}" for i in range(60000)]
    expected = signals.traceability_batch(claims, sources)
    assert expected[17] == signals.traceability(claims[17], sources[17])
    monkeypatch.setattr(signals, "_BATCH_PROBE", 64)
    interrupt(monkeypatch, signals.traceability_batch, claims, sources)
    assert np.array_equal(signals.traceability_batch(claims, sources), expected)


# ---- embeddings --------------------------------------------------------------------------------

TOKENIZER_DIR = SHARED_DATA / "minilm-tokenizer"


@pytest.fixture(scope="module")
def tiny_embedder(tmp_path_factory):
    if not (TOKENIZER_DIR / "vocab.txt").is_file():
        pytest.skip(f"{TOKENIZER_DIR} (the all-MiniLM-L6-v2 tokenizer) is absent")
    pytest.importorskip("onnx", reason="python3-onnx is needed to generate the test model")
    from ragkernels.bench import _bert_model

    embed = implementation_module("embed", "native")
    folder = tmp_path_factory.mktemp("tiny-bert-interrupt")
    _bert_model.write_folder(folder, TOKENIZER_DIR, _bert_model.Architecture(hidden=32, layers=2, heads=4,
                                                                             intermediate=64), 11)
    with embed.Embedder(folder, batch_size=8, threads=1) as embedder:
        yield embedder


def _texts(n, seed):
    rng = np.random.default_rng(seed)
    words = ["retrieval", "augmented", "generation", "café", "naïve", "vector", "index", "42", "tokens", "中文"]
    return [" ".join(words[j] for j in rng.integers(0, len(words), size=rng.integers(0, 40))) for _ in range(n)]


def test_embed_does_not_depend_on_the_slicing(tiny_embedder, monkeypatch):
    texts = _texts(300, 9)
    from ragkernels import _slices

    monkeypatch.setattr(_slices, "TARGET_SECONDS", 1e-9)  # one batch per call
    small = tiny_embedder.embed(texts)
    monkeypatch.setattr(_slices, "TARGET_SECONDS", 1e9)  # as few calls as the growth allows
    large = tiny_embedder.embed(texts)
    monkeypatch.undo()
    assert np.array_equal(small, large)
    for i in (0, 123, 299):  # row i is texts[i], as one text alone
        np.testing.assert_allclose(small[i], tiny_embedder.embed([texts[i]])[0], rtol=1e-5, atol=1e-6)


def test_embed_interrupted_then_identical(tiny_embedder, monkeypatch):
    texts = _texts(3000, 10)
    expected = tiny_embedder.embed(texts)
    # Pass 1 counts tokens, pass 2 embeds: interrupt the embedding.
    interrupt(monkeypatch, tiny_embedder.embed, texts, fire_call=2)
    assert np.array_equal(tiny_embedder.embed(texts), expected)


def test_embed_cancelled_inside_one_native_call(tiny_embedder, monkeypatch):
    """Ctrl-C while one native embed call runs: the main thread sets the flag and calls
    rk_embed_cancel; the call returns RK_CANCELLED, KeyboardInterrupt comes out, and the
    Embedder gives the same vectors as before."""
    from ragkernels._native import lib
    from ragkernels.embed import _native

    texts = _texts(5, 12)  # one batch: one call, no slicing
    expected = tiny_embedder.embed(texts)
    statuses, cancels = [], []
    real_run, real_cancel = _native._run_cancellable, lib.rk_embed_cancel

    def observed(*args):
        _sigint_then_wait_for(args[-1])
        statuses.append(real_run(*args))
        return statuses[-1]

    class Lib:  # lib with rk_embed_cancel observed (a cffi lib's attributes are read-only)
        def __getattr__(self, name):
            return getattr(lib, name)

        def rk_embed_cancel(self, handle, flag):
            cancels.append(flag[0])
            return real_cancel(handle, flag)

    monkeypatch.setattr(_native, "_run_cancellable", observed)
    monkeypatch.setattr(_native, "lib", Lib())
    monkeypatch.setattr(_native, "_DIRECT_BYTES", 0)  # these few short texts would run directly
    with pytest.raises(KeyboardInterrupt):
        tiny_embedder.embed(texts)
    monkeypatch.undo()
    assert statuses == [lib.RK_CANCELLED] and cancels == [1]  # the flag was set before the cancel
    assert np.array_equal(tiny_embedder.embed(texts), expected)


def test_embed_cancel_racing_a_run_is_safe(tiny_embedder):
    """rk_embed_cancel called over and over while another thread runs one large batch (one ONNX
    Runtime Run), with and without the flag set: the run either completes (RK_OK) or is
    cancelled (RK_CANCELLED), nothing else, and the embedder is unaffected afterwards."""
    from ragkernels._native import ffi, lib
    from ragkernels.embed import _native

    texts = _texts(400, 13)
    expected = tiny_embedder.embed(texts)
    handle = tiny_embedder._handle
    text, offsets = _native._pack(texts)
    offsets = ffi.from_buffer("int64_t[]", offsets)
    dim = expected.shape[1]
    for set_flag in (True, False):
        out = ffi.new("float[]", len(texts) * dim)
        flag, run_ns = ffi.new("int32_t[1]"), ffi.new("int64_t*")
        result = []
        worker = threading.Thread(target=lambda: result.append(lib.rk_embed_run_cancellable(
            handle, text, offsets, len(texts), len(texts), out, len(texts) * dim, run_ns, flag)))
        worker.start()
        if set_flag:
            flag[0] = 1
        calls = 0
        while worker.is_alive():
            assert lib.rk_embed_cancel(handle, flag) == lib.RK_OK
            calls += 1
            time.sleep(0.0005)
        worker.join()
        assert calls >= 1 and result[0] in (lib.RK_OK, lib.RK_CANCELLED)
        if result[0] == lib.RK_OK:
            assert np.array_equal(np.frombuffer(ffi.buffer(out), np.float32).reshape(len(texts), dim), expected)
    assert np.array_equal(tiny_embedder.embed(texts), expected)


# ---- retriever (wraps BM25 add) ----------------------------------------------------------------

def test_retriever_add_interrupted_adds_nothing(monkeypatch):
    native_lib()
    from ragkernels import Retriever
    from ragkernels.bm25 import _native

    with Retriever(None, chunk_size=8, chunk_overlap=0) as retriever:
        retriever.add(["alpha beta gamma delta"])
        before = (len(retriever), retriever.chunk_count, retriever.search("alpha", k=3))
        monkeypatch.setattr(_native, "_ADD_PROBE", 16)
        interrupt(monkeypatch, retriever.add, _words(30000, 11))
        assert (len(retriever), retriever.chunk_count, retriever.search("alpha", k=3)) == before
        retriever.add(["omega alpha"])
        assert len(retriever) == 2
