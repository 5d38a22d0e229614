"""python -m ragkernels.bench.hybrid_arguana: hybrid retrieval on BEIR ArguAna with a generated
MiniLM-L6-architecture model (random weights): latency per query split into embed, vector
search, BM25, fusion and total (p50/p95), and nDCG@10 of BM25-only, vector-only and hybrid.

The model's weights are random (no pretrained weights can be downloaded here), so the vector and
hybrid nDCG@10 numbers only show that the pipeline runs end to end; they say nothing about the
quality of real embeddings. Latencies do not depend on the weights, only on the architecture.

One ArguAna document = one chunk (id = its position). With --docs N (default: all 8,674) the
corpus is cut to N documents: the relevant documents of the evaluated queries first, then the
others in corpus order, so the nDCG is computed over a smaller, easier collection (the output
says so). Embedding all 8,674 documents with a 6-layer model on two busy cores takes minutes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from .bm25_arguana import find_data, load, ndcg_at_10
from .embed import DEFAULT_TOKENIZER, _model_folder

RANDOM_WEIGHTS_NOTE = ("vector-only and hybrid nDCG@10 use a MiniLM-L6 architecture with RANDOM weights: "
                       "they are meaningless as quality numbers and only show that the pipeline runs")


def _percentiles(values_ns: list[int]) -> dict:
    ordered = sorted(values_ns)
    return {"p50_us": statistics.median(ordered) / 1e3, "p95_us": ordered[int(0.95 * (len(ordered) - 1))] / 1e3}


def _subset(doc_ids, texts, qids, qrels, n_docs: int | None):
    if n_docs is None or n_docs >= len(doc_ids):
        return doc_ids, texts
    position = {d: i for i, d in enumerate(doc_ids)}
    chosen, seen = [], set()
    for qid in qids:
        for did in list(qrels[qid]) + [qid]:
            i = position.get(did)
            if i is not None and i not in seen:
                seen.add(i)
                chosen.append(i)
    for i in range(len(doc_ids)):
        if len(chosen) >= n_docs:
            break
        if i not in seen:
            seen.add(i)
            chosen.append(i)
    chosen = sorted(chosen[:max(n_docs, 0)] if len(chosen) > n_docs else chosen)
    return [doc_ids[i] for i in chosen], [texts[i] for i in chosen]


def run(args) -> dict | None:
    data = find_data(args.data)
    if data is None:
        print("ArguAna not found (../shared/data/arguana); pass --data", file=sys.stderr)
        return None
    tokenizer = Path(args.tokenizer)
    if not (tokenizer / "vocab.txt").is_file():
        print(f"the MiniLM tokenizer folder {tokenizer} is absent; pass --tokenizer", file=sys.stderr)
        return None
    import ragkernels
    from ragkernels import BM25Index, Embedder, HybridIndex, VectorIndex, rrf

    doc_ids, texts, qids, queries, qrels = load(data)
    if args.queries is not None:
        qids, queries = qids[:args.queries], queries[:args.queries]
    doc_ids, texts = _subset(doc_ids, texts, qids, qrels, args.docs)
    k, fetch_k = 10, args.fetch_k

    model = _model_folder(Path(args.cache), tokenizer)
    embedder = Embedder(model, batch_size=32, max_length=args.max_length)
    bm25 = BM25Index(method="lucene", k1=1.5, b=0.75, tokenizer="word2", stopwords="english")
    vectors = VectorIndex(embedder.dim, "cosine")
    ids = list(range(len(texts)))
    t0 = time.perf_counter()
    bm25.add(texts, ids=ids)
    bm25_build = time.perf_counter() - t0

    t0 = time.perf_counter()
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        tqdm = None
    bar = tqdm(total=len(texts), desc="embedding ArguAna documents", unit="doc") if tqdm else None
    embeddings = np.empty((len(texts), embedder.dim), np.float32)
    for start in range(0, len(texts), 256):
        block = texts[start:start + 256]
        embeddings[start:start + len(block)] = embedder.embed(block)
        if bar is not None:
            bar.update(len(block))
    if bar is not None:
        bar.close()
    embed_corpus = time.perf_counter() - t0
    vectors.add(embeddings, ids=np.arange(len(texts), dtype=np.int64))
    hybrid = HybridIndex(bm25, vectors)

    # Warm-up (first calls page in code and grow the workspaces).
    for q in queries[:5]:
        v = embedder.embed([q])[0]
        hybrid.search(q, v, k=k + 1, fetch_k=fetch_k)

    times = {name: [] for name in ("embed", "vector search", "BM25", "fusion", "hybrid call", "hybrid call (thread CPU)",
                                   "total")}
    ranked = {"BM25 only": [], "vector only": [], "hybrid": []}
    clock = time.perf_counter_ns
    for q in queries:
        t0 = clock()
        v = embedder.embed([q])[0]
        t1 = clock()
        vector_hits = vectors.search(v, fetch_k)
        t2 = clock()
        bm25_hits = bm25.search(q, fetch_k)
        t3 = clock()
        rankings = [np.fromiter((i for i, _ in bm25_hits), np.int64, len(bm25_hits)),
                    np.fromiter((i for i, _ in vector_hits), np.int64, len(vector_hits))]
        t3_fusion = clock()  # the id arrays are built outside the fusion timing
        rrf(rankings, 60, None, k + 1)
        t4 = clock()
        c4 = time.thread_time_ns()
        hits = hybrid.search(q, v, k=k + 1, fetch_k=fetch_k)  # BM25 + vectors + fusion, one native call
        t5 = clock()
        times["hybrid call (thread CPU)"].append(time.thread_time_ns() - c4)
        times["embed"].append(t1 - t0)
        times["vector search"].append(t2 - t1)
        times["BM25"].append(t3 - t2)
        times["fusion"].append(t4 - t3_fusion)
        times["hybrid call"].append(t5 - t4)
        times["total"].append((t1 - t0) + (t5 - t4))
        # k + 1 results: the query's own document is dropped before nDCG@10 (as BEIR does).
        ranked["BM25 only"].append([doc_ids[i] for i, _ in bm25_hits[:k + 1]])
        ranked["vector only"].append([doc_ids[i] for i, _ in vector_hits[:k + 1]])
        ranked["hybrid"].append([doc_ids[hit.id] for hit in hits])
    embedder.close()

    return {
        "implementation": ragkernels.implementation(),
        "documents": len(texts),
        "documents_note": "all of ArguAna" if len(texts) == 8674 else
        f"subset of {len(texts)} documents (relevant documents of the evaluated queries first): "
        "nDCG is not comparable with the full-corpus numbers",
        "queries": len(queries),
        "fetch_k": fetch_k,
        "max_length": embedder.max_length,
        "bm25": "lucene k1 1.5 b 0.75, word2 tokens, English stop words, no stemming",
        "build_s": {"bm25": bm25_build, "embed_corpus": embed_corpus},
        "latency": {name: _percentiles(values) for name, values in times.items()},
        "latency_note": "total = embed + the one-call hybrid search (BM25 + vector search + fusion in one native "
                        "call); the vector search, BM25 and fusion rows time the same steps as separate calls from "
                        "Python (each with its own FFI crossing; fusion = ragkernels.rrf on two int64 id arrays); "
                        "'thread CPU' is the calling thread's CPU time, which leaves out time spent preempted on a busy machine",
        "ndcg@10": {name: ndcg_at_10(lists, qids, qrels) for name, lists in ranked.items()},
        "ndcg_note": RANDOM_WEIGHTS_NOTE,
    }


def markdown(report: dict) -> str:
    lines = [
        f"# Hybrid retrieval on ArguAna ({report['implementation']})", "",
        f"- documents: {report['documents']:,} ({report['documents_note']}); queries: {report['queries']:,}; "
        f"fetch_k {report['fetch_k']}; embedder max_length {report['max_length']}",
        f"- BM25: {report['bm25']}",
        f"- build: BM25 {report['build_s']['bm25']:.2f} s, embedding the corpus {report['build_s']['embed_corpus']:.1f} s",
        "", "| step | p50 (µs) | p95 (µs) |", "|---|---:|---:|",
    ]
    for name, row in report["latency"].items():
        lines.append(f"| {name} | {row['p50_us']:,.1f} | {row['p95_us']:,.1f} |")
    lines += ["", report["latency_note"], "", "| ranking | nDCG@10 |", "|---|---:|"]
    for name, value in report["ndcg@10"].items():
        lines.append(f"| {name} | {value:.4f} |")
    lines += ["", f"**Note:** {report['ndcg_note']}."]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ragkernels.bench.hybrid_arguana", description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="the arguana folder (default: ../shared/data/arguana)")
    parser.add_argument("--tokenizer", default=str(DEFAULT_TOKENIZER), help="the all-MiniLM-L6-v2 tokenizer folder")
    parser.add_argument("--cache", default=str(Path.cwd() / ".cache" / "bench-models"), help="where the generated model is kept")
    parser.add_argument("--docs", type=int, default=None, help="index only this many documents (default: all 8,674)")
    parser.add_argument("--queries", type=int, default=300, help="evaluate the first N of the 1,406 queries (default 300)")
    parser.add_argument("--fetch-k", type=int, default=50, help="candidates per retriever (default 50)")
    parser.add_argument("--max-length", type=int, default=None, help="embedder tokens per text (default: the model's 256)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    report = run(args)
    if report is None:
        return 1
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
