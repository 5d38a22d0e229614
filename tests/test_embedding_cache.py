"""EmbeddingCache: eviction order on a scripted sequence with a fake clock, counters,
bit-identical vectors, batching of misses, errors."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from ragkernels import EmbeddingCache


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class RecordingEmbedder:
    """A deterministic embed function: each text's vector comes from a hash of the text."""

    def __init__(self, dim=8):
        self.dim = dim
        self.calls = []

    def vector(self, text):
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)

    def embed(self, texts):
        self.calls.append(list(texts))
        return np.stack([self.vector(t) for t in texts]) if texts else np.empty((0, self.dim), np.float32)


def make(max_entries):
    clock = FakeClock()
    embedder = RecordingEmbedder()
    return EmbeddingCache(embedder, max_entries=max_entries, clock=clock), clock, embedder


def at(cache, clock, time, texts):
    clock.now = time
    return cache.embed(texts)


def test_scripted_eviction_order():
    cache, clock, embedder = make(3)
    at(cache, clock, 0, ["a"])   # a: frequency 1, last access 0
    at(cache, clock, 1, ["b"])   # b: 1, 1
    at(cache, clock, 2, ["a"])   # a: 2, 2 (a hit)
    at(cache, clock, 3, ["c"])   # c: 1, 3 -> full
    # At t = 10: a = sqrt(2)/(1+8) = 0.157, b = 1/(1+9) = 0.100, c = 1/(1+7) = 0.125 -> b goes.
    at(cache, clock, 10, ["d"])
    assert set(cache._slot_of) == {"a", "c", "d"}
    # At t = 11: a = sqrt(2)/(1+9) = 0.141, c = 1/(1+8) = 0.111, d = 1/(1+1) = 0.5 -> c goes.
    at(cache, clock, 11, ["b"])
    assert set(cache._slot_of) == {"a", "d", "b"}
    # At t = 12, a hit on a first: a = sqrt(3)/1 = 1.73, d = 1/3, b = 1/2 -> d goes for e.
    at(cache, clock, 12, ["a", "e"])
    assert set(cache._slot_of) == {"a", "b", "e"}
    assert (cache.hits, cache.misses) == (2, 6)
    assert embedder.calls == [["a"], ["b"], ["c"], ["d"], ["b"], ["e"]]


def test_frequency_outweighs_a_little_age():
    cache, clock, _ = make(2)
    at(cache, clock, 0, ["old", "old", "old", "old"])  # frequency 4 (repeats in one call count)
    at(cache, clock, 2, ["new"])
    # At t = 3: old = 2/(1+3) = 0.5, new = 1/(1+1) = 0.5 -> a tie: the older last access goes.
    at(cache, clock, 3, ["x"])
    assert set(cache._slot_of) == {"new", "x"}


def test_ties_go_to_the_oldest_access_then_the_first_inserted():
    cache, clock, _ = make(2)
    at(cache, clock, 0, ["x", "y"])  # same frequency, same last access
    at(cache, clock, 5, ["z"])       # x and y both score 1/6: x was inserted first
    assert set(cache._slot_of) == {"y", "z"}
    at(cache, clock, 5, ["w"])       # y = 1/6, z = 1/1
    assert set(cache._slot_of) == {"z", "w"}


def test_age_never_negative_when_the_clock_goes_back():
    cache, clock, _ = make(2)
    at(cache, clock, 100, ["a"])
    at(cache, clock, 50, ["b"])
    at(cache, clock, 40, ["b"])      # b: frequency 2; a: age clamped to 0 -> score 1; b: sqrt(2)
    at(cache, clock, 40, ["c"])
    assert set(cache._slot_of) == {"b", "c"}


def test_counters_and_batching_of_misses():
    cache, clock, embedder = make(10)
    out = at(cache, clock, 0, ["p", "q", "p", "r", "q"])
    assert embedder.calls == [["p", "q", "r"]]  # one call, distinct texts, first-seen order
    assert (cache.hits, cache.misses) == (2, 3)
    assert out.shape == (5, 8) and out.dtype == np.float32
    assert (out[0] == out[2]).all() and (out[1] == out[4]).all()
    at(cache, clock, 1, ["r", "p"])
    assert len(embedder.calls) == 1
    assert cache.stats() == {"hits": 4, "misses": 3, "entries": 3, "max_entries": 10}
    assert at(cache, clock, 2, []).shape == (0, 8)
    assert "p" in cache and "p " not in cache and len(cache) == 3


def test_cached_vectors_are_bit_identical_to_fresh_ones():
    cache, clock, embedder = make(4)
    texts = [f"text {i}" for i in range(12)]
    for round in range(3):
        for start in range(0, 12, 3):
            got = at(cache, clock, round * 10 + start, texts[start:start + 3] + texts[:2])
            fresh = np.stack([embedder.vector(t) for t in texts[start:start + 3] + texts[:2]])
            assert got.tobytes() == fresh.tobytes()
    assert cache.hits > 0


def test_returned_arrays_are_copies():
    cache, clock, _ = make(4)
    first = at(cache, clock, 0, ["a"])
    first[:] = 0
    assert (at(cache, clock, 1, ["a"]) != 0).any()


def test_keeps_dtype_and_accepts_plain_functions():
    cache = EmbeddingCache(lambda texts: np.ones((len(texts), 3), np.float64) * len(texts[0]), max_entries=5)
    out = cache(["ab", "abc"])
    assert out.dtype == np.float64 and out.tolist() == [[2.0] * 3, [2.0] * 3]
    assert cache(["abc"]).tolist() == [[2.0] * 3]  # the cached row, not a recomputation


def test_errors():
    with pytest.raises(TypeError, match="embed must be callable or have an embed method"):
        EmbeddingCache(42)
    with pytest.raises(ValueError, match="max_entries must be at least 1, got 0"):
        EmbeddingCache(lambda t: t, max_entries=0)
    with pytest.raises(TypeError, match="max_entries must be an int, not float"):
        EmbeddingCache(lambda t: t, max_entries=2.0)
    cache, clock, _ = make(3)
    with pytest.raises(TypeError, match="texts must be a sequence of str, not a single str"):
        cache.embed("abc")
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str, not int"):
        cache.embed(["a", 1])
    bad = EmbeddingCache(lambda texts: np.ones((1, 3)), max_entries=3)
    with pytest.raises(ValueError, match=r"returned shape \(1, 3\) for 2 texts"):
        bad.embed(["a", "b"])
    changing = iter([np.ones((1, 3), np.float32), np.ones((1, 4), np.float32)])
    cache = EmbeddingCache(lambda texts: next(changing), max_entries=3)
    cache.embed(["a"])
    with pytest.raises(ValueError, match="dimension 4, earlier float32 of dimension 3"):
        cache.embed(["b"])
