"""python -m ragkernels.bench.bm25_arguana: BM25 on the BEIR ArguAna collection.

Reports, per configuration: index build time, single-query median/p95 (search from Python,
FFI included, k = 11 so that 10 remain after dropping the query's own document),
search_many queries/s on 1 and 2 threads, index memory, and nDCG@10 with each query's own
document removed (as BEIR does). When rank_bm25 or bm25s are importable (e.g. through
PYTHONPATH), they run on the same data in the same run and the ratios are printed; when not,
the report says so.

Data: --data, else ../shared/data/arguana relative to the current folder or to the package
source (see shared/data/README.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np


def find_data(explicit: str | None) -> Path | None:
    candidates = [Path(explicit)] if explicit else [
        Path.cwd().parent / "shared" / "data" / "arguana",
        Path.cwd() / ".." / "shared" / "data" / "arguana",
        Path(__file__).resolve().parents[3].parent / "shared" / "data" / "arguana",
        Path("/work/shared/data/arguana"),
    ]
    for path in candidates:
        if (path / "corpus.jsonl.gz").is_file():
            return path.resolve()
    return None


def load(path: Path):
    """(doc ids, doc texts = title + " " + text, query ids, query texts, qrels {qid: {did: rel}})."""
    doc_ids, texts = [], []
    with gzip.open(path / "corpus.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            doc_ids.append(d["_id"])
            texts.append(d.get("title", "") + " " + d["text"])
    qrels: dict[str, dict[str, int]] = {}
    with open(path / "test.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            qid, did, score = line.rstrip("\n").split("\t")
            qrels.setdefault(qid, {})[did] = int(score)
    queries = {}
    with gzip.open(path / "queries.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            if q["_id"] in qrels:
                queries[q["_id"]] = q["text"]
    qids = [q for q in qrels if q in queries]
    return doc_ids, texts, qids, [queries[q] for q in qids], qrels


def ndcg_at_10(ranked: list[list[str]], qids: list[str], qrels) -> float:
    """Mean nDCG@10 (linear gain, as pytrec_eval) after dropping each query's own document."""
    total = 0.0
    for qid, docs in zip(qids, ranked):
        docs = [d for d in docs if d != qid][:10]
        rel = qrels[qid]
        dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(docs))
        ideal = sorted((r for r in rel.values() if r > 0), reverse=True)[:10]
        idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
        total += dcg / idcg if idcg > 0 else 0.0
    return total / len(qids)


def timed(call, repeat=1, cpu=False):
    """(result, best wall seconds) or, with cpu=True, (result, best wall, best process CPU
    seconds): on a machine shared with other work the CPU time of a one-thread run is the
    steadier measure."""
    wall, used = [], []
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = call()
        wall.append(time.perf_counter() - t0)
        used.append(time.process_time() - c0)
    return (result, min(wall), min(used)) if cpu else (result, min(wall))


def per_query_times(search, queries) -> tuple[float, float]:
    times = []
    for q in queries:
        t0 = time.perf_counter_ns()
        search(q)
        times.append(time.perf_counter_ns() - t0)
    times.sort()
    return statistics.median(times) / 1e3, times[int(0.95 * (len(times) - 1))] / 1e3


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


CONFIGS = [
    ("default (lucene k1=1.2, word)", dict(method="lucene")),
    ("word2 + stop words (lucene k1=1.2)", dict(method="lucene", tokenizer="word2", stopwords="english")),
    ("word2 + stop words, k1=1.5 (bm25s defaults, no stemmer)",
     dict(method="lucene", k1=1.5, tokenizer="word2", stopwords="english")),
]


def run_ragkernels(module, label, kwargs, doc_ids, texts, qids, queries, qrels, python_subset: int | None):
    out = {"config": label, "implementation": module.__name__.rsplit(".", 1)[-1].lstrip("_")}
    before = rss_mb()
    index, build = timed(lambda: _build(module, kwargs, texts, doc_ids))
    out["build_s"] = build
    out["rss_delta_mb"] = rss_mb() - before
    out["memory_mb"] = index.memory_bytes() / 2**20
    sample = queries if python_subset is None else queries[:python_subset]
    out["queries_timed"] = len(sample)
    out["single_median_us"], out["single_p95_us"] = per_query_times(lambda q: index.search(q, k=11), sample)
    if python_subset is None:
        # 1 and 2 threads in alternating rounds: this VM's speed drifts within seconds, and a
        # 2/1 ratio of two separate best-of runs measured that drift (1.4-1.9 on one build).
        # Rates are the best round's; the 2/1 scaling is the median of each round's own ratio.
        best = {1: math.inf, 2: math.inf}
        best_cpu, ratios = math.inf, []
        for _ in range(15):
            round_seconds = {}
            for threads in (1, 2):
                _, seconds, cpu = timed(lambda: index.search_many(queries, k=11, threads=threads), cpu=True)
                round_seconds[threads] = seconds
                best[threads] = min(best[threads], seconds)
                if threads == 1:
                    best_cpu = min(best_cpu, cpu)
            ratios.append(round_seconds[1] / round_seconds[2])
        out["many_qps_1"], out["many_qps_2"] = len(queries) / best[1], len(queries) / best[2]
        out["many_qps_1_cpu"] = len(queries) / best_cpu
        out["many_scaling"] = statistics.median(ratios)
        docs, _ = index.search_many(queries, k=11)
        ranked = [[doc_ids[d] for d in row if d >= 0] for row in docs.tolist()]
        out["ndcg10"] = ndcg_at_10(ranked, qids, qrels)
    index.close()
    return out


