"""The pure-Python BM25 index: the reference the native index must equal."""

from __future__ import annotations

import os
import threading
from collections import Counter

import numpy as np

from .._allowed import INTEGER_IDS_NEEDED, integer_ids
from . import _common as C


class _Snapshot:
    """An immutable state of the index. Writers build a new one and swap it in, so a reader
    always sees one consistent corpus, whatever a concurrent writer does."""

    __slots__ = ("docs", "postings", "idf", "absent", "avgdl", "floor")

    def __init__(self, params, docs):
        method, k1, b, delta, epsilon = params
        self.docs = docs  # [(key, id_bytes, id, Counter-like dict term -> tf, length)]
        postings: dict[str, list[int]] = {}
        total = 0
        for number, doc in enumerate(docs):
            total += doc[4]
            for term in doc[3]:
                postings.setdefault(term, []).append(number)
        self.postings = postings
        n = len(docs)
        self.avgdl = total / n if n else 0.0
        self.idf = {t: C.idf(method, n, len(p)) for t, p in postings.items()}
        if method == "okapi":
            df_counts = Counter(len(p) for p in postings.values())
            floor = C.okapi_floor(n, df_counts, epsilon)
            self.idf = {t: (floor if w < 0.0 else w) for t, w in self.idf.items()}
        self.absent = {t: C.absent_score(method, k1, delta, w) for t, w in self.idf.items()}


