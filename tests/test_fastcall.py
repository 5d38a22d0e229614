"""The fastcall extension (ragkernels/_native/_fastcall.c): a faster call path to the same C ABI
exports. It must give exactly what the cffi wrappers give (and so the Python twins): the same
values, the same exceptions with the same messages, for every argument, including the unusual
ones it hands to the cffi wrappers (keyword arguments, non-str, lone surrogates).

Needs the extension: skipped with the reason when it was not built (no compiler or Python
headers) or is turned off with RAGKERNELS_FASTCALL=0; under RAGKERNELS_REQUIRE_NATIVE=1 (CI) a
missing extension fails instead.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import REPO, REQUIRE_NATIVE, native_lib
from test_pair_signals import ARGUMENT_NAMES, CLAIM, SIGNALS, SOURCE, pairs, same, texts

BATCH_DTYPES = {"entity_overlap": np.float64, "numerical_consistency": np.int8,
                "negation_flip": np.bool_, "traceability": np.float64}


@pytest.fixture(scope="session")
def fastcall():
    native_lib()
    from ragkernels import _native

    if _native.fastcall is None:
        if os.environ.get("RAGKERNELS_FASTCALL", "").strip() == "0":
            pytest.skip("RAGKERNELS_FASTCALL=0: this run tests the cffi path only")
        reason = f"the fastcall extension is not in use: {_native.fastcall_note}"
        if REQUIRE_NATIVE:
            pytest.fail(f"RAGKERNELS_REQUIRE_NATIVE=1 but {reason}")
        pytest.skip(reason)
    return _native.fastcall


@pytest.fixture(scope="session")
def modules(fastcall):
    """(python twin module, signals._native) with fastcall bound."""
    from ragkernels.signals import _native as native, _py

    return _py, native


def outcome(function, *args, **kwargs):
    """The value, or (exception type, message): what a caller observes."""
    try:
        return ("value", function(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - every exception is compared
        return ("raised", type(error), str(error))


def assert_same_outcome(got, expected):
    assert got[0] == expected[0], (got, expected)
    if got[0] == "value":
        both_nan = type(got[1]) is type(expected[1]) is float and got[1] != got[1] and expected[1] != expected[1]
        assert both_nan or same(got[1], expected[1]), (got, expected)
    else:
        assert got[1:] == expected[1:]


# ---- the extension calls the header's exports with the header's signatures -----------------------

# The signatures _fastcall.c calls through (its typedefs, written by hand): the extension is not
# generated from ragkernels.h, so a change to one of these declarations must change both.
FASTCALL_SIGNATURES = {
    "rk_signal_entity_overlap": ["const uint8_t*", "int64_t", "const uint8_t*", "int64_t", "double*"],
    "rk_signal_numerical_consistency": ["const uint8_t*", "int64_t", "const uint8_t*", "int64_t", "int32_t*"],
    "rk_signal_negation_flip": ["const uint8_t*", "int64_t", "const uint8_t*", "int64_t", "int32_t*"],
    "rk_signal_traceability": ["const uint8_t*", "int64_t", "const uint8_t*", "int64_t", "double*"],
    "rk_signal_trend_drop": ["const double*", "int64_t", "double*"],
    **{f"rk_signal_{name}_batch_texts": ["const rk_text*", "const rk_text*", "int64_t", result]
       for name, result in [("entity_overlap", "double*"), ("numerical_consistency", "int8_t*"),
                            ("negation_flip", "uint8_t*"), ("traceability", "double*")]},
    "rk_bm25_search": ["uint64_t", "const uint8_t*", "int64_t", "const int64_t*", "int64_t", "int64_t", "int64_t*",
                       "double*", "int64_t*", "int64_t*"],
    "rk_bm25_search_many_spans": ["uint64_t", "const rk_span*", "int64_t", "int64_t", "int32_t", "int64_t*", "double*"],
    "rk_trend_window_push": ["uint64_t", "double", "double*"],
}


def test_the_header_still_declares_what_the_extension_calls():
    import re

    from ragkernels._native import _binding_build, _loader

    declared = {f.name: f for f in _binding_build.parse_functions(_loader.read_cdef())}
    for name, parameters in FASTCALL_SIGNATURES.items():
        function = declared[name]
        assert function.result == "int32_t"
        got = [" ".join(decl[: -len(param)].replace("*", " * ").split()).replace(" *", "*")
               for decl, param in function.parameters]
        assert got == parameters, name
    source = (REPO / "python" / "ragkernels" / "_native" / "_fastcall.c").read_text(encoding="utf-8")
    names = re.search(r"export_names\[F_COUNT\] = \{(.*?)\};", source, re.S).group(1)
    assert sorted(re.findall(r'"(rk_\w+)"', names)) == sorted(FASTCALL_SIGNATURES)


# ---- the public functions are the C functions ------------------------------------------------

@pytest.mark.parametrize("name", SIGNALS)
def test_public_functions_are_the_extensions(fastcall, name):
    import ragkernels
    from ragkernels import signals
    from ragkernels.signals import _py

    function = getattr(fastcall, name)
    assert getattr(ragkernels, name) is function and getattr(signals, name) is function
    # inspect sees the twin's parameters (positional or keyword) and help() its docstring.
    twin = getattr(_py, name)
    assert list(inspect.signature(function).parameters) == list(inspect.signature(twin).parameters)
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in inspect.signature(function).parameters.values())
    assert function.__doc__ == inspect.getdoc(twin)
    assert "rk_signal_" + name in fastcall.bound() and "rk_signal_" + name + "_batch_texts" in fastcall.bound()


def test_binding_name_says_fastcall(fastcall):
    from ragkernels import _native
    from ragkernels.bench._environment import header

    assert _native.binding_name() == _native.binding + "+fastcall"
    assert header()["binding"].endswith("+fastcall")


# ---- single calls: parity with the cffi wrappers and the twin --------------------------------

def _three_way(modules, name, *args, **kwargs):
    py, native = modules
    expected = outcome(getattr(py, name), *args, **kwargs)
    assert_same_outcome(outcome(getattr(native, "cffi_" + name), *args, **kwargs), expected)
    assert_same_outcome(outcome(getattr(native, name), *args, **kwargs), expected)


PARITY = settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PARITY
@given(pair=pairs(), name=st.sampled_from(SIGNALS))
def test_parity_on_the_signals_alphabet(modules, pair, name):
    _three_way(modules, name, *pair)


# Texts that are not valid UTF-8 once encoded (lone surrogates), or not str at all.
odd_texts = st.one_of(
    texts().map(lambda t: t + "\ud800"),
    st.builds(lambda a, b: a + "\udfff" + b, texts(), texts()),
    st.none(), st.integers(), st.floats(allow_nan=False), st.binary(max_size=8), st.just(bytearray(b"ab")),
    st.lists(st.text(max_size=3), max_size=2), st.just(object()),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=st.one_of(texts(), odd_texts), b=st.one_of(texts(), odd_texts), name=st.sampled_from(SIGNALS))
def test_parity_on_odd_arguments(modules, a, b, name):
    _three_way(modules, name, a, b)


@pytest.mark.parametrize("name", SIGNALS)
def test_keyword_arguments_and_wrong_counts(modules, name):
    first, second = ARGUMENT_NAMES[name]
    _three_way(modules, name, **{first: CLAIM, second: SOURCE})
    _three_way(modules, name, CLAIM, **{second: SOURCE})
    _three_way(modules, name, CLAIM, **{first: SOURCE})       # TypeError: multiple values
    _three_way(modules, name, CLAIM, SOURCE, **{"other": 1})  # TypeError: unexpected keyword
    _three_way(modules, name, CLAIM)
    _three_way(modules, name)
    _three_way(modules, name, CLAIM, SOURCE, "x")
    assert modules[1].__dict__[name](**{first: CLAIM, second: SOURCE}) == modules[0].__dict__[name](CLAIM, SOURCE)


class Text(str):
    """A str subclass: accepted like a str by every implementation."""


@pytest.mark.parametrize("name", SIGNALS)
def test_huge_odd_and_subclassed_inputs(modules, fastcall, name):
    big_ascii = (CLAIM + " not ") * 2000                       # ~400 KB: the GIL is released
    big_unicode = ("ΟΔΟΣ İstanbul 42 not σ " * 5000)           # > 64 K characters, not ASCII
    small_unicode = "Ελλάδα 3,5 İ not ς"
    for a, b in [(big_ascii, SOURCE), (SOURCE, big_ascii), (big_unicode, small_unicode),
                 (small_unicode, big_unicode), (big_unicode + "\ud800", "x"), ("x", big_ascii + "\udc00"),
                 (Text(CLAIM), Text(SOURCE)), ("", ""), ("\x00", "\x00 \x00")]:
        _three_way(modules, name, a, b)


@pytest.mark.parametrize("name", SIGNALS)
def test_gil_threshold_does_not_change_results(modules, fastcall, name):
    saved = fastcall._gil_thresholds()
    try:
        for threshold in (0, 1 << 40):
            fastcall._gil_thresholds(threshold)
            _three_way(modules, name, CLAIM, SOURCE)
            _three_way(modules, name, CLAIM * 50, SOURCE * 50)
    finally:
        fastcall._gil_thresholds(*saved)


def test_threads_share_the_single_calls(modules, fastcall):
    py, native = modules
    inputs = [(CLAIM * 40, SOURCE * 40), (CLAIM, SOURCE), ("Ελλάδα 3 not", "ελλάδα 3")]
    expected = {name: [getattr(py, name)(a, b) for a, b in inputs] for name in SIGNALS}
    failures = []

    def work():
        for _ in range(200):
            for name in SIGNALS:
                got = [getattr(native, name)(a, b) for a, b in inputs]
                if got != expected[name]:
                    failures.append((name, got))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def _gil_released_during(call, rounds) -> bool:
    """Whether another Python thread got to run while `call` ran `rounds` times. The switch
    interval is set to 100 s, so the other thread can only run when a call releases the GIL
    (holding it, the answer is always False; releasing it, True once the OS has scheduled the
    other thread during one of the calls). No timing is asserted."""
    go = threading.Event()
    ran = []

    def other():
        go.wait()
        ran.append(True)

    thread = threading.Thread(target=other)
    thread.start()
    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        go.set()
        for _ in range(rounds):
            call()
            if ran:
                break
        return bool(ran)
    finally:
        sys.setswitchinterval(old)
        thread.join()


def test_large_calls_release_the_gil_and_small_ones_keep_it(modules, fastcall):
    py, native = modules
    big_claim, big_source = CLAIM * 400, SOURCE * 400  # ~85 KB: above the threshold
    assert len(CLAIM) + len(SOURCE) < fastcall._gil_thresholds()[0] <= len(big_claim)
    assert not _gil_released_during(lambda: native.traceability(CLAIM, SOURCE), 2000)
    assert _gil_released_during(lambda: native.traceability(big_claim, big_source), 2000)
    claims, sources = [CLAIM] * 200, [SOURCE] * 200
    assert _gil_released_during(lambda: native.traceability_batch(claims, sources), 2000)


# ---- batches ----------------------------------------------------------------------------------

batch_items = st.one_of(texts(), texts().map(lambda t: t + "\ud83d"), st.none(), st.integers(), st.binary(max_size=3))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims=st.lists(st.one_of(texts(), texts(), texts(), batch_items), max_size=6),
       sources=st.lists(texts(), max_size=6), name=st.sampled_from(SIGNALS),
       kind=st.sampled_from([list, tuple]))
def test_batch_parity(modules, claims, sources, name, kind):
    py, native = modules
    if len(claims) != len(sources) and claims:
        sources = (sources * 6)[:len(claims)] if sources else sources
    function = name + "_batch"
    expected = outcome(getattr(py, function), kind(claims), kind(sources))
    got = outcome(getattr(native, function), kind(claims), kind(sources))
    assert got[0] == expected[0], (got, expected)
    if got[0] == "value":
        assert got[1].dtype == expected[1].dtype == BATCH_DTYPES[name]
        assert np.array_equal(got[1], expected[1])
    else:
        assert got[1:] == expected[1:]


@pytest.mark.parametrize("name", SIGNALS)
def test_batch_equals_the_cffi_path(modules, fastcall, name, monkeypatch):
    py, native = modules
    rng = np.random.default_rng(11)
    words = (CLAIM + " " + SOURCE + " not ΟΔΟΣ İ ς \u0661\u0662 Ελλάδα").split()
    claims = [" ".join(rng.choice(words, size=rng.integers(0, 40))) for _ in range(2000)]
    sources = [" ".join(rng.choice(words, size=rng.integers(0, 60))) for _ in range(2000)]
    claims[7] = Text(claims[7])
    claims[8] = "x" * 70000 + " Ελλάδα"  # a large non-ASCII element
    function = getattr(native, name + "_batch")
    fast = function(claims, tuple(sources))
    monkeypatch.setattr(native, "_fast_batch", None)
    slow = function(claims, tuple(sources))
    assert fast.dtype == slow.dtype and np.array_equal(fast, slow)
    assert np.array_equal(fast, getattr(py, name + "_batch")(claims, sources))


def test_batch_entry_point_refuses_what_it_cannot_do(fastcall):
    out = np.empty(2, dtype=np.float64)
    assert fastcall.batch(3, ["x y", "c"], ["x", "c"], out, 0, 2) == 2 and out.tolist() == [0.5, 1.0]
    assert fastcall.batch(3, ["a", None], ["a", "b"], out, 0, 2) is False
    assert fastcall.batch(3, ["a", "\ud800"], ["a", "b"], out, 0, 2) is False
    assert fastcall.batch(3, ["a"], ["a", "b"], out, 0, 1) is False
    assert fastcall.batch(3, iter(["a", "b"]), ["a", "b"], out, 0, 2) is False
    with pytest.raises(ValueError):
        fastcall.batch(4, ["a"], ["a"], out, 0, 1)
    with pytest.raises(BufferError):
        fastcall.batch(3, ["a", "b"], ["a", "b"], b"read-only buffer", 0, 2)
    with pytest.raises(TypeError):
        fastcall.batch(3, ["a"])
    # The ranged form: pairs start..stop-1 into results[start:stop], the rest untouched.
    out = np.full(4, -7.0)
    assert fastcall.batch(3, ["q", "x y", "c", "q"], ["q", "x", "z", "q"], out, 1, 3) == 3
    assert out.tolist() == [-7.0, 0.5, 0.0, -7.0]
    assert fastcall.batch(3, ["q", "x y", "c", "q"], ["q", "x", "z", "q"], out, 4, 4) == 4
    assert fastcall.batch(3, ["a", "b"], ["a", "b"], np.empty(2), 1, 3) is False  # past the end
    assert fastcall.batch(3, ["a", "b"], ["a", "b"], np.empty(3), 0, 2) is False  # lists changed
    assert fastcall.batch(3, ["a", None], ["a", "b"], np.empty(2), 0, 1) == 1  # None not in range
    assert fastcall.batch(3, ["a", None], ["a", "b"], np.empty(2), 1, 2) is False
    # A ranged call packs at most 4 MB of text per side (at least one pair) and says where it
    # stopped; the caller goes on from there.
    from ragkernels.signals._py import traceability as py_traceability

    big, small = ["Acme Corp x " * 125_000] * 5, ["Acme Corp"] * 5  # 1.5 MB and 9 bytes each
    for claims, sources in [(big, small), (small, big)]:
        out = np.full(5, -7.0)
        stops = [fastcall.batch(3, claims, sources, out, 0, 5)]
        while stops[-1] < 5:
            stops.append(fastcall.batch(3, claims, sources, out, stops[-1], 5))
        assert stops == [2, 4, 5]
        assert out.tolist() == [py_traceability(claims[0], sources[0])] * 5
    assert fastcall.batch(3, big, big, np.empty(5), 4, 5) == 5
    for start, stop in [(-1, 1), (2, 1)]:
        with pytest.raises(ValueError):
            fastcall.batch(3, ["a", "b"], ["a", "b"], np.empty(2), start, stop)
    with pytest.raises(TypeError):
        fastcall.batch(3, ["a"], ["a"], np.empty(1), 0)


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


# Mostly-ASCII runs of every length around the 4- and 8-unit blocks, with one wider character
# somewhere, in each of the three str layouts (1, 2 and 4 bytes per character).
_WIDE = st.sampled_from(["é", "ÿ", "\x80", "’", "\u07ff", "\u0800", "\uffff", "\ud800", "\udfff", "😀",
                         "\U0010ffff", "\U00010000"])


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(), st.text(st.characters(max_codepoint=0xFF)),
                      st.tuples(st.text("ab c", max_size=20), _WIDE, st.text("xyz ", max_size=20)).map("".join),
                      st.lists(st.one_of(st.text("abc", max_size=9), _WIDE), max_size=8).map("".join)))
def test_the_batches_utf8_is_str_encode(fastcall, text):
    """BM25 query batches encode non-ASCII text themselves (pair batches pass a str's own code
    points, which the library converts): the bytes are str.encode's, and a str with a surrogate
    (lone or in a pair: both are refused by str.encode) is left to the fallback, which raises the
    twin's error."""
    got = fastcall._utf8(text)
    if _has_surrogate(text):
        assert got is None
    else:
        assert got == text.encode("utf-8")


