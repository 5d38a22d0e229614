"""python -m ragkernels.bench.embed: the embedding benchmark (issue 4).

A model with exactly the all-MiniLM-L6-v2 architecture (6 layers, hidden 384, 12 heads,
intermediate 1536, vocabulary 30,522; random weights, fixed seed) is generated once into an
ignored cache folder (.cache/bench-models/) next to a copy of the real tokenizer
(../shared/data/minilm-tokenizer). Reported: sentences/s at batch 1 and 32 for short (12-word)
and paragraph (120-word) texts, p50/p95 per batch, the share of time outside ONNX Runtime's
Run (tokenization, padding, pooling, FFI), peak RSS, and the C# tokenizer's tokens/s on one
core. Skips, saying why, when the tokenizer data, onnx or an Embedder implementation is absent.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from . import _report
from ._embed_texts import corpus
from ._timing import percentile

SEED = 1234
DEFAULT_TOKENIZER = Path.cwd().parent / "shared" / "data" / "minilm-tokenizer"


def _model_folder(cache: Path, tokenizer_dir: Path) -> Path:
    from . import _bert_model

    folder = cache / f"minilm-l6-random-seed{SEED}"
    if not (folder / "onnx" / "model.onnx").is_file():
        _report.progress(f"generating the MiniLM-L6 architecture model into {folder}")
        _bert_model.write_folder(folder, tokenizer_dir, _bert_model.MINILM_L6, SEED)
    return folder


def _measure(embedder, texts: list, batch: int, calls: int) -> dict:
    """Times `calls` embed() calls of `batch` texts each (different texts per call)."""
    for i in range(2):  # warm-up: ORT's first runs allocate its arena and plan
        embedder.embed(texts[i * batch:(i + 1) * batch])
    totals, runs = [], []
    for i in range(calls):
        start = (i * batch) % max(1, len(texts) - batch)
        chunk = texts[start:start + batch]
        t0 = time.perf_counter_ns()
        embedder.embed(chunk)
        totals.append(time.perf_counter_ns() - t0)
        runs.append(getattr(embedder, "last_run_ns", 0))
    ordered = sorted(totals)
    median_ms = percentile(ordered, 50) / 1e6
    outside = 1.0 - sum(runs) / sum(totals) if sum(runs) else float("nan")
    # Per call, the time outside Run in microseconds: robust to a busy machine, where a few
    # descheduled calls can dominate the sum-based share.
    outside_us = sorted((t - r) / 1e3 for t, r in zip(totals, runs))
    return {"batch": batch, "calls": calls, "p50_ms": median_ms, "p95_ms": percentile(ordered, 95) / 1e6,
            "sentences_per_s": batch / (median_ms / 1e3), "outside_run_share": outside,
            "outside_run_p50_us": percentile(outside_us, 50)}


def _tokenizer_speed(tokenizer_dir: Path) -> dict | None:
    """The C# tokenizer alone on one thread: pieces per second over the paragraph workload."""
    from .. import _native

    if _native.lib is None:
        return None
    from ..embed._native import Tokenizer

    ffi, lib = _native.ffi, _native.lib
    text = corpus(1, 120)[0]
    tokenizer = Tokenizer(tokenizer_dir)
    pieces = len(tokenizer.encode_batch([text], 100000)[0]) - 2
    tokenizer.close()
    name = b"embed.tokenize (paragraph)"
    count = 3000
    times = ffi.new("double[]", count)
    status = lib.rk_bench_kernel(name, len(name), 300, times, count)
    if status:
        return None
    ordered = sorted(times)
    median_ns = percentile(ordered, 50)
    return {"pieces_per_call": pieces, "median_us": median_ns / 1e3,
            "tokens_per_s_per_core": pieces / (median_ns / 1e9)}


