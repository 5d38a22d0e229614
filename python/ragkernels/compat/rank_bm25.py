"""A drop-in for rank_bm25 0.2.2: `from ragkernels.compat.rank_bm25 import BM25Okapi`.

BM25Okapi, BM25L and BM25Plus take the same constructor arguments (corpus of token lists,
tokenizer=None, k1, b, epsilon/delta), expose the same attributes (corpus_size, avgdl,
doc_len, doc_freqs, idf, and average_idf for BM25Okapi) and methods (get_scores,
get_batch_scores, get_top_n), and give the same scores within 1e-9 relative (the sums run in
another order) and the same get_top_n order. Scoring uses an inverted index in numpy: the
work per query is proportional to the postings of its terms, not to the corpus size.

BM25L reproduces the published 0.2.2 behaviour, which multiplies each term's score by an
extra term frequency (so documents without the term score 0); upstream fixed this after
0.2.2. ragkernels.BM25Index(method="bm25l") implements the corrected formula.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["BM25", "BM25Okapi", "BM25L", "BM25Plus"]


class BM25:
    """Common part: corpus statistics as rank_bm25 computes them, plus postings arrays."""

    def __init__(self, corpus, tokenizer=None):
        self.corpus_size = 0
        self.avgdl = 0
        self.doc_freqs = []
        self.idf = {}
        self.doc_len = []
        self.tokenizer = tokenizer
        if tokenizer:
            corpus = [tokenizer(doc) for doc in corpus]
        nd = self._initialize(corpus)
        self._calc_idf(nd)
        self._build_postings()

    def _initialize(self, corpus):
        nd = {}
        num_doc = 0
        for document in corpus:
            self.doc_len.append(len(document))
            num_doc += len(document)
            frequencies = {}
            for word in document:
                frequencies[word] = frequencies.get(word, 0) + 1
            self.doc_freqs.append(frequencies)
            for word in frequencies:
                nd[word] = nd.get(word, 0) + 1
            self.corpus_size += 1
        self.avgdl = num_doc / self.corpus_size  # ZeroDivisionError on an empty corpus, as rank_bm25
        return nd

    def _build_postings(self):
        docs: dict[str, list[int]] = {}
        tfs: dict[str, list[int]] = {}
        for number, frequencies in enumerate(self.doc_freqs):
            for word, tf in frequencies.items():
                docs.setdefault(word, []).append(number)
                tfs.setdefault(word, []).append(tf)
        self._postings = {w: (np.array(d, dtype=np.int64), np.array(tfs[w], dtype=np.float64)) for w, d in docs.items()}
        self._doc_len = np.array(self.doc_len, dtype=np.float64)

    def _calc_idf(self, nd):
        raise NotImplementedError()

    def _term(self, tf, dl, w):
        raise NotImplementedError()

    def _absent(self, w):
        return 0.0

    def _add_term(self, score, q, rows=None):
        w = self.idf.get(q) or 0
        posting = self._postings.get(q)
        absent = self._absent(w)
        if absent:
            score += absent
        if posting is None:
            return
        docs, tf = posting
        if rows is None:
            score[docs] += self._term(tf, self._doc_len[docs], w) - absent
        else:
            where = np.searchsorted(docs, rows)
            where[where >= len(docs)] = 0
            hit = docs[where] == rows
            if hit.any():
                score[hit] += self._term(tf[where[hit]], self._doc_len[rows[hit]], w) - absent

    def get_scores(self, query):
        score = np.zeros(self.corpus_size)
        for q in query:
            self._add_term(score, q)
        return score

    def get_batch_scores(self, query, doc_ids):
        assert all(di < len(self.doc_freqs) for di in doc_ids)
        rows = np.asarray(doc_ids, dtype=np.int64).reshape(-1)
        score = np.zeros(len(rows))
        for q in query:
            self._add_term(score, q, rows)
        return score.tolist()

    def get_top_n(self, query, documents, n=5):
        assert self.corpus_size == len(documents), "The documents given don't match the index corpus!"
        scores = self.get_scores(query)
        top_n = np.argsort(scores)[::-1][:n]
        return [documents[i] for i in top_n]


class BM25Okapi(BM25):
    """rank_bm25.BM25Okapi: Robertson idf, negative idfs floored at epsilon × mean idf."""

    def __init__(self, corpus, tokenizer=None, k1=1.5, b=0.75, epsilon=0.25):
        self.k1 = k1
        self.b = b
        self.epsilon = epsilon
        super().__init__(corpus, tokenizer)

    def _calc_idf(self, nd):
        idf_sum = 0
        negative_idfs = []
        for word, freq in nd.items():
            idf = math.log(self.corpus_size - freq + 0.5) - math.log(freq + 0.5)
            self.idf[word] = idf
            idf_sum += idf
            if idf < 0:
                negative_idfs.append(word)
        self.average_idf = idf_sum / len(self.idf)
        eps = self.epsilon * self.average_idf
        for word in negative_idfs:
            self.idf[word] = eps

    def _term(self, tf, dl, w):
        return w * (tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * dl / self.avgdl)))


class BM25L(BM25):
    """rank_bm25 0.2.2 BM25L, including its extra term-frequency factor (see the module doc)."""

    def __init__(self, corpus, tokenizer=None, k1=1.5, b=0.75, delta=0.5):
        self.k1 = k1
        self.b = b
        self.delta = delta
        super().__init__(corpus, tokenizer)

    def _calc_idf(self, nd):
        for word, freq in nd.items():
            self.idf[word] = math.log(self.corpus_size + 1) - math.log(freq + 0.5)

    def _term(self, tf, dl, w):
        ctd = tf / (1 - self.b + self.b * dl / self.avgdl)
        return w * tf * (self.k1 + 1) * (ctd + self.delta) / (self.k1 + ctd + self.delta)


class BM25Plus(BM25):
    """rank_bm25.BM25Plus: every document scores idf × delta for a known query term."""

    def __init__(self, corpus, tokenizer=None, k1=1.5, b=0.75, delta=1):
        self.k1 = k1
        self.b = b
        self.delta = delta
        super().__init__(corpus, tokenizer)

    def _calc_idf(self, nd):
        for word, freq in nd.items():
            self.idf[word] = math.log((self.corpus_size + 1) / freq)

    def _absent(self, w):
        return w * self.delta

    def _term(self, tf, dl, w):
        return w * (self.delta + (tf * (self.k1 + 1)) / (self.k1 * (1 - self.b + self.b * dl / self.avgdl) + tf))
