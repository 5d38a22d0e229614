"""Top-k searches that the native index prunes (Bm25MaxScore.cs: the long postings of common
terms are skipped for documents that cannot reach the top k) give exactly the full evaluation:
the same documents, in the same order, with bit-identical scores.

Pruning happens on lucene/okapi indexes with long queries (it is tried when 5 distinct terms
remain) over corpora with both rare and very common terms, so the corpora here are
Zipf-like and the queries long. The expected values come from a full evaluation written here,
independently of the package: every document's total summed term by term in the canonical order
(terms in fewer than 1/16 of the documents as they first occur in the query, then the others by
ascending document frequency, ties in order of first occurrence; each term once, weighted by its
count; indexes of fewer than 128 documents keep the order of first occurrence), then a stable
sort.
"""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

PARAMS = {"lucene": (1.2, 0.75, 0.25), "okapi": (1.5, 0.75, 0.25)}


def full_evaluation(docs_tokens, query_tokens, method, k1=None):
    """Every document's score, lucene/okapi formulas in the spec's operation order."""
    default_k1, b, epsilon = PARAMS[method]
    k1 = default_k1 if k1 is None else k1
    n = len(docs_tokens)
    counts = [Counter(d) for d in docs_tokens]
    dl = [len(d) for d in docs_tokens]
    avgdl = sum(dl) / n
    df = Counter(t for c in counts for t in c)
    if method == "lucene":
        idf = {t: math.log((n - f + 0.5) / (f + 0.5) + 1.0) for t, f in df.items()}
    else:
        raw = {t: math.log(n - f + 0.5) - math.log(f + 0.5) for t, f in df.items()}
        # The mean over the vocabulary, summed per document frequency in ascending order (the
        # spec's rule that keeps it independent of the order terms arrived in).
        per_df = Counter(df.values())
        total = 0.0
        for f in sorted(per_df):
            total += per_df[f] * (math.log(n - f + 0.5) - math.log(f + 0.5))
        floor = epsilon * (total / len(raw))
        idf = {t: (floor if w < 0.0 else w) for t, w in raw.items()}
    first = {}
    for t in query_tokens:
        if t in df:
            first.setdefault(t, len(first))
    qcount = Counter(query_tokens)
    # Canonical order: terms in fewer than n/16 documents as they first occur, then the others
    # by (document frequency, first occurrence).
    # Indexes of fewer than 128 documents keep the order of first occurrence.
    order = sorted(first, key=lambda t: (0, 0, first[t]) if 16 * df[t] < n or n < 128 else (1, df[t], first[t]))
    scores = []
    for d in range(n):
        total = 0.0
        for t in order:
            tf = counts[d].get(t, 0)
            if tf:
                if method == "lucene":
                    s = idf[t] * (tf * (k1 + 1.0)) / (tf + k1 * ((1.0 - b) + (b * dl[d]) / avgdl))
                else:
                    s = idf[t] * ((tf * (k1 + 1.0)) / (tf + k1 * ((1.0 - b) + (b * dl[d]) / avgdl)))
                total = total + qcount[t] * s
        scores.append(total)
    return scores


def top_k(scores, k):
    ranked = sorted((d for d in range(len(scores)) if scores[d] > 0.0), key=lambda d: -scores[d])
    return [(d, scores[d]) for d in ranked[:k]]


def zipf_corpus(rng, docs, vocabulary=300, lengths=(5, 60)):
    words = [f"w{i}" for i in range(vocabulary)]

    def pick():
        return words[min(vocabulary - 1, int(math.exp(rng.random() * math.log(vocabulary + 1))) - 1)]

    corpus = [[pick() for _ in range(rng.randint(*lengths))] for _ in range(docs)]
    return corpus, pick


def long_query(rng, pick, low, high):
    """Distinct words as after stop-word removal (common words once: what lets the native index
    prune, as its own test checks), then the first few again (counts of 2)."""
    words = list(dict.fromkeys(pick() for _ in range(rng.randint(low, high))))
    return words + words[: rng.randint(0, 3)]


def check(index, docs_tokens, queries, method, ks, k1=None, ids=None):
    n = len(docs_tokens)
    ids = list(range(n)) if ids is None else ids
    for q in queries:
        scores = full_evaluation(docs_tokens, q, method, k1)
        for k in ks:
            expected = top_k(scores, k)
            assert index.search(q, k=k) == [(ids[d], s) for d, s in expected]
        # get_scores keeps the full evaluation, in the same order: bit-identical too.
        assert index.get_scores(q).tobytes() == np.array(scores, dtype=np.float64).tobytes()
    for k in ks:
        docs, got = index.search_many(queries, k=k)
        for row, q in enumerate(queries):
            expected = top_k(full_evaluation(docs_tokens, q, method, k1), k)
            width = min(k, n)
            want_docs = [d for d, _ in expected] + [-1] * (width - len(expected))
            want_scores = [s for _, s in expected] + [0.0] * (width - len(expected))
            assert docs[row, :width].tolist() == want_docs
            assert got[row, :width].tobytes() == np.array(want_scores, dtype=np.float64).tobytes()