def _build(module, kwargs, texts, doc_ids):
    index = module.BM25Index(**kwargs)
    index.add(texts, ids=doc_ids)
    return index


def run_bm25s(texts, doc_ids, qids, queries, qrels, native=None):
    try:
        import bm25s
    except ImportError as error:
        return {"skipped": f"bm25s not importable ({error})"}
    out = {}
    try:
        import numba  # noqa: F401
        backend = "numba"
    except ImportError:
        backend = "numpy"
    out["backend"] = backend
    corpus_tokens, tok_s = timed(lambda: bm25s.tokenize(texts, stopwords="en", show_progress=False))
    retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75, backend=backend)
    _, index_s = timed(lambda: retriever.index(corpus_tokens, show_progress=False))
    out["build_s"] = tok_s + index_s
    query_tokens, qtok_s = timed(lambda: bm25s.tokenize(queries, stopwords="en", show_progress=False))
    kw = dict(k=11, show_progress=False, n_threads=1)
    retriever.retrieve(query_tokens, **kw)  # numba compiles on the first call
    (results, _), seconds, cpu = timed(lambda: retriever.retrieve(query_tokens, **kw), repeat=7, cpu=True)
    out["retrieve_qps_1"] = len(queries) / seconds
    out["retrieve_qps_1_cpu"] = len(queries) / cpu
    out["tokenize_and_retrieve_qps_1"] = len(queries) / (seconds + qtok_s)
    ranked = [[doc_ids[d] for d in row] for row in np.asarray(results).tolist()]
    out["ndcg10"] = ndcg_at_10(ranked, qids, qrels)
    # Head to head: the two alternate, round after round, so both see the same machine load;
    # the best round of each counts.
    if native is not None:
        index = native.BM25Index(method="lucene", k1=1.5, tokenizer="word2", stopwords="english")
        index.add(texts, ids=doc_ids)
        ours, theirs = [], []
        for _ in range(9):
            t0 = time.perf_counter()
            index.search_many(queries, k=11, threads=1)
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            retriever.retrieve(query_tokens, **kw)
            theirs.append(time.perf_counter() - t0)
        index.close()
        out["alternating_ragkernels_qps_1"] = len(queries) / min(ours)
        out["alternating_bm25s_qps_1"] = len(queries) / min(theirs)
    return out


