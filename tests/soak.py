"""Soak test (issue 7), outside the default suite: `./build.sh soak` (or python tests/soak.py).

1. Threads: 8 Python threads for RAGKERNELS_SOAK_SECONDS (default 30) hammer every kernel:
   the pair signals and their batches, trend_drop and a TrendWindow per thread, searches of a
   shared BM25 index while a writer thread keeps adding and removing a fixed batch of
   documents, searches of a shared VectorIndex while another writer adds and removes vectors,
   and rrf. Every result is checked against a reference computed beforehand with the
   pure-Python twins (a BM25 search must equal the reference of one of the two states the
   writer moves between; the churned vectors point away from every query, so vector results
   never change).
2. Memory: RSS after a warm-up, then after 1,000,000 calls of each signal and 100,000 BM25
   searches; each must stay within 5 % of the post-warm-up figure.
3. GIL: the same CPU-bound native work (traceability of ~12 KB texts) on 1 thread and split
   over 2 threads, in alternating rounds; the median speed-up must be >= 1.6 (meaningful only on
   an otherwise idle machine with >= 2 cores). (That the GIL is released at
   all is also tested without timing in tests/test_fastcall.py.)
Prints every number; exits 1 if a check fails.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import numpy as np

import ragkernels
from ragkernels import bm25, signals, vector
from ragkernels.bm25 import _py as bm25_py
from ragkernels.signals import _py as signals_py

SECONDS = float(os.environ.get("RAGKERNELS_SOAK_SECONDS", "30"))
THREADS = 8
SIGNAL_CALLS = int(os.environ.get("RAGKERNELS_SOAK_SIGNAL_CALLS", "1000000"))
BM25_SEARCHES = int(os.environ.get("RAGKERNELS_SOAK_BM25_SEARCHES", "100000"))
failures: list[str] = []


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def check(condition: bool, message: str) -> None:
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)


PAIRS = [("Paris rose 42% in 2024, said Anna Schmidt.", "In 2024 Paris rose 42%, according to Anna Schmidt."),
         ("The drug is not effective.", "The drug is effective in 3 of 4 trials."),
         ("Revenue fell to $1,200 million.", "Revenue rose to $1.3 billion in Berlin."),
         ("", "Nothing here"), ("naïve café Zürich", "Zürich café")]
BASE_DOCS = [f"document {i} about fox {i % 7} and paris {i % 11} river {i % 5}" for i in range(400)]
CHURN_DOCS = [f"fox {i % 7} churn paris extra words {i}" for i in range(40)]
QUERIES = [f"fox {i % 7} paris {i % 11}" for i in range(30)]


def references():
    ref = {"pairs": [(signals_py.entity_overlap(a, b), signals_py.numerical_consistency(a, b),
                      signals_py.negation_flip(a, b), signals_py.traceability(a, b)) for a, b in PAIRS]}
    states = []
    for docs in (BASE_DOCS, BASE_DOCS + CHURN_DOCS):
        index = bm25_py.BM25Index()
        index.add(docs, ids=list(range(len(docs))))
        states.append([index.search(q, k=5) for q in QUERIES])
    ref["bm25"] = states
    return ref


def thread_soak(ref) -> None:
    stop = 0.0  # set just before the threads start, so the setup below does not eat into the 30 s
    counts = [0] * THREADS
    errors: list[str] = []
    shared = bm25.BM25Index()
    shared.add(BASE_DOCS, ids=list(range(len(BASE_DOCS))))
    rng = np.random.default_rng(5)
    base = np.abs(rng.standard_normal((300, 16))).astype(np.float32)  # all-positive directions
    vectors = vector.VectorIndex(dim=16)
    vectors.add(base)
    queries = np.abs(rng.standard_normal((20, 16))).astype(np.float32)
    vector_ref = [vectors.search(q, k=5) for q in queries]
    churn_vectors = -np.abs(rng.standard_normal((50, 16))).astype(np.float32)  # never near a query

    def bm25_writer():
        ids = list(range(len(BASE_DOCS), len(BASE_DOCS) + len(CHURN_DOCS)))
        while time.monotonic() < stop:
            shared.add(CHURN_DOCS, ids=ids)
            shared.remove(ids)
            counts[0] += 2

    def vector_writer():
        while time.monotonic() < stop:
            added = vectors.add(churn_vectors)
            vectors.remove(added)

    def worker(t):
        window = signals.TrendWindow(5)
        n = 0
        while time.monotonic() < stop:
            i = n % len(PAIRS)
            a, b = PAIRS[i]
            got = (signals.entity_overlap(a, b), signals.numerical_consistency(a, b), signals.negation_flip(a, b),
                   signals.traceability(a, b))
            if got != ref["pairs"][i]:
                errors.append(f"pair {i}: {got} != {ref['pairs'][i]}")
            batch = signals.traceability_batch([a] * 64, [b] * 64)
            if not np.all(batch == ref["pairs"][i][3]):
                errors.append(f"traceability_batch {i}")
            window.push(0.9 - 0.1 * (n % 9))
            q = n % len(QUERIES)
            result = shared.search(QUERIES[q], k=5)
            if result != ref["bm25"][0][q] and result != ref["bm25"][1][q]:
                errors.append(f"bm25 query {q}: {result}")
            v = n % len(queries)
            if vectors.search(queries[v], k=5) != vector_ref[v]:
                errors.append(f"vector query {v}")
            if n % 50 == 0:
                docs, _ = shared.search_many(QUERIES, k=5, threads=2)
                fused = vector.rrf([[1, 2, 3], [3, 2]], k=60)
                if [i for i, _ in fused] != [3, 2, 1]:
                    errors.append(f"rrf {fused}")
            n += 1
        counts[t] += n

    threads = [threading.Thread(target=bm25_writer), threading.Thread(target=vector_writer)]
    threads += [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    start = time.monotonic()
    stop = start + SECONDS
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    calls = sum(counts)
    print(f"threads: {THREADS} workers + 2 writers for {elapsed:.1f} s, {calls:,} loop iterations "
          f"(each: 4 pair signals, a 64-pair batch, a window push, a BM25 and a vector search), "
          f"{len(errors)} wrong results", flush=True)
    check(elapsed >= SECONDS, "the soak ended early")
    check(not errors, f"wrong results under concurrency: {errors[:5]}")
    shared.close()
    vectors.close()


def memory_soak() -> None:
    a, b = PAIRS[0]
    window = signals.TrendWindow(8)
    values = np.array([0.9, 0.8, 0.5, 0.4])
    calls = {
        "trend_drop": lambda: signals.trend_drop(values),
        "TrendWindow.push": lambda: window.push(0.5),
        "entity_overlap": lambda: signals.entity_overlap(a, b),
        "numerical_consistency": lambda: signals.numerical_consistency(a, b),
        "negation_flip": lambda: signals.negation_flip(a, b),
        "traceability": lambda: signals.traceability(a, b),
    }
    index = bm25.BM25Index()
    index.add(BASE_DOCS)
    calls["BM25 search"] = lambda: index.search(QUERIES[3], k=5)
    for name, fn in calls.items():
        n = BM25_SEARCHES if name == "BM25 search" else SIGNAL_CALLS
        for _ in range(n // 10):  # warm-up
            fn()
        before = rss_bytes()
        start = time.perf_counter()
        for _ in range(n):
            fn()
        seconds = time.perf_counter() - start
        after = rss_bytes()
        change = (after - before) / before
        print(f"memory: {name:22s} {n:>9,} calls in {seconds:5.1f} s; RSS {before / 2**20:7.1f} MiB -> "
              f"{after / 2**20:7.1f} MiB ({change:+.2%})", flush=True)
        check(abs(change) <= 0.05, f"{name}: RSS moved {change:+.2%} over {n:,} calls")
    index.close()


def gil_scaling() -> None:
    # ~12 KB texts: far above the 4 KB from which the fastcall path releases the GIL, and small
    # enough that each thread's working set (texts, lowered copies, word set) fits in its core's
    # L2. (With ~130 KB texts the figure ranged 1.1-1.7x from run to run here.)
    claim = " ".join(f"Anna{i} said revenue rose {i}% in Berlin{i % 50}" for i in range(300))
    source = " ".join(f"Berlin{i % 50} revenue rose {i}% per Anna{i}" for i in range(300))
    rounds = 8000
    signals.traceability(claim, source)

    def run(n):
        for _ in range(n):
            signals.traceability(claim, source)

    def one_thread():
        start = time.perf_counter()
        run(rounds)
        return time.perf_counter() - start

    def two_threads():
        threads = [threading.Thread(target=run, args=(rounds // 2,)) for _ in range(2)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - start

    # This VM's single-thread speed is bimodal from one second to the next (~0.17 or ~0.28 s
    # here for the same work), so 1 and 2 threads are timed in alternating rounds and the
    # medians compared.
    ones, twos = [], []
    for _ in range(7):
        ones.append(one_thread())
        twos.append(two_threads())
    one, two = sorted(ones)[3], sorted(twos)[3]
    speedup = one / two
    print(f"GIL: {rounds} traceability calls on ~12 KB texts, 7 alternating rounds: 1 thread {one:.3f} s, "
          f"2 threads {two:.3f} s (medians), speed-up {speedup:.2f}x; per-round speed-ups "
          f"{', '.join(f'{a / b:.2f}' for a, b in zip(ones, twos))} (cores: {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.2f})", flush=True)
    check(speedup >= 1.6, f"2 threads are only {speedup:.2f}x faster than 1")


def main() -> int:
    print(f"ragkernels {ragkernels.__version__}, implementation {ragkernels.implementation()}", flush=True)
    ref = references()
    thread_soak(ref)
    memory_soak()
    gil_scaling()
    print("soak:", "OK" if not failures else f"{len(failures)} failure(s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
