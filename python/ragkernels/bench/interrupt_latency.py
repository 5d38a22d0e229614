"""python -m ragkernels.bench.interrupt_latency: how fast Ctrl-C is honoured by the long native
operations (issue 7, item 7), and what cutting them into slices costs.

For each operation (sized to take about a second here):

- latency: a timer thread sends SIGINT to the main thread at a random moment during the
  operation and notes the time; the main thread notes when KeyboardInterrupt arrives. Median and
  max over --repeats runs, with the library's slicing and cancellable calls ("sliced"), with
  slicing but every native call made directly ("sliced, not cancellable": Ctrl-C waits for the
  call under way), and with each sliced pass forced into one direct native call ("one call",
  what an unsliced implementation does).
- throughput: the whole operation timed the three ways, alternating, median of --repeats each;
  the cost of slicing is sliced / one call - 1, that of cancellable calls (a worker thread per
  call) sliced / sliced-not-cancellable - 1.

Needs the native library. The embedding row needs the `onnx` package and the all-MiniLM-L6-v2
tokenizer (../shared/data/minilm-tokenizer); it uses a generated model of MiniLM-L6's shape
(random weights: speed depends on the shape only), with batch_size 32 (the default) and 8.
Data: ../shared/data/arguana.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from .. import _slices
from .bm25_arguana import find_data


@contextlib.contextmanager
def no_cancel():
    """Long native calls made directly, not cancellable from a worker thread (Ctrl-C then
    waits for the call's end: the behaviour before cancellable calls)."""
    real = _slices.cancellable

    def direct(call, flag, on_cancel=None):
        return call()

    _slices.cancellable = direct
    try:
        yield
    finally:
        _slices.cancellable = real


@contextlib.contextmanager
def one_call():
    """Every sliced pass as one native call, not cancellable (the behaviour without slicing)."""
    real = _slices.slices

    def whole(total, *args, **kwargs):
        yield 0, total

    _slices.slices = whole
    try:
        with no_cancel():
            yield
    finally:
        _slices.slices = real


@contextlib.contextmanager
def counting(counter: list):
    real = _slices.slices

    def counted(total, *args, **kwargs):
        for part in real(total, *args, **kwargs):
            counter[0] += 1
            yield part

    _slices.slices = counted
    try:
        yield
    finally:
        _slices.slices = real


def _interrupt_once(operation, duration: float, rng: random.Random) -> float | None:
    """Seconds from SIGINT to KeyboardInterrupt, or None when the operation ended first."""
    main = threading.main_thread().ident
    sent = []
    delay = rng.uniform(0.15, max(0.2, 0.7 * duration))

    def fire():
        time.sleep(delay)
        sent.append(time.perf_counter())
        signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=fire, daemon=True)
    thread.start()
    try:
        operation()
        # Finished before the signal: wait for it so it does not hit the next run.
        thread.join()
        time.sleep(0.01)
    except KeyboardInterrupt:
        arrived = time.perf_counter()
        thread.join()
        return arrived - sent[0] if sent else None
    return None


def _time(operation) -> float:
    began = time.perf_counter()
    operation()
    return time.perf_counter() - began


MODES = {"one call": one_call, "sliced, no cancel": no_cancel, "sliced": contextlib.nullcontext}


def measure(name: str, operation, repeats: int, rng: random.Random) -> dict:
    operation()  # warm up
    times = {mode: [] for mode in MODES}
    for _ in range(repeats):  # A/B/C alternating
        for mode, context in MODES.items():
            with context():
                times[mode].append(_time(operation))
    count = [0]
    with counting(count):
        operation()
    duration = statistics.median(times["sliced"])
    latency = {mode: [] for mode in MODES}
    for _ in range(repeats):
        for mode, context in MODES.items():
            with context():
                value = _interrupt_once(operation, duration, rng)
            if value is not None:
                latency[mode].append(value)
    row = {"operation": name, "sliced_s": duration, "one_call_s": statistics.median(times["one call"]),
           "no_cancel_s": statistics.median(times["sliced, no cancel"]), "slices": count[0],
           "sliced_all": times["sliced"], "one_call_all": times["one call"], "no_cancel_all": times["sliced, no cancel"]}
    row["cost"] = row["sliced_s"] / row["one_call_s"] - 1.0
    row["cancel_cost"] = row["sliced_s"] / row["no_cancel_s"] - 1.0
    for mode, values in latency.items():
        row[f"latency_{mode}"] = values
    return row


def _ms(values: list) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values) * 1e3:.0f} / {max(values) * 1e3:.0f}"