@pytest.mark.parametrize("method", ["lucene", "okapi"])
def test_long_queries_on_a_zipf_corpus(bm25, method):
    rng = random.Random(5)
    corpus, pick = zipf_corpus(rng, 700)
    queries = [long_query(rng, pick, 20, 150) for _ in range(12)]
    index = bm25.BM25Index(method=method)
    index.add(corpus)
    check(index, corpus, queries, method, (1, 2, 10, 11, 60))


def test_duplicate_documents_tie_at_the_boundary(bm25):
    """Every document three times: the k-th place is a tie, broken by insertion order."""
    rng = random.Random(8)
    unique, pick = zipf_corpus(rng, 250)
    corpus = unique * 3
    queries = [long_query(rng, pick, 30, 120) for _ in range(8)]
    index = bm25.BM25Index(method="lucene", k1=1.5)
    index.add(corpus)
    check(index, corpus, queries, "lucene", (1, 2, 3, 4, 5, 10), k1=1.5)


def test_text_queries_with_word2_and_stop_words(bm25):
    """Text queries through the tokenizer (what ArguAna runs): the same as the reference on
    the tokens Python's re gives."""
    from ragkernels.bm25._common import tokenize

    rng = random.Random(3)
    corpus, pick = zipf_corpus(rng, 600)
    stop = ["the", "and", "of", "to", "is"]
    texts = [" ".join(w if rng.random() > 0.2 else rng.choice(stop) for w in doc) + " X!" for doc in corpus]
    queries = [" ".join(long_query(rng, pick, 40, 200)) + " the and of" for _ in range(6)]
    index = bm25.BM25Index(method="lucene", tokenizer="word2", stopwords="english")
    index.add(texts)
    docs_tokens = [tokenize(t, "word2", True) for t in texts]
    for q in queries:
        expected = top_k(full_evaluation(docs_tokens, tokenize(q, "word2", True), "lucene"), 11)
        assert index.search(q, k=11) == expected


def test_after_add_and_remove(bm25):
    """Maximum posting scores follow the corpus: after adds and removes, still exact."""
    rng = random.Random(13)
    corpus, pick = zipf_corpus(rng, 900)
    queries = [long_query(rng, pick, 30, 100) for _ in range(6)]
    index = bm25.BM25Index(method="lucene")
    index.add(corpus[:300], ids=list(range(300)))
    index.add(corpus[300:], ids=list(range(300, 900)))
    index.remove(list(range(0, 900, 3)))
    kept = [i for i in range(len(corpus)) if i % 3]
    check(index, [corpus[i] for i in kept], queries, "lucene", (1, 10), ids=kept)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), docs=st.integers(100, 400), vocabulary=st.integers(20, 400),
       method=st.sampled_from(["lucene", "okapi"]), k=st.sampled_from([1, 3, 10, 39]))
def test_random_zipf_corpora(py_bm25, native_bm25, seed, docs, vocabulary, method, k):
    rng = random.Random(seed)
    corpus, pick = zipf_corpus(rng, docs, vocabulary, (1, 40))
    queries = [long_query(rng, pick, 1, 80) for _ in range(2)] + [[pick() for _ in range(rng.randint(1, 80))]]
    for module in (py_bm25, native_bm25):
        index = module.BM25Index(method=method)
        index.add(corpus)
        check(index, corpus, queries, method, (k,))


@pytest.mark.parametrize("docs", [150, 400])
def test_many_long_terms(bm25, docs):
    """Queries with more than 64 common terms (the native index sorts those with a full sort
    rather than an insertion sort) and duplicate tokens: still the canonical order, exactly."""
    rng = random.Random(docs)
    words = [f"v{i}" for i in range(100)]
    corpus = [[rng.choice(words[: rng.randint(20, 100)]) for _ in range(rng.randint(10, 80))] for _ in range(docs)]
    queries = []
    for _ in range(4):
        q = words[:]
        rng.shuffle(q)
        queries.append(q + q[:10])
    index = bm25.BM25Index(method="lucene")
    index.add(corpus)
    check(index, corpus, queries, "lucene", (1, 5, 10))