def run(args) -> dict | None:
    tokenizer_dir = Path(args.tokenizer)
    if not (tokenizer_dir / "vocab.txt").is_file():
        print(f"skipped: the all-MiniLM-L6-v2 tokenizer is absent ({tokenizer_dir})", file=sys.stderr)
        return None
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("skipped: the onnx package (python3-onnx) is needed to generate the benchmark model", file=sys.stderr)
        return None
    from .. import Embedder, implementation

    folder = _model_folder(Path(args.cache), tokenizer_dir)
    try:
        embedder = Embedder(folder, batch_size=32, threads=args.threads)
    except ImportError as error:
        print(f"skipped: no Embedder implementation can run here: {error}", file=sys.stderr)
        return None
    short = corpus(2000, 12, seed=1)
    paragraphs = corpus(600, 120, seed=2)
    rows = []
    plan = [("short (12 words)", short, 1, args.calls_b1), ("short (12 words)", short, 32, args.calls_b32),
            ("paragraph (120 words)", paragraphs, 1, args.calls_b1 // 2), ("paragraph (120 words)", paragraphs, 32, max(3, args.calls_b32 // 3))]
    for label, texts, batch, calls in plan:
        _report.progress(f"embed {label} batch {batch}")
        row = _measure(embedder, texts, batch, calls)
        row["texts"] = label
        rows.append(row)
    embedder.close()
    return {"header": _report.header(), "implementation": implementation(), "model": str(folder),
            "threads": args.threads or "ORT default", "rows": rows,
            "tokenizer": _tokenizer_speed(tokenizer_dir),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def markdown(report: dict) -> str:
    head = report["header"]
    lines = [
        f"Embeddings: ragkernels {head['package_version']} ({head['git_commit']}), implementation "
        f"{report['implementation']}; {head['cpu']}, {head['cores']} cores; {head['date']}",
        "",
        "Model: all-MiniLM-L6-v2 architecture (6 layers, hidden 384, 12 heads, intermediate 1536), random "
        f"weights (seed {SEED}), max_seq_length 256, mean pooling, normalised; ORT intra-op threads: {report['threads']}.",
        "",
        "| texts | batch | calls | p50 ms/batch | p95 ms/batch | sentences/s | time outside ORT Run (share of total) "
        "| outside Run, p50 µs/call |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["rows"]:
        lines.append(f"| {r['texts']} | {r['batch']} | {r['calls']} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | "
                     f"{r['sentences_per_s']:,.0f} | {100 * r['outside_run_share']:.2f}% | {r['outside_run_p50_us']:,.0f} |")
    lines += ["", f"Peak RSS: {report['peak_rss_mb']:.0f} MB."]
    tok = report.get("tokenizer")
    if tok:
        lines.append(f"C# tokenizer, one thread, 120-word paragraph ({tok['pieces_per_call']} pieces): median "
                     f"{tok['median_us']:.1f} µs per call = {tok['tokens_per_s_per_core'] / 1e6:.2f} M tokens/s per core.")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ragkernels.bench.embed", description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", default=str(DEFAULT_TOKENIZER), help="the all-MiniLM-L6-v2 tokenizer folder")
    parser.add_argument("--cache", default=str(Path.cwd() / ".cache" / "bench-models"), help="where the generated model is kept")
    parser.add_argument("--threads", type=int, default=None, help="ORT intra-op threads (default: ORT's)")
    parser.add_argument("--calls-b1", type=int, default=200, help="timed calls at batch 1")
    parser.add_argument("--calls-b32", type=int, default=30, help="timed calls at batch 32")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default benchmarks/results/<machine>)")
    args = parser.parse_args(argv)
    report = run(args)
    if report is None:
        return 0
    text = markdown(report)
    print(text)
    folder = args.out or Path.cwd() / "benchmarks" / "results" / _report.machine_slug(report["header"])
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{report['header']['date'][:10]}-{report['header']['git_commit']}-embed"
    (folder / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (folder / f"{stem}.md").write_text(text + "\n")
    print(f"\nwritten: {folder / stem}.json, .md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