@pytest.mark.parametrize("wide", ["\u00e9", "\u2019", "\U0001f600"], ids=["ucs1", "ucs2", "ucs4"])
def test_the_batches_utf8_of_ascii_runs_of_every_length(fastcall, wide):
    # ASCII runs are copied 8 or 16 code units at a time: every run length, before and after a
    # non-ASCII character, and a capital (no case change may happen) at every place in a block.
    for run in range(41):
        for text in ("A" * run + wide, wide + "b" * run, wide + "x" * run + wide + "Y" * (run % 17), wide + "\x7f" * run):
            assert fastcall._utf8(text) == text.encode("utf-8"), (run, text)


def test_batches_with_surrogates_raise_what_the_twin_raises(modules):
    py, native = modules
    for bad in ["a\ud800b", "x \udfff", "\ud83d\ude00 pair"]:
        claims = ["fine text", "Caf\u00e9 2024", bad]
        sources = ["fine text", "caf\u00e9 2024", "ok"]
        for name in SIGNALS:
            expected = outcome(getattr(py, name + "_batch"), claims, sources)
            got = outcome(getattr(native, name + "_batch"), claims, sources)
            assert got == expected and got[:2] == ("raised", ValueError) and "surrogate" in got[2], (name, bad, got)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs glibc's mallopt")
