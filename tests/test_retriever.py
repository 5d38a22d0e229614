"""Retriever (issue 6): chunk -> embed -> index -> hybrid search with cited spans, metadata
filters, and one-file save/load.

The hybrid end-to-end test uses a tiny generated BERT (random weights, python3-onnx) with the
real all-MiniLM-L6-v2 tokenizer folder, as tests/test_embed.py does, and checks the results
against an independent pipeline written here: ragkernels.chunk, the Embedder, numpy cosine
ranks, BM25 ranks, and the RRF formula.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from conftest import FORCED_PYTHON, SHARED_DATA, native_lib

import ragkernels
from ragkernels import BM25Index, Retriever, chunk

TOKENIZER_DIR = SHARED_DATA / "minilm-tokenizer"

DOCS = [
    "Solar panels convert sunlight into electricity. They work best facing south. "
    "Cleaning the panels twice a year keeps their output high, and modern inverters track the maximum power point.",
    "Wind turbines turn the kinetic energy of moving air into electricity through a generator in the nacelle.",
    "Bread needs flour, water, salt and yeast. Knead the dough, let it rise, then bake it until golden.",
    "Electric cars store electricity in batteries; charging at home overnight is cheapest for most drivers.",
    "A sourdough starter replaces yeast: flour and water ferment for days before the bread dough is mixed.",
]
IDS = ["solar", "wind", "bread", "cars", "sourdough"]
META = [{"topic": "energy", "year": 2020}, {"topic": "energy", "year": 2021}, {"topic": "food", "year": 2020},
        {"topic": "energy", "year": 2022}, {"topic": "food", "year": 2023}]


def check_citations(results, docs_by_id):
    for r in results:
        assert r.text == docs_by_id[r.doc_id][r.start:r.end]
        assert r.text


# ---- BM25-only (no model) --------------------------------------------------------------------

@pytest.fixture()
def bm25_retriever():
    r = Retriever(chunk_size=12, chunk_overlap=3)
    r.add(DOCS, ids=IDS, metadata=META)
    yield r
    r.close()


def expected_bm25_only(query, k, allowed_docs=None, size=12, overlap=3):
    """Independent: chunk every document, rank the chunks with a fresh BM25Index, then RRF with
    one list (score 1 / (60 + rank))."""
    chunks = [(doc_id, c) for doc_id, text in zip(IDS, DOCS) for c in chunk(text, size, overlap)]
    index = BM25Index()
    index.add([c.text for _, c in chunks])
    ranked = [i for i, _ in index.search(query, k=len(chunks))
              if allowed_docs is None or chunks[i][0] in allowed_docs][:max(50, k)]
    return [(chunks[i][0], chunks[i][1].start, chunks[i][1].end, 1 / (60 + rank), rank)
            for rank, i in enumerate(ranked, 1)][:k]


def test_bm25_only_results_and_citations(bm25_retriever):
    results = bm25_retriever.search("flour water yeast bread", k=4)
    assert [(r.doc_id, r.start, r.end, r.score, r.bm25_rank) for r in results] == \
        expected_bm25_only("flour water yeast bread", 4)
    assert all(r.vector_rank is None for r in results)
    check_citations(results, dict(zip(IDS, DOCS)))
    assert bm25_retriever.model_dir is None and len(bm25_retriever) == 5


def test_where_excludes_before_top_k(bm25_retriever):
    results = bm25_retriever.search("electricity", k=3, where={"topic": "energy", "year": [2021, 2022]})
    assert {r.doc_id for r in results} <= {"wind", "cars"}
    assert [(r.doc_id, r.start, r.end, r.score, r.bm25_rank) for r in results] == \
        expected_bm25_only("electricity", 3, {"wind", "cars"})
    assert bm25_retriever.search("electricity", where={"topic": "sports"}) == []
    assert bm25_retriever.search("electricity", where={"missing": 1}) == []
    assert bm25_retriever.search("electricity", where={}) == bm25_retriever.search("electricity")
    with pytest.raises(TypeError):
        bm25_retriever.search("electricity", where=[("topic", "energy")])


def test_add_checks_and_continues_ids():
    with Retriever(chunk_size=5, chunk_overlap=1) as r:
        r.add(["one two three"])
        r.add(["four five"], metadata=[{"k": "v"}])
        assert [x.doc_id for x in r.search("five")] == [1]
        with pytest.raises(ValueError, match="already in use"):
            r.add(["again"], ids=[0])
        with pytest.raises(TypeError):
            r.add("a single string")
        with pytest.raises(ValueError):
            r.add(["a", "b"], ids=[7])
        with pytest.raises(TypeError):
            r.add(["a"], metadata=[{"k": object()}])
        assert len(r) == 2 and r.chunk_count == 2  # failed adds added nothing
    with pytest.raises(ValueError, match="closed"):
        r.search("five")


def test_save_load_round_trip_bm25_only(bm25_retriever, tmp_path):
    path = tmp_path / "r.rkr"
    bm25_retriever.save(path)
    bm25_retriever.save(path)  # over an existing file
    assert sorted(os.listdir(tmp_path)) == ["r.rkr"]  # no temporary file left behind
    with Retriever.load(path) as loaded:
        for query, where in (("bread dough", None), ("electricity", {"topic": "energy"})):
            assert loaded.search(query, k=5, where=where) == bm25_retriever.search(query, k=5, where=where)
        loaded.add(["turbine blades and wind farms"], ids=["farms"], metadata=[{"topic": "energy"}])
        assert "farms" in {r.doc_id for r in loaded.search("wind turbines", k=10)}


@pytest.mark.parametrize("damage", ["flip", "truncate", "magic", "empty", "version"])
def test_corrupt_files_are_refused(bm25_retriever, tmp_path, damage):
    path = tmp_path / "r.rkr"
    bm25_retriever.save(path)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x40
    elif damage == "truncate":
        data = data[:-7]
    elif damage == "magic":
        data[0:4] = b"XXXX"
    elif damage == "empty":
        data = bytearray()
    else:
        data[8] = 99
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a valid ragkernels retriever file"):
        Retriever.load(path)


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        Retriever.load(tmp_path / "absent.rkr")


# ---- hybrid with a tiny generated BERT ---------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    if not (TOKENIZER_DIR / "vocab.txt").is_file():
        pytest.skip(f"the tokenizer folder {TOKENIZER_DIR} is absent")
    if importlib.util.find_spec("onnx") is None:
        pytest.skip("python3-onnx is needed to generate the test model")
    if FORCED_PYTHON or ragkernels.implementation() == "python":
        if importlib.util.find_spec("onnxruntime") is None:
            pytest.skip("the Python Embedder needs the onnxruntime package, which is not installed")
    else:
        native_lib()
    from ragkernels.bench import _bert_model

    folder = tmp_path_factory.mktemp("retriever-bert")
    _bert_model.write_folder(folder, TOKENIZER_DIR, _bert_model.Architecture(hidden=32, layers=2, heads=4,
                                                                             intermediate=64), 7)
    return folder


def test_hybrid_end_to_end_matches_an_independent_pipeline(tiny_model, tmp_path):
    size, overlap = 12, 3
    with Retriever(tiny_model, chunk_size=size, chunk_overlap=overlap, fetch_k=8) as r:
        r.add(DOCS, ids=IDS, metadata=META)
        query = "how do solar panels make electricity"
        results = r.search(query, k=6)

        # Independent: chunks, embeddings through a separate Embedder, numpy cosine ranks,
        # BM25 ranks from a fresh index, RRF by the formula.
        chunks = [(doc_id, c) for doc_id, text in zip(IDS, DOCS) for c in chunk(text, size, overlap)]
        with ragkernels.Embedder(tiny_model) as embedder:
            vectors = embedder.embed([c.text for _, c in chunks]).astype(np.float64)
            q = embedder.embed([query])[0].astype(np.float64)
        cosine = vectors @ q / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(q))
        vector_order = [int(i) for i in np.argsort(-cosine, kind="stable")[:8]]
        index = BM25Index()
        index.add([c.text for _, c in chunks])
        bm25_order = [i for i, _ in index.search(query, k=8)]
        scores = {}
        for order in (bm25_order, vector_order):
            for rank, i in enumerate(order, 1):
                scores[i] = scores.get(i, 0.0) + 1 / (60 + rank)
        best = sorted(scores, key=lambda i: -scores[i])[:6]

        # Cosine in float64 here vs float32 in the index: compare the sets of chunks and the
        # scores to 1e-12, not the order of near-equal vector scores.
        assert {(res.doc_id, res.start, res.end) for res in results} == \
            {(chunks[i][0], chunks[i][1].start, chunks[i][1].end) for i in best}
        assert sorted(res.score for res in results) == pytest.approx(sorted(scores[i] for i in best), rel=1e-12)
        assert any(res.vector_rank is not None for res in results)
        check_citations(results, dict(zip(IDS, DOCS)))

        filtered = r.search(query, k=6, where={"topic": "food"})
        assert filtered and {res.doc_id for res in filtered} <= {"bread", "sourdough"}

        path = tmp_path / "hybrid.rkr"
        r.save(path)
        with Retriever.load(path) as loaded:
            assert loaded.model_dir == os.fspath(tiny_model)
            assert loaded.search(query, k=6) == results
            assert loaded.search(query, k=6, where={"topic": "food"}) == filtered
        with Retriever.load(path, model_dir=tiny_model) as loaded:
            assert loaded.search(query, k=6) == results


def test_hybrid_progress_bar_on_large_batches(tiny_model, capsys):
    pytest.importorskip("tqdm")
    with Retriever(tiny_model, chunk_size=4, chunk_overlap=0) as r:
        r.add([" ".join(f"w{i}" for i in range(1200))])  # 300 chunks: above the 256-chunk threshold
        assert r.chunk_count == 300
        assert "embedding chunks" in capsys.readouterr().err
