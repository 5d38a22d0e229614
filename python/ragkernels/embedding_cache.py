"""A bounded cache of embeddings, keyed by the exact text, in front of any embed function."""

from __future__ import annotations

import numbers
import threading
import time
from typing import Callable

import numpy as np


class EmbeddingCache:
    """Caches the vectors an embed function returns, so a repeated text is not embedded again.

    EmbeddingCache(embed, max_entries=10_000, clock=time.monotonic)

    Args:
        embed: a callable `embed(texts: list[str]) -> array of shape (len(texts), dim)`, or an
            object with such an `embed` method (e.g. ragkernels.Embedder). It is called once
            per embed() call, with the distinct texts that missed, in first-seen order.
        max_entries: the most texts kept, an int >= 1.
        clock: a callable returning the current time in seconds (any float); inject a fake one
            in tests. Read once per embed() call.

    Keys are the exact text (no normalisation: "a" and "a " are different entries). The cached
    vector is a copy of the row the embed function returned for that text, so it is
    bit-identical to the fresh result (same dtype, same bits; whether the function itself
    gives the same bits for a text in another batch is that function's property).

    Eviction, when a new text arrives and the cache is full: the entry with the lowest
        score = sqrt(frequency) / (1 + age)
    goes, where
        frequency = how many times the text was looked up since it was inserted (the
            insertion counts as 1, each hit adds 1; repeats inside one call each count),
        age = max(0, now - last_access) in seconds, `now` being the clock reading taken at the
            start of the embed() call that needs the room, and `last_access` the clock reading
            taken at the start of the most recent embed() call that looked the text up (a hit
            or its insertion).
    Equal scores: the entry with the older last_access goes first, then the one inserted first.

    Counters: `hits` (lookups answered from the cache, including a text repeated within one
    call after its first occurrence) and `misses` (texts sent to the embed function). Thread-safe:
    bookkeeping is locked; the embed function runs outside the lock.
    """

    def __init__(self, embed, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic):
        function = embed if callable(embed) else getattr(embed, "embed", None)
        if not callable(function):
            raise TypeError(f"EmbeddingCache: embed must be callable or have an embed method, not {type(embed).__name__}")
        if isinstance(max_entries, bool) or not isinstance(max_entries, numbers.Integral):
            raise TypeError(f"EmbeddingCache: max_entries must be an int, not {type(max_entries).__name__}")
        if max_entries < 1:
            raise ValueError(f"EmbeddingCache: max_entries must be at least 1, got {max_entries}")
        if not callable(clock):
            raise TypeError(f"EmbeddingCache: clock must be callable, not {type(clock).__name__}")
        self._embed = function
        self._max = int(max_entries)
        self._clock = clock
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._serial = 0
        self._slot_of: dict[str, int] = {}
        self._texts: list[str] = []
        self._vectors: np.ndarray | None = None  # (capacity, dim), allocated on first result
        self._frequency = np.zeros(0, np.int64)
        self._last = np.zeros(0, np.float64)
        self._inserted = np.zeros(0, np.int64)

    @property
    def max_entries(self) -> int:
        return self._max

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, text) -> bool:
        return text in self._slot_of

    def stats(self) -> dict:
        """{"hits", "misses", "entries", "max_entries"}."""
        with self._lock:
            return {"hits": self.hits, "misses": self.misses, "entries": len(self._slot_of), "max_entries": self._max}

    def clear(self) -> None:
        """Drops every entry (the counters stay)."""
        with self._lock:
            self._slot_of.clear()
            self._texts.clear()

    def embed(self, texts) -> np.ndarray:
        """The vectors of `texts` (a sequence of str), shape (len(texts), dim), from the cache
        where present and from one call of the embed function for the rest.

        Raises:
            TypeError: `texts` is a str or holds a non-str.
            ValueError: the embed function returned an array of the wrong shape, or of another
                dimension or dtype than earlier results.
        """
        if isinstance(texts, str):
            raise TypeError("EmbeddingCache.embed: texts must be a sequence of str, not a single str")
        texts = list(texts)
        for position, text in enumerate(texts):
            if type(text) is not str:
                raise TypeError(f"EmbeddingCache.embed: texts[{position}] must be a str, not {type(text).__name__}")
        now = float(self._clock())
        found: dict[int, np.ndarray] = {}
        missing: dict[str, list[int]] = {}
        with self._lock:
            for position, text in enumerate(texts):
                slot = self._slot_of.get(text)
                if slot is not None:
                    self._frequency[slot] += 1
                    self._last[slot] = now
                    found[position] = self._vectors[slot].copy()
                    self.hits += 1
                elif text in missing:
                    missing[text].append(position)
                    self.hits += 1
                else:
                    missing[text] = [position]
                    self.misses += 1
        fresh = None
        if missing:
            fresh = np.asarray(self._embed(list(missing)))
            if fresh.ndim != 2 or fresh.shape[0] != len(missing):
                raise ValueError(f"EmbeddingCache: the embed function returned shape {fresh.shape} for {len(missing)} texts")
            with self._lock:
                for row, (text, positions) in enumerate(missing.items()):
                    self._insert(text, fresh[row], now, len(positions))
        if not texts:
            dim = self._vectors.shape[1] if self._vectors is not None else 0
            dtype = self._vectors.dtype if self._vectors is not None else np.float32
            return np.empty((0, dim), dtype)
        sample = fresh[0] if fresh is not None else next(iter(found.values()))
        out = np.empty((len(texts), sample.shape[0]), sample.dtype)
        for position, vector in found.items():
            out[position] = vector
        if fresh is not None:
            for row, positions in enumerate(missing.values()):
                out[positions] = fresh[row]
        return out

    __call__ = embed

    def _insert(self, text: str, vector: np.ndarray, now: float, frequency: int) -> None:
        if self._vectors is None:
            capacity = min(self._max, 64)
            self._vectors = np.empty((capacity, vector.shape[0]), vector.dtype)
            self._grow_bookkeeping(capacity)
        elif vector.shape[0] != self._vectors.shape[1] or vector.dtype != self._vectors.dtype:
            raise ValueError(f"EmbeddingCache: the embed function returned {vector.dtype} vectors of dimension "
                             f"{vector.shape[0]}, earlier {self._vectors.dtype} of dimension {self._vectors.shape[1]}")
        slot = self._slot_of.get(text)
        if slot is not None:  # another thread inserted it meanwhile: keep the first vector
            return
        if len(self._texts) < self._max:
            slot = len(self._texts)
            if slot == self._vectors.shape[0]:
                capacity = min(self._max, 2 * slot)
                grown = np.empty((capacity, self._vectors.shape[1]), self._vectors.dtype)
                grown[:slot] = self._vectors
                self._vectors = grown
                self._grow_bookkeeping(capacity)
            self._texts.append(text)
        else:
            slot = self._victim(now)
            del self._slot_of[self._texts[slot]]
            self._texts[slot] = text
        self._slot_of[text] = slot
        self._vectors[slot] = vector
        self._frequency[slot] = frequency
        self._last[slot] = now
        self._inserted[slot] = self._serial
        self._serial += 1

    def _grow_bookkeeping(self, capacity: int) -> None:
        n = self._frequency.shape[0]
        for name in ("_frequency", "_last", "_inserted"):
            old = getattr(self, name)
            new = np.zeros(capacity, old.dtype)
            new[:n] = old
            setattr(self, name, new)

    def _victim(self, now: float) -> int:
        n = len(self._texts)
        age = np.maximum(now - self._last[:n], 0.0)
        score = np.sqrt(self._frequency[:n].astype(np.float64)) / (1.0 + age)
        lowest = np.flatnonzero(score == score.min())
        if lowest.shape[0] == 1:
            return int(lowest[0])
        order = np.lexsort((self._inserted[lowest], self._last[lowest]))
        return int(lowest[order[0]])