def test_batches_hold_the_texts_they_read(fastcall):
    """A batch reads each str's own memory with the GIL released, so it must hold a reference
    to every str it reads: another thread replacing the list's elements meanwhile frees them.
    In a child process whose malloc returns every block over 128 KB to the system at once
    (mallopt M_MMAP_THRESHOLD), the texts (~1 MB each) are unmapped when freed, so reading a
    freed one would kill the child rather than read stale bytes."""
    code = """
        import ctypes, threading
        ctypes.CDLL(None).mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD, fixed (no dynamic raise)
        import ragkernels
        from ragkernels.signals import _py

        def text(i, word):
            return ("%s Corp %d " % (word, i)) * 60_000  # a fresh ~1 MB str each time

        claims = [text(i, "Acme") for i in range(4)]
        sources = [text(i, "Acme") for i in range(4)]
        expected = {_py.traceability(text(i, a), text(i, b)) for i in range(4) for a in ("Acme", "Beta")
                    for b in ("Acme", "Beta")}
        stop = threading.Event()

        def replace():
            while not stop.is_set():
                for i in range(4):
                    claims[i] = text(i, "Beta" if "Acme" in claims[i][:4] else "Acme")
                    sources[i] = text(i, "Beta" if "Acme" in sources[i][:4] else "Acme")

        thread = threading.Thread(target=replace)
        thread.start()
        for _ in range(40):
            got = ragkernels.traceability_batch(claims, sources)
            assert got.shape == (4,) and set(got.tolist()) <= expected, got
        stop.set()
        thread.join()
        print("ok")
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", (done.returncode, done.stdout, done.stderr[-2000:])


def test_batches_reuse_the_gather_buffers_safely(modules, fastcall):
    """The extension keeps the last batch's gather buffers (rk_text arrays, references) for the
    next call (one pair, taken by one call at a time; over 16 MB they are
    freed). Batches of every size in turn, refusals in between (a bad element after the claims
    were gathered), and several threads gathering at the same time must all give the single
    calls' answers."""
    py, native = modules
    rng = np.random.default_rng(5)
    words = (CLAIM + " " + SOURCE + " not never Ελλάδα 3,5").split()
    claims = [" ".join(rng.choice(words, size=rng.integers(0, 30))) for _ in range(300)]
    sources = [" ".join(rng.choice(words, size=rng.integers(0, 30))) for _ in range(300)]
    code = {None: -1, True: 1, False: 0}  # numerical_consistency's int8 codes

    def single(name, a, b):
        value = getattr(py, name)(a, b)
        return code[value] if name == "numerical_consistency" else value

    expected = {name: np.array([single(name, a, b) for a, b in zip(claims, sources)], dtype=BATCH_DTYPES[name])
                for name in SIGNALS}
    huge = ["Acme Corp " * 200_000]  # ~2 MB each side here, 20 MB below: more than is kept

    def check(name, rounds):
        for size in rounds:
            got = getattr(native, name + "_batch")(claims[:size], sources[:size])
            assert np.array_equal(got, expected[name][:size]), (name, size)

    for name in SIGNALS:
        check(name, [300, 1, 0, 300, 17])
        assert getattr(native, name + "_batch")(huge * 10, huge * 10).shape == (10,)
        out = np.empty(2, dtype=BATCH_DTYPES[name])
        assert fastcall.batch(SIGNALS.index(name), claims[:2], [sources[0], 3], out, 0, 2) is False
        check(name, [17, 300])
    failures = []

    def work(name):
        try:
            check(name, [300, 5, 300, 0, 300] * 20)
        except AssertionError as error:
            failures.append(error)

    threads = [threading.Thread(target=work, args=(name,)) for name in SIGNALS * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


# ---- BM25Index.search -------------------------------------------------------------------------

@pytest.fixture()
def index(fastcall):
    from ragkernels.bm25 import _native as bm25_native

    words = "fox dog paris rome ΟΔΟΣ İstanbul quick brown lazy not 42 straße".split()
    rng = np.random.default_rng(3)
    docs = [" ".join(rng.choice(words, size=rng.integers(1, 12))) for _ in range(150)]
    ids = [f"d{i}" if i % 3 else i for i in range(150)]
    with bm25_native.BM25Index() as built:
        built.add(docs, ids=ids)
        yield built


def _slow_search(monkeypatch, index, *args, **kwargs):
    from ragkernels.bm25 import _native as bm25_native

    with monkeypatch.context() as patch:
        patch.setattr(bm25_native, "_fast_search", None)
        return outcome(index.search, *args, **kwargs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(query=st.one_of(st.text(alphabet="fox dog paris rome ΟΔΟΣ İ 42 straße\ud800", max_size=30),
                       st.lists(st.sampled_from(["fox", "dog", "ΟΔΟΣ"]), max_size=4), st.none(), st.integers()),
       k=st.one_of(st.integers(-2, 80), st.just(True), st.just(3.0), st.just(10 ** 30)))
def test_search_parity_with_the_cffi_path(monkeypatch, index, query, k):
    got = outcome(index.search, query, k)
    expected = _slow_search(monkeypatch, index, query, k)
    assert got == expected  # values: the same ids and bit-identical scores; errors: type and message
    if got[0] == "value":
        assert all(type(score) is float for _, score in got[1])


def test_search_with_filters_big_k_tokens_and_keywords(monkeypatch, index):
    for args, kwargs in [(("fox", 3), {"allowed": [0, 3, 6]}), (("fox", 100), {}), ((["fox", "dog"], 5), {}),
                         (("fox",), {"k": 4}), (("fox",), {}), (("paris rome",), {"k": 64}), (("fox",), {"k": 65})]:
        got = outcome(index.search, *args, **kwargs)
        assert got[0] == "value" or "allowed" in kwargs  # allowed= needs int ids; this index mixes them
        assert got == _slow_search(monkeypatch, index, *args, **kwargs)


def test_search_equals_the_twin_and_refuses_after_close(fastcall):
    from ragkernels.bm25 import _native as bm25_native, _py

    twin, native = _py.BM25Index(), bm25_native.BM25Index()
    for index in (twin, native):
        index.add(["fox fox", "dog", "the fox and the dog"], ids=["a", "b", 7])
    assert [i for i, _ in native.search("fox dog", 3)] == [i for i, _ in twin.search("fox dog", 3)]
    twin.close()
    native.close()
    assert outcome(native.search, "fox", 2) == outcome(twin.search, "fox", 2)
    assert outcome(native.search, "fox", 2)[1] is ValueError


def test_search_entry_point_refuses_what_it_cannot_do(fastcall, index):
    ids = index._id_of_key
    assert fastcall.bm25_search(index._handle, "fox", 3, ids) == index.search("fox", 3)
    assert fastcall.bm25_search(0, "fox", 3, ids) is None
    assert fastcall.bm25_search(index._handle, b"fox", 3, ids) is None
    assert fastcall.bm25_search(index._handle, "fox", fastcall.SEARCH_MAX_K + 1, ids) is None
    assert fastcall.bm25_search(index._handle, "fox", -1, ids) is None
    assert fastcall.bm25_search(index._handle, "fox \ud800", 3, ids) is None
    assert fastcall.bm25_search(index._handle + 12345, "fox", 3, ids) is None  # no such handle
    assert fastcall.bm25_search(index._handle, "fox", 3, {}) is None           # unknown keys
    assert fastcall.bm25_search(-1, "fox", 3, ids) is None
    with pytest.raises(TypeError):
        fastcall.bm25_search(index._handle, "fox")


# ---- BM25Index.search_many ---------------------------------------------------------------------

def _slow_search_many(monkeypatch, index, *args, **kwargs):
    from ragkernels.bm25 import _native as bm25_native

    with monkeypatch.context() as patch:
        patch.setattr(bm25_native, "_fast_search_many", None)
        return outcome(index.search_many, *args, **kwargs)


_MANY_QUERIES = [
    "fox", "quick brown fox", "", "ΟΔΟΣ dog", "İstanbul straße", "caf\u00e9 fox", "paris \u2019rome\u2019",
    "42 \U0001F600 lazy", "not", "x" * 70 + " fox", " ".join(["dog"] * 40) + " \u00ff",
]


@pytest.mark.parametrize("threads", [None, 1, 2])
def test_search_many_equals_the_cffi_path(monkeypatch, index, threads):
    """search_many hands each str query's own bytes to rk_bm25_search_many_spans: the same rows
    as the cffi path (one joined UTF-8 buffer; tests/test_bm25.py compares that with the twin),
    for queries in every str layout (ASCII, Latin-1, UCS-2, UCS-4), as a list or a tuple, one
    slice or many."""
    from ragkernels.bm25 import _native as bm25_native

    assert bm25_native._fast_search_many is not None
    rng = np.random.default_rng(11)
    many = [_MANY_QUERIES[i] for i in rng.integers(0, len(_MANY_QUERIES), size=700)]  # several slices
    for queries in [_MANY_QUERIES, tuple(_MANY_QUERIES), many, ["fox"], []]:
        for k in (1, 3, 200):
            got = outcome(index.search_many, queries, k, threads)
            expected = _slow_search_many(monkeypatch, index, queries, k, threads)
            assert got[0] == expected[0] == "value"
            assert np.array_equal(got[1][0], expected[1][0]) and np.array_equal(got[1][1], expected[1][1])
            assert (got[1][0] >= 0).any() or not queries


def test_search_many_refusals_raise_what_they_raised(monkeypatch, index, fastcall):
    for queries in [["fox", "a \ud800 b"], ["fox", 3], ["fox", None], ("fox", b"dog")]:
        got = outcome(index.search_many, queries, 3)
        assert got == _slow_search_many(monkeypatch, index, queries, 3) and got[0] == "raised", got
    docs, scores = np.zeros((2, 3), dtype=np.int64), np.zeros((2, 3))
    assert fastcall.bm25_search_many(index._handle, ["fox", "dog"], 0, 2, 3, 0, docs, scores) == 2
    assert (docs[:, 0] >= 0).all()
    assert fastcall.bm25_search_many(index._handle, ["fox", "dog"], 0, 2, 3, 0, docs[:1], scores) is False
    assert fastcall.bm25_search_many(0, ["fox", "dog"], 0, 2, 3, 0, docs, scores) is False  # closed
    assert fastcall.bm25_search_many(index._handle, iter(["fox"]), 0, 1, 3, 0, docs, scores) is False
    assert fastcall.bm25_search_many(index._handle, ["fox", "dog"], 1, 1, 3, 0, docs, scores) == 1
    with pytest.raises(ValueError):
        fastcall.bm25_search_many(index._handle, ["fox", "dog"], 1, 3, 3, 0, docs, scores)
    with pytest.raises(TypeError):
        fastcall.bm25_search_many(index._handle, ["fox"])


# ---- switching it off, fork ---------------------------------------------------------------------

def _run(code: str, env_changes: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGKERNELS_")}
    env.update(env_changes)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_fastcall_0_keeps_the_cffi_path(fastcall):
    code = """
        import json, ragkernels
        from ragkernels import _native
        from ragkernels.signals import _native as signals_native
        from ragkernels.bm25 import _native as bm25_native
        print(json.dumps({"binding": _native.binding_name(), "fastcall": _native.fastcall is None,
                          "python_function": type(ragkernels.traceability).__name__,
                          "same": ragkernels.traceability is signals_native.cffi_traceability,
                          "batch": signals_native._fast_batch is None, "search": bm25_native._fast_search is None,
                          "value": ragkernels.traceability("a b c", "a c")}))
    """
    off = _run(code, {"RAGKERNELS_FASTCALL": "0"})
    assert off == {"binding": off["binding"], "fastcall": True, "python_function": "function", "same": True,
                   "batch": True, "search": True, "value": 0.5}
    assert "+fastcall" not in off["binding"]
    on = _run(code, {})
    assert on["binding"].endswith("+fastcall") and on["python_function"] == "builtin_function_or_method"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_references_taken_before_fork_do_not_call_the_library_in_the_child(fastcall):
    code = """
        import json, multiprocessing as mp
        import ragkernels
        from ragkernels import traceability as early, BM25Index
        from ragkernels._native import fastcall

        index = BM25Index()
        index.add(["the fox", "a dog"])

        def child(_):
            out = {"bound": fastcall.bound(), "public": ragkernels.traceability("a b c", "a c")}
            for name, call in (("early", lambda: early("a b c", "a c")), ("search", lambda: index.search("fox", 1))):
                try:
                    out[name] = call()
                except RuntimeError as error:
                    out[name] = "RuntimeError: " + str(error)[:80]
            return out

        if __name__ == "__main__":
            parent = [early("a b c", "a c"), index.search("fox", 1)]
            with mp.get_context("fork").Pool(1) as pool:
                result = pool.map_async(child, [0]).get(timeout=120)[0]
            print(json.dumps({"parent": parent, "child": result}))
    """
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        script = os.path.join(folder, "fork_fastcall.py")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(code))
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAGKERNELS_")}
        done = subprocess.run([sys.executable, script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["parent"][0] == 0.5 and report["parent"][1][0][0] == 0
    child = report["child"]
    assert child["bound"] == [] and child["public"] == 0.5
    assert child["early"].startswith("RuntimeError: this ragkernels object was created before")
    assert child["search"].startswith("RuntimeError: this ragkernels object was created before")


# ---- fuzz: random Python objects into every entry point -------------------------------------------

anything = st.deferred(lambda: st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2 ** 63, max_value=2 ** 70), st.floats(),
    st.text(max_size=20), st.text(alphabet=st.characters(blacklist_categories=()), max_size=20),
    st.binary(max_size=10), st.just(bytearray(b"x")), st.just(memoryview(b"ab")), st.just(object()),
    st.builds(Text, st.text(max_size=10)), st.just(np.array(["a", "b"])), st.just(np.empty(3)),
    st.lists(anything, max_size=3), st.tuples(anything, anything), st.dictionaries(st.integers(), st.text(), max_size=2),
))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=st.lists(anything, max_size=4), name=st.sampled_from(SIGNALS))
def test_fuzz_single_calls_raise_what_the_twin_raises(modules, args, name):
    _three_way(modules, name, *args)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims=anything, sources=anything, name=st.sampled_from(SIGNALS))