def _corpus(data: Path) -> tuple[list, list]:
    with gzip.open(data / "corpus.jsonl.gz", "rt", encoding="utf-8") as f:
        docs = [(row.get("title", "") + " " + row["text"]).strip() for row in map(json.loads, f)]
    with gzip.open(data / "queries.jsonl.gz", "rt", encoding="utf-8") as f:
        queries = [row["text"] for row in map(json.loads, f)]
    return docs, queries


def operations(data: Path | None, scale: float):
    """(name, zero-argument callable) pairs; each call takes roughly a second here."""
    from .. import _native

    if _native.lib is None:
        raise SystemExit(f"the native library is not available: {_native.load_error}")
    from ..bm25._native import BM25Index
    from ..signals import _native as signals
    from ..vector._native import VectorIndex

    rng = np.random.default_rng(1)
    if data is None:
        words = [f"w{i}" for i in range(5000)]
        docs = [" ".join(words[j] for j in rng.integers(0, 5000, 120)) for _ in range(8000)]
        queries = [" ".join(words[j] for j in rng.integers(0, 5000, 12)) for _ in range(1400)]
    else:
        docs, queries = _corpus(data)

    def n(value):
        return max(1, int(value * scale))

    build_docs = docs * n(3)
    target = BM25Index()

    def bm25_add():
        index = BM25Index()
        index.add(build_docs)
        index.close()

    yield f"BM25Index.add ({len(build_docs):,} ArguAna documents, new index)", bm25_add
    target.add(docs)
    many = queries * n(4)
    yield f"BM25Index.search_many ({len(many):,} queries, k=10, all cores)", lambda: target.search_many(many, k=10)

    vectors = VectorIndex(384)
    vectors.add(rng.standard_normal((100_000, 384)).astype(np.float32))
    probes = rng.standard_normal((n(384), 384)).astype(np.float32)
    yield f"VectorIndex.search_many ({len(probes):,} queries, 100,000 x 384, k=10)", lambda: vectors.search_many(probes, k=10)

    sentences = [d[:300] for d in docs]
    pairs = n(400_000)
    claims = (sentences * (pairs // len(sentences) + 1))[:pairs]
    sources = claims[1:] + claims[:1]
    yield f"traceability_batch ({pairs:,} pairs)", lambda: signals.traceability_batch(claims, sources)

    for batch_size in (32, 8):
        embedder = _embedder(batch_size)
        if embedder is not None:
            texts = docs[: n(96)]
            yield (f"Embedder.embed ({len(texts):,} ArguAna documents, MiniLM-L6 shape, max_length 128, "
                   f"batch_size {batch_size})"), lambda: embedder.embed(texts)


def _embedder(batch_size: int):
    tokenizer = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "minilm-tokenizer"
    if not (tokenizer / "vocab.txt").is_file():
        tokenizer = Path("/work/shared/data/minilm-tokenizer")
    try:
        from . import _bert_model
        from ..embed._native import Embedder
    except ImportError as error:
        print(f"(embed skipped: {error})", file=sys.stderr)
        return None
    if not (tokenizer / "vocab.txt").is_file():
        print("(embed skipped: no minilm-tokenizer)", file=sys.stderr)
        return None
    folder = Path(tempfile.mkdtemp(prefix="rk-interrupt-model-"))
    _bert_model.write_folder(folder, tokenizer, _bert_model.MINILM_L6, 1, max_seq_length=128)
    return Embedder(folder, batch_size=batch_size)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per measurement (default 7)")
    parser.add_argument("--scale", type=float, default=1.0, help="input size factor (default 1)")
    parser.add_argument("--data", help="the ArguAna folder (default ../shared/data/arguana)")
    parser.add_argument("--only", help="run only operations whose name contains this")
    parser.add_argument("--json", help="also write the raw numbers here")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    rng = random.Random(7)
    rows = []
    print(f"slice target {_slices.TARGET_SECONDS * 1e3:.0f} ms, growth x{_slices.GROWTH:g}; {args.repeats} runs each")
    print("| operation | one call (s) | sliced (s) | slicing cost | cancellable calls' cost | slices "
          "| Ctrl-C latency, one call (ms, median / max) | sliced, not cancellable | sliced (as shipped) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, operation in operations(find_data(args.data), args.scale):
        if args.only and args.only.lower() not in name.lower():
            continue
        row = measure(name, operation, args.repeats, rng)
        rows.append(row)
        spread = f"{min(row['sliced_all']) / max(row['one_call_all']) - 1:+.1%}..{max(row['sliced_all']) / min(row['one_call_all']) - 1:+.1%}"
        print(f"| {name} | {row['one_call_s']:.3f} | {row['sliced_s']:.3f} | {row['cost']:+.1%} ({spread}) "
              f"| {row['cancel_cost']:+.1%} | {row['slices']} | {_ms(row['latency_one call'])} "
              f"| {_ms(row['latency_sliced, no cancel'])} | {_ms(row['latency_sliced'])} |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