class BM25Index:
    """A BM25 index over documents (shared/spec/bm25.md); see ragkernels.BM25Index."""

    def __init__(self, method="lucene", k1=None, b=None, delta=None, epsilon=None, tokenizer="word",
                 stopwords=None):
        (self.method, self.k1, self.b, self.delta, self.epsilon, self.tokenizer,
         self._stop) = C.check_params(method, k1, b, delta, epsilon, tokenizer, stopwords)
        self.stopwords = "english" if self._stop else None
        self._write_lock = threading.Lock()
        self._next_key = 0
        self._closed = False
        self._snap = _Snapshot(self._params(), [])

    def _params(self):
        return (self.method, self.k1, self.b, self.delta, self.epsilon)

    def _state(self) -> _Snapshot:
        if self._closed:
            raise ValueError("BM25Index is closed")
        return self._snap

    # ---- writing ----------------------------------------------------------------------

    def add(self, texts, ids=None, progress=False) -> None:
        """Adds documents; see ragkernels.BM25Index.add."""
        self._state()
        docs, pretokenized = C.split_documents(texts)
        ids = C.check_ids(ids, len(docs))
        error = C.documents_error(docs)
        if error is not None:
            raise error
        with self._write_lock:
            snap = self._state()
            new = []
            for i, doc in enumerate(_progress(docs, progress)):
                tokens = doc if pretokenized else C.tokenize(doc, self.tokenizer, self._stop)
                key = self._next_key + i
                ident = key if ids is None else ids[i]
                new.append((key, C.encode_id(ident), ident, dict(Counter(tokens)), len(tokens)))
            self._next_key += len(docs)
            if new:
                self._snap = _Snapshot(self._params(), snap.docs + new)

    def remove(self, ids) -> None:
        """Removes every document whose id is in `ids`; see ragkernels.BM25Index.remove."""
        self._state()
        wanted = {C.encode_id(i) for i in _id_list(ids)}
        with self._write_lock:
            snap = self._state()
            present = {doc[1] for doc in snap.docs}
            missing = [i for i in _id_list(ids) if C.encode_id(i) not in present]
            if missing:
                raise KeyError(f"unknown document id {missing[0]!r}")
            if wanted:
                self._snap = _Snapshot(self._params(), [d for d in snap.docs if d[1] not in wanted])

    # ---- reading ----------------------------------------------------------------------

    def _query_terms(self, query):
        pretokenized = C.query_kind(query)
        C.check_text("query", query)
        tokens = query if pretokenized else C.tokenize(query, self.tokenizer, self._stop)
        return C.query_terms(tokens)

    def _scores(self, snap: _Snapshot, terms):
        """Dense scores (list of float) of every document, or None when no term is known."""
        method, k1, b, delta, _ = self._params()
        known = [(t, m) for t, m in terms if t in snap.postings]
        if not known:
            return None
        known = C.canonical_order(known, lambda t: len(snap.postings[t]), len(snap.docs))
        docs, avgdl = snap.docs, snap.avgdl
        n = len(docs)
        if method in ("lucene", "okapi"):
            acc = [0.0] * n
            for term, count in known:
                w = snap.idf[term]
                for d in snap.postings[term]:
                    doc = docs[d]
                    acc[d] = acc[d] + count * C.term_score(method, k1, b, delta, w, doc[3][term], doc[4], avgdl)
            return acc
        acc = []
        for doc in docs:
            freqs, dl = doc[3], doc[4]
            total = 0.0
            for term, count in known:
                tf = freqs.get(term)
                s = snap.absent[term] if tf is None else C.term_score(method, k1, b, delta, snap.idf[term], tf, dl, avgdl)
                total = total + count * s
            acc.append(total)
        return acc

    def _top(self, snap, query, k, allowed=None):
        scores = self._scores(snap, self._query_terms(query))
        if scores is None or k == 0:
            return []
        docs = snap.docs
        ranked = sorted((d for d in range(len(scores))
                         if scores[d] > 0.0 and (allowed is None or docs[d][2] in allowed)), key=lambda d: -scores[d])
        return [(d, scores[d]) for d in ranked[:k]]

    def search(self, query, k=10, allowed=None) -> list:
        """Top-k (id, score) pairs; see ragkernels.BM25Index.search."""
        k = C.check_k(k)
        snap = self._state()
        allowed = C.check_allowed(query, allowed)
        if allowed is not None:
            if not integer_ids(d[2] for d in snap.docs):
                raise ValueError(INTEGER_IDS_NEEDED)
            allowed = set(allowed.tolist())
        return [(snap.docs[d][2], s) for d, s in self._top(snap, query, k, allowed)]

    def search_many(self, queries, k=10, threads=None):
        """(doc numbers int64 (n, k), scores float64 (n, k)); see ragkernels.BM25Index.search_many."""
        k = C.check_k(k)
        queries = _query_list(queries)
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
            raise ValueError(f"threads must be a positive int or None, got {threads!r}")
        snap = self._state()
        docs = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.zeros((len(queries), k), dtype=np.float64)
        if k == 0:
            return docs, scores  # nothing is read (as the native index, which makes no call)
        for row, query in enumerate(queries):
            for col, (d, s) in enumerate(self._top(snap, query, k)):
                docs[row, col] = d
                scores[row, col] = s
        return docs, scores

    def get_scores(self, query) -> np.ndarray:
        """Scores of every document for `query`; see ragkernels.BM25Index.get_scores."""
        snap = self._state()
        scores = self._scores(snap, self._query_terms(query))
        if scores is None:
            return np.zeros(len(snap.docs), dtype=np.float64)
        return np.array(scores, dtype=np.float64)

    @property
    def ids(self) -> list:
        """External ids of the documents, by document number."""
        return [doc[2] for doc in self._state().docs]

    def __len__(self) -> int:
        return len(self._state().docs)

    def memory_bytes(self) -> int:
        """A rough size of the index's data in bytes (postings, frequencies, lengths, ids)."""
        snap = self._state()
        postings = sum(len(p) for p in snap.postings.values())
        return 16 * postings + 40 * len(snap.docs) + sum(len(t) + 48 for t in snap.postings)

    # ---- files ------------------------------------------------------------------------

    def save(self, path) -> None:
        """Writes the index to `path` atomically; see ragkernels.BM25Index.save."""
        snap = self._state()
        data = C.encode_file(C.FileIndex(
            self.method, self.tokenizer, self._stop, self.k1, self.b, self.delta, self.epsilon,
            self._next_key, [(doc[0], doc[1], list(doc[3].items())) for doc in snap.docs]))
        _write_atomic(os.fspath(path), data)

    @classmethod
    def load(cls, path) -> "BM25Index":
        """Reads an index written by save() of either implementation."""
        path = os.fspath(path)
        with open(path, "rb") as f:
            data = f.read()
        content = C.decode_file(data, path)
        index = cls(content.method, content.k1, content.b,
                    content.delta if content.method in ("bm25l", "bm25+") else None,
                    content.epsilon if content.method == "okapi" else None,
                    content.tokenizer, "english" if content.stopwords else None)
        docs = []
        for key, id_bytes, terms in content.docs:
            ident = C.decode_id(id_bytes)
            freqs = dict(terms)
            docs.append((key, id_bytes, ident, freqs, sum(freqs.values())))
        index._next_key = content.next_key
        index._snap = _Snapshot(index._params(), docs)
        return index

    def close(self) -> None:
        """Releases the index; closing twice is harmless. A closed index raises ValueError."""
        self._closed = True
        self._snap = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self._snap.docs)} documents"
        return f"BM25Index(method={self.method!r}, tokenizer={self.tokenizer!r}, {state})"


def _id_list(ids) -> list:
    """remove() takes one id or an iterable of ids."""
    if isinstance(ids, str) or (not isinstance(ids, bool) and hasattr(ids, "__index__")):
        return [ids]
    if isinstance(ids, bytes):
        raise TypeError("ids must be str or int, got bytes")
    return list(ids)


def _query_list(queries) -> list:
    if isinstance(queries, str):
        raise TypeError("search_many() takes a sequence of queries, not a single string")
    queries = list(queries)
    for q in queries:
        C.query_kind(q)
    return queries


def _progress(docs, progress):
    if progress or (progress is None and len(docs) >= 10000):
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover - tqdm is optional
            return docs
        return tqdm(docs, desc="BM25 index", unit="doc")
    return docs


def _write_atomic(path: str, data: bytes) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename it over
    `path`, so a reader never sees a half-written index."""
    tmp = f"{path}.tmp{os.getpid()}.{threading.get_ident()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