def test_fuzz_batches_raise_what_the_twin_raises(modules, claims, sources, name):
    py, native = modules
    expected = outcome(getattr(py, name + "_batch"), claims, sources)
    got = outcome(getattr(native, name + "_batch"), claims, sources)
    assert got[0] == expected[0], (got, expected)
    if got[0] == "value":
        assert np.array_equal(got[1], expected[1])
    else:
        assert got[1:] == expected[1:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=st.lists(anything, max_size=8))
def test_fuzz_internal_entry_points_never_crash(fastcall, args):
    # Garbage in: an exception or a "take the ordinary path" answer, never a crash.
    for function in (fastcall.batch, fastcall.bm25_search, fastcall.bm25_search_many, fastcall.window_push):
        try:
            result = function(*args)
        except (TypeError, ValueError, OverflowError, BufferError):
            continue
        assert result in (True, False, None) or isinstance(result, (list, float, int))


# ---- trend_drop and TrendWindow.push ------------------------------------------------------------

real_items = st.one_of(st.floats(), st.integers(-10 ** 6, 10 ** 6), st.integers(min_value=10 ** 308, max_value=10 ** 320),
                       st.booleans(), st.none(), st.text(max_size=2), st.just(np.float64(0.5)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.one_of(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), max_size=80),
                        st.lists(real_items, max_size=6), anything),
       kind=st.sampled_from([list, tuple, None]))