def run_rank_bm25(texts, doc_ids, qids, queries, qrels, subset: int):
    try:
        import rank_bm25
    except ImportError as error:
        return {"skipped": f"rank_bm25 not importable ({error})"}
    from ragkernels.compat import rank_bm25 as compat
    from ragkernels.bm25._common import tokenize

    tokens = [tokenize(t, "word2", True) for t in texts]
    qtokens = [tokenize(q, "word2", True) for q in queries[:subset]]
    out = {"queries_timed": subset}
    for name, module in (("rank_bm25", rank_bm25), ("compat", compat)):
        model, build = timed(lambda: module.BM25Okapi(tokens))
        times = []
        for q in qtokens:
            t0 = time.perf_counter()
            model.get_top_n(q, doc_ids, n=11)
            times.append(time.perf_counter() - t0)
        out[f"{name}_build_s"] = build
        out[f"{name}_median_ms"] = statistics.median(times) * 1e3
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ragkernels.bench.bm25_arguana", description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="the arguana folder (default: ../shared/data/arguana)")
    parser.add_argument("--python-queries", type=int, default=100, help="queries timed on the pure-Python twin")
    parser.add_argument("--rank-bm25-queries", type=int, default=20, help="queries timed on rank_bm25")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--quick", action="store_true", help="native only, k1=1.5 word2 + stop words, no peers")
    args = parser.parse_args(argv)
    path = find_data(args.data)
    if path is None:
        print("ArguAna not found (pass --data); nothing to measure", file=sys.stderr)
        return 2
    import ragkernels
    from ragkernels.bm25 import _py

    doc_ids, texts, qids, queries, qrels = load(path)
    print(f"ArguAna: {len(texts)} documents, {len(queries)} queries; ragkernels {ragkernels.__version__}, "
          f"implementation {ragkernels.implementation()}")
    report = {"documents": len(texts), "queries": len(queries), "ragkernels": []}
    modules = []
    if ragkernels.implementation() == "native":
        from ragkernels.bm25 import _native
        modules.append(_native)
    for label, kwargs in CONFIGS[-1:] if args.quick else CONFIGS:
        for module in modules:
            report["ragkernels"].append(run_ragkernels(module, label, kwargs, doc_ids, texts, qids, queries, qrels, None))
        if not args.quick:
            report["ragkernels"].append(run_ragkernels(_py, label, kwargs, doc_ids, texts, qids, queries, qrels, args.python_queries))
    skip = {"skipped": "not run (--quick)"}
    report["bm25s"] = skip if args.quick else run_bm25s(texts, doc_ids, qids, queries, qrels, modules[0] if modules else None)
    report["rank_bm25"] = skip if args.quick else run_rank_bm25(texts, doc_ids, qids, queries, qrels, args.rank_bm25_queries)

    loadavg = open("/proc/loadavg").read().split()[:3]
    print(f"\nload average during the run: {' '.join(loadavg)} (the machine may be shared; compare within one run)")
    print("\n| configuration | impl | build s | memory MB (RSS Δ) | single median µs | p95 µs | many q/s 1 thr (CPU) | many q/s 2 thr | 2/1 (median of alternating rounds) | nDCG@10 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in report["ragkernels"]:
        many1, many2 = r.get("many_qps_1"), r.get("many_qps_2")
        one = f"{many1:,.0f} ({r['many_qps_1_cpu']:,.0f})" if many1 else "-"
        two = f"{many2:,.0f}" if many2 else "-"
        scaling = f"{r['many_scaling']:.2f}" if many1 else "-"
        print(f"| {r['config']} | {r['implementation']} | {r['build_s']:.3f} | {r['memory_mb']:.1f} ({r['rss_delta_mb']:.0f}) | "
              f"{r['single_median_us']:.1f} | {r['single_p95_us']:.1f} | "
              f"{one} | {two} | "
              f"{scaling} | {r.get('ndcg10', float('nan')):.5f} |")
    b = report["bm25s"]
    if "skipped" in b:
        print(f"\nbm25s: {b['skipped']}")
    else:
        print(f"\nbm25s ({b['backend']}, lucene k1=1.5 b=0.75, stopwords=en, no stemmer): build {b['build_s']:.3f} s, "
              f"retrieve {b['retrieve_qps_1']:,.0f} q/s on 1 thread ({b['retrieve_qps_1_cpu']:,.0f} by CPU time; "
              f"tokenize + retrieve {b['tokenize_and_retrieve_qps_1']:,.0f}), "
              f"nDCG@10 {b['ndcg10']:.5f}")
        same = [r for r in report["ragkernels"] if r["config"].startswith("word2 + stop words, k1=1.5") and "many_qps_1" in r]
        if same:
            r = same[0]
            single_qps = 1e6 / r["single_median_us"]
            print(f"ragkernels vs bm25s, same configuration: search_many 1 thread {r['many_qps_1'] / b['retrieve_qps_1']:.2f}× "
                  f"by wall time, {r['many_qps_1_cpu'] / b['retrieve_qps_1_cpu']:.2f}× by CPU time, "
                  f"single search() calls {single_qps / b['retrieve_qps_1']:.2f}× (nDCG@10 {r['ndcg10']:.5f} vs {b['ndcg10']:.5f})")
    if "alternating_bm25s_qps_1" in b:
        ours, theirs = b["alternating_ragkernels_qps_1"], b["alternating_bm25s_qps_1"]
        print(f"head to head, alternating rounds, 1 thread, k=11: ragkernels search_many {ours:,.0f} q/s "
              f"(tokenizing included), bm25s retrieve {theirs:,.0f} q/s (pre-tokenized): {ours / theirs:.2f}×")
    r = report["rank_bm25"]
    if "skipped" in r:
        print(f"rank_bm25: {r['skipped']}")
    else:
        print(f"rank_bm25 BM25Okapi (word2 + stop words, {r['queries_timed']} queries): build {r['rank_bm25_build_s']:.2f} s, "
              f"get_top_n median {r['rank_bm25_median_ms']:.1f} ms; ragkernels.compat.rank_bm25: build {r['compat_build_s']:.2f} s, "
              f"median {r['compat_median_ms']:.2f} ms ({r['rank_bm25_median_ms'] / r['compat_median_ms']:.0f}× faster)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
