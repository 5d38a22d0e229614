"""ragkernels.compat.rank_bm25 against rank_bm25 0.2.2's formulas, written out here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ragkernels.compat import rank_bm25 as compat

WORDS = ["w%d" % i for i in range(12)]
corpora = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=10), min_size=1, max_size=20)
queries = st.lists(st.sampled_from(WORDS + ["unknown"]), max_size=6)


def expected(corpus, query, kind, k1=1.5, b=0.75, delta=None, epsilon=0.25):
    """Per document, per query token, rank_bm25 0.2.2's expressions."""
    n = len(corpus)
    avgdl = sum(map(len, corpus)) / n
    df = {}
    for doc in corpus:
        for t in set(doc):
            df[t] = df.get(t, 0) + 1
    if kind == "okapi":
        idf = {t: math.log(n - f + 0.5) - math.log(f + 0.5) for t, f in df.items()}
        eps = epsilon * sum(idf.values()) / len(idf)
        idf = {t: eps if w < 0 else w for t, w in idf.items()}
    elif kind == "l":
        idf = {t: math.log(n + 1) - math.log(f + 0.5) for t, f in df.items()}
    else:
        idf = {t: math.log((n + 1) / f) for t, f in df.items()}
    out = []
    for doc in corpus:
        s = 0.0
        for q in query:
            tf = doc.count(q)
            w = idf.get(q, 0)
            norm = 1 - b + b * len(doc) / avgdl
            if kind == "okapi":
                s += w * (tf * (k1 + 1) / (tf + k1 * norm))
            elif kind == "l":
                ctd = tf / norm
                s += w * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)  # the published extra tf
            else:
                s += w * (delta + tf * (k1 + 1) / (k1 * norm + tf))
        out.append(s)
    return np.array(out)


@settings(max_examples=80, deadline=None)
@given(corpus=corpora, query=queries)
def test_scores_match_rank_bm25_formulas(corpus, query):
    cases = [(compat.BM25Okapi(corpus), expected(corpus, query, "okapi")),
             (compat.BM25L(corpus), expected(corpus, query, "l", delta=0.5)),
             (compat.BM25Plus(corpus, k1=1.2, b=0.5, delta=1), expected(corpus, query, "plus", k1=1.2, b=0.5, delta=1))]
    for model, want in cases:
        np.testing.assert_allclose(model.get_scores(query), want, rtol=1e-9, atol=1e-12)
        ids = list(range(0, len(corpus), 2))
        np.testing.assert_allclose(model.get_batch_scores(query, ids), want[ids], rtol=1e-9, atol=1e-12)
        docs = [f"doc{i}" for i in range(len(corpus))]
        assert model.get_top_n(query, docs, n=3) == [docs[i] for i in np.argsort(want)[::-1][:3]] or \
            np.allclose(sorted(want)[::-1][:3], [want[docs.index(d)] for d in model.get_top_n(query, docs, n=3)])


def test_attributes_like_rank_bm25():
    corpus = [["a", "b", "a"], ["b", "c"], ["d"]]
    model = compat.BM25Okapi(corpus)
    assert model.corpus_size == 3 and model.avgdl == 2.0 and model.doc_len == [3, 2, 1]
    assert model.doc_freqs == [{"a": 2, "b": 1}, {"b": 1, "c": 1}, {"d": 1}]
    assert set(model.idf) == {"a", "b", "c", "d"}
    assert isinstance(model.get_scores(["a"]), np.ndarray)
    with pytest.raises(AssertionError):
        model.get_top_n(["a"], ["only one"])
    tokenized = compat.BM25Plus(["x y", "y z"], tokenizer=str.split)
    assert tokenized.doc_freqs == [{"x": 1, "y": 1}, {"y": 1, "z": 1}]