def test_trend_drop_parity(modules, values, kind):
    import ragkernels

    py, native = modules
    if kind is not None and isinstance(values, list):
        values = kind(values)
    expected = outcome(py.trend_drop, values)
    assert_same_outcome(outcome(native.cffi_trend_drop, values), expected)
    assert_same_outcome(outcome(ragkernels.trend_drop, values), expected)
    assert_same_outcome(outcome(ragkernels.trend_drop, values=values), expected)


def test_trend_drop_is_the_extensions(fastcall):
    import ragkernels
    from ragkernels.signals import _py

    assert ragkernels.trend_drop is fastcall.trend_drop
    assert list(inspect.signature(fastcall.trend_drop).parameters) == ["values"]
    assert fastcall.trend_drop.__doc__ == inspect.getdoc(_py.trend_drop)
    series = [0.85, 0.82, 0.78, 0.71, 0.65, 0.58, 0.52, 0.48, 0.43, 0.39]
    big = series * 1000  # above the GIL threshold and the stack buffer
    assert ragkernels.trend_drop(big) == _py.trend_drop(big)
    assert ragkernels.trend_drop(np.array(series)) == _py.trend_drop(np.array(series))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scores=st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=32), real_items), max_size=12))
def test_window_push_parity(modules, scores):
    py, native = modules
    twin, window = py.TrendWindow(4), native.TrendWindow(4)
    try:
        for score in scores:
            assert_same_outcome(outcome(window.push, score), outcome(twin.push, score))
        window.close()
        twin.close()
        assert_same_outcome(outcome(window.push, 0.5), outcome(twin.push, 0.5))
    finally:
        window.close()


def test_window_push_entry_point_refuses_what_it_cannot_do(fastcall):
    from ragkernels.signals import _native

    window = _native.TrendWindow(3)
    assert type(fastcall.window_push(window._handle, 0.5)) is float
    assert type(fastcall.window_push(window._handle, 1)) is float
    for handle, score in [(0, 0.5), (-1, 0.5), (2 ** 70, 0.5), (window._handle, True), (window._handle, "1"),
                          (window._handle, 10 ** 400), (window._handle + 99991, 0.5), (1.0, 0.5)]:
        assert fastcall.window_push(handle, score) is None
    with pytest.raises(TypeError):
        fastcall.window_push(window._handle)
    window.close()
    assert fastcall.window_push(window._handle, 0.5) is None
