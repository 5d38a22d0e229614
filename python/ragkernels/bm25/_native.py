"""The BM25 index through libragkernels. Same API, results and errors as _py.py."""

from __future__ import annotations

import os
import threading
import weakref

import numpy as np

from .._native import bind_fastcall, ffi, lib, raise_for
from .._native._handle import HandleOwner
from .._allowed import buffer_of
from .. import _slices
from . import _common as C
from ._py import _id_list, _query_list

if lib is None:  # pragma: no cover - the dispatcher never imports this module then
    raise ImportError("libragkernels is not loaded")

_from_buffer = ffi.from_buffer
_new = ffi.new
_unpack = ffi.unpack
_NULL = ffi.NULL
_search = lib.rk_bm25_search
_SMALL_K = 4096
_BUFFER_K = 64
_buffers = threading.local()
# Documents in the first (probe) slice of an add; an add of at most this many is one call.
_ADD_PROBE = 256
# Queries in the first slice of search_many; at most this many are one call.
_QUERY_PROBE = 64
# The fastcall extension's search (ragkernels._native._fastcall.bm25_search): a str query
# without filter, k <= 64, answered in C with the list built there. None means "take the cffi
# path" (closed index, other query kinds, big k, a non-zero status: the path raises as before).
# Its search_many (bm25_search_many): str queries handed over as each str's own bytes (no
# encode/join/offsets in Python), False meaning the same.
_fastcall = bind_fastcall(["rk_bm25_search", "rk_bm25_search_many_spans"])
_fast_search = _fastcall.bm25_search if _fastcall is not None else None
_fast_search_many = _fastcall.bm25_search_many if _fastcall is not None else None


def _offsets(lengths) -> np.ndarray:
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    if lengths:
        np.cumsum(lengths, out=out[1:])
    return out


def _utf8(query) -> bytes:
    """A str query's UTF-8; the twin's ValueError for one with a lone surrogate."""
    try:
        return query.encode("utf-8")
    except UnicodeEncodeError:
        raise C.text_error("query", query) from None


def _query_error(queries) -> ValueError:
    """The twin's ValueError for the first query that cannot be encoded (called when encoding failed)."""
    for query in queries:
        error = C.text_error("query", query)
        if error is not None:
            return error
    raise AssertionError("no query has a lone surrogate")  # pragma: no cover - called after a failure


def _query_arguments(query):
    """(UTF-8 text, token offsets pointer, token count) of a str query or a list of str tokens;
    the twin's TypeError or ValueError for anything else."""
    if type(query) is str:
        return _utf8(query), _NULL, 0
    C.query_kind(query)
    try:
        text, token_offsets, _ = _encode_tokens([query])
    except UnicodeEncodeError:
        raise _query_error([query]) from None
    return text, _from_buffer("int64_t[]", token_offsets), len(query)


def _encode_tokens(token_lists):
    """One UTF-8 buffer of every token, the token byte offsets, and each list's token range."""
    encoded = [t.encode("utf-8") for tokens in token_lists for t in tokens]
    return b"".join(encoded), _offsets([len(t) for t in encoded]), _offsets([len(tokens) for tokens in token_lists])


class BM25Index(HandleOwner):
    """A BM25 index over documents (shared/spec/bm25.md); see ragkernels.BM25Index."""

    def __init__(self, method="lucene", k1=None, b=None, delta=None, epsilon=None, tokenizer="word",
                 stopwords=None, *, _handle=None):
        if _handle is None:
            (self.method, self.k1, self.b, self.delta, self.epsilon, self.tokenizer,
             stop) = C.check_params(method, k1, b, delta, epsilon, tokenizer, stopwords)
            handle = _new("uint64_t*")
            status = lib.rk_bm25_create(C.METHOD_CODES[self.method], self.k1, self.b, self.delta, self.epsilon,
                                        C.TOKENIZER_CODES[self.tokenizer], 1 if stop else 0, handle)
            if status:
                raise_for(status)
            self._handle = handle[0]
            self._next_key = 0
        else:
            self._handle = _handle
        self._finalizer = weakref.finalize(self, lib.rk_bm25_free, self._handle)
        self._write_lock = threading.Lock()
        # key -> external id, filled before the library sees the key, never pruned while open,
        # so a search on any snapshot finds the ids of its keys; id bytes -> keys for remove().
        self._id_of_key: dict[int, object] = {}
        self._keys_of_id: dict[bytes, list[int]] = {}
        if _handle is None:
            self.stopwords = "english" if stop else None

    def _h(self) -> int:
        handle = self._handle
        if not handle:
            raise ValueError("BM25Index is closed")
        return handle

    def _raise(self, status):
        if not self._handle:
            raise ValueError("BM25Index is closed")
        raise_for(status)

    # ---- writing ----------------------------------------------------------------------

    def add(self, texts, ids=None, progress=False) -> None:
        """Adds documents; see ragkernels.BM25Index.add.

        All or nothing: a large add runs as slices of about 50 ms (staged in the library, not
        yet visible to searches) and publishes them in one last call, so Ctrl-C is honoured
        between slices; an exception (KeyboardInterrupt included) before that last call drops
        the staged documents, leaving the index exactly as before the call (documents, ids,
        next default id), as the pure-Python twin does.
        """
        self._h()
        docs, pretokenized = C.split_documents(texts)
        ids = C.check_ids(ids, len(docs))
        if not docs:
            return
        bar = None
        if progress or (progress is None and len(docs) >= 10000):
            try:
                from tqdm import tqdm

                bar = tqdm(total=len(docs), desc="BM25 index", unit="doc")
            except ImportError:  # pragma: no cover - tqdm is optional
                bar = None
        try:
            with self._write_lock:
                self._add_locked(docs, ids, pretokenized, bar)
        except UnicodeEncodeError:
            # A lone surrogate: nothing was added (see above); the twin's error, found the twin's way.
            raise C.documents_error(docs) from None
        finally:
            if bar is not None:
                bar.close()

    def _add_locked(self, docs, ids, pretokenized, bar):
        handle = self._h()
        first = self._next_key
        idents = list(range(first, first + len(docs))) if ids is None else ids
        encoded_ids = [C.encode_id(i) for i in idents]
        id_of_key = self._id_of_key
        # Filled before the library sees a key (a search must find the id of any key it returns).
        id_of_key.update(zip(range(first, first + len(docs)), idents))
        staging = len(docs) > _ADD_PROBE
        if staging:
            call, parts = lib.rk_bm25_add_staged, _slices.slices(len(docs), _ADD_PROBE)
        else:
            call, parts = lib.rk_bm25_add, [(0, len(docs))]  # small: one call, nothing to stage
        done = False
        try:
            for start, stop in parts:
                status = self._add_call(call, handle, docs[start:stop], encoded_ids[start:stop], first + start,
                                        pretokenized)
                if status:
                    self._raise(status)
                if bar is not None:
                    bar.update(stop - start)
            if staging:
                staged = _new("int64_t*")
                status = lib.rk_bm25_commit(handle, 1, staged)  # one rebuild of the scores
                if status:
                    self._raise(status)
            done = True
        finally:
            # On an exception (Ctrl-C included), drop what is staged. The library's next key
            # then tells whether the documents went in after all: a KeyboardInterrupt that
            # arrived during the publishing call is raised after it, with the add complete.
            if not done and self._handle:
                if staging:
                    lib.rk_bm25_commit(handle, 0, _new("int64_t*"))
                done = self._library_next_key(handle) == first + len(docs)
            if done:
                self._next_key = first + len(docs)
                keys_of_id = self._keys_of_id
                for key, data in enumerate(encoded_ids, first):
                    keys_of_id.setdefault(data, []).append(key)
            else:
                for key in range(first, first + len(docs)):
                    id_of_key.pop(key, None)

    @staticmethod
    def _library_next_key(handle) -> int:
        method, params, tokenizer, stop, next_key = (_new("int32_t*"), _new("double[4]"), _new("int32_t*"),
                                                     _new("int32_t*"), _new("int64_t*"))
        status = lib.rk_bm25_info(handle, method, params, tokenizer, stop, next_key)
        return next_key[0] if status == lib.RK_OK else -1

    @staticmethod
    def _add_call(call, handle, docs, encoded_ids, first, pretokenized):
        keys = np.arange(first, first + len(docs), dtype=np.int64)
        if pretokenized:
            text, token_offsets, starts = _encode_tokens(docs)
            tokens_ptr, token_count = _from_buffer("int64_t[]", token_offsets), len(token_offsets) - 1
        else:
            parts = [d.encode("utf-8") for d in docs]
            text, starts = b"".join(parts), _offsets([len(p) for p in parts])
            tokens_ptr, token_count = _NULL, 0
        id_bytes = b"".join(encoded_ids)
        id_offsets = _offsets([len(i) for i in encoded_ids])
        return call(handle, text, len(text), _from_buffer("int64_t[]", starts), len(docs), tokens_ptr, token_count,
                    id_bytes, len(id_bytes), _from_buffer("int64_t[]", id_offsets), _from_buffer("int64_t[]", keys))

    def remove(self, ids) -> None:
        """Removes every document whose id is in `ids`; see ragkernels.BM25Index.remove."""
        self._h()
        wanted = [(i, C.encode_id(i)) for i in _id_list(ids)]
        with self._write_lock:
            handle = self._h()
            for ident, data in wanted:
                if data not in self._keys_of_id:
                    raise KeyError(f"unknown document id {ident!r}")
            keys = sorted({key for _, data in wanted for key in self._keys_of_id[data]})
            if not keys:
                return
            removed = _new("int64_t*")
            status = lib.rk_bm25_remove(handle, _from_buffer("int64_t[]", np.array(keys, dtype=np.int64)), len(keys), removed)
            if status:
                self._raise(status)
            for _, data in wanted:
                self._keys_of_id.pop(data, None)

    # ---- reading ----------------------------------------------------------------------

    def search(self, query, k=10, allowed=None) -> list:
        """Top-k (id, score) pairs; see ragkernels.BM25Index.search."""
        if _fast_search is not None and allowed is None:
            found = _fast_search(self._handle, query, k, self._id_of_key)
            if found is not None:
                return found
        if type(k) is not int or k < 0:
            k = C.check_k(k)
        handle = self._handle
        if not handle:
            raise ValueError("BM25Index is closed")
        if allowed is not None:
            return self._search_filtered(handle, query, k, C.check_allowed(query, allowed))
        text, tokens_ptr, token_count = _query_arguments(query)
        if k <= _BUFFER_K:
            # One set of result buffers per thread, reused: a search then costs one call.
            buffers = _buffers.__dict__.get("search")
            if buffers is None:
                buffers = _buffers.search = (_new("int64_t[]", _BUFFER_K), _new("double[]", _BUFFER_K),
                                             _new("int64_t[]", _BUFFER_K), _new("int64_t*"))
            docs, scores, keys, found = buffers
            cap = k
        else:
            cap = k if k <= _SMALL_K else min(k, len(self) + _SMALL_K)
            docs, scores, keys, found = _new("int64_t[]", cap), _new("double[]", cap), _new("int64_t[]", cap), _new("int64_t*")
        status = _search(handle, text, len(text), tokens_ptr, token_count, cap, docs, scores, keys, found)
        if status:
            self._raise(status)
        n = found[0]
        if n <= 4:
            # Indexing a few cdata items costs less than ffi.unpack's fixed cost (RAG asks k=3..4).
            ids = self._id_of_key
            return [(ids[keys[i]], scores[i]) for i in range(n)]
        return list(zip(map(self._id_of_key.__getitem__, _unpack(keys, n)), _unpack(scores, n)))

    def _search_filtered(self, handle, query, k, allowed):
        text = _utf8(query)
        cap = k if k <= _SMALL_K else min(k, len(self) + _SMALL_K)
        docs, scores, keys, found = _new("int64_t[]", cap), _new("double[]", cap), _new("int64_t[]", cap), _new("int64_t*")
        status = lib.rk_bm25_search_filtered(handle, text, len(text), cap, _from_buffer("int64_t[]", buffer_of(allowed)),
                                             len(allowed), docs, scores, keys, found)
        if status:
            self._raise(status)
        n = found[0]
        return list(zip(map(self._id_of_key.__getitem__, _unpack(keys, n)), _unpack(scores, n)))

    def search_many(self, queries, k=10, threads=None):
        """(doc numbers int64 (n, k), scores float64 (n, k)); see ragkernels.BM25Index.search_many."""
        k = C.check_k(k)
        queries = _query_list(queries)
        if threads is None:
            threads = 0
        elif isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be a positive int or None, got {threads!r}")
        handle = self._h()
        docs = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.zeros((len(queries), k), dtype=np.float64)
        if not queries or k == 0:
            return docs, scores
        kinds = [C.query_kind(q) for q in queries]
        try:
            if all(kinds) or not any(kinds):
                self._search_many(handle, queries, kinds[0], k, threads, docs, scores)
                return docs, scores
            for flag in (False, True):  # a mix of text and token queries: one call per kind
                rows = [i for i, kind in enumerate(kinds) if kind is flag]
                part_docs = np.full((len(rows), k), -1, dtype=np.int64)
                part_scores = np.zeros((len(rows), k), dtype=np.float64)
                self._search_many(handle, [queries[i] for i in rows], flag, k, threads, part_docs, part_scores)
                docs[rows] = part_docs
                scores[rows] = part_scores
        except UnicodeEncodeError:
            raise _query_error(queries) from None
        return docs, scores

    def _search_many(self, handle, queries, pretokenized, k, threads, docs, scores):
        # In slices of about 50 ms (one native call each, all threads within each) so that
        # Ctrl-C is honoured between them. Each call searches the snapshot current when it
        # starts: with another thread writing meanwhile, rows of different slices may come from
        # different snapshots (each row is still a consistent search of one snapshot).
        parts = [(0, len(queries))] if len(queries) <= _QUERY_PROBE else _slices.slices(len(queries), _QUERY_PROBE)
        for start, stop in parts:
            if not pretokenized and _fast_search_many is not None:
                # Up to a False, after which the path below raises what it raises (or handles the case).
                start = _slices.walk(lambda a, b: _fast_search_many(handle, queries, a, b, k, threads, docs, scores),
                                     start, stop)
                if start == stop:
                    continue
            part = queries[start:stop]
            if pretokenized:
                text, token_offsets, starts = _encode_tokens(part)
                tokens_ptr, token_count = _from_buffer("int64_t[]", token_offsets), len(token_offsets) - 1
            else:
                encoded = [q.encode("utf-8") for q in part]
                text, starts = b"".join(encoded), _offsets([len(p) for p in encoded])
                tokens_ptr, token_count = _NULL, 0
            status = lib.rk_bm25_search_many(handle, text, len(text), _from_buffer("int64_t[]", starts), len(part),
                                             tokens_ptr, token_count, k, threads,
                                             _from_buffer("int64_t[]", docs[start:stop]),
                                             _from_buffer("double[]", scores[start:stop]))
            if status:
                self._raise(status)

    def get_scores(self, query) -> np.ndarray:
        """Scores of every document for `query`; see ragkernels.BM25Index.get_scores."""
        handle = self._h()
        text, tokens_ptr, token_count = _query_arguments(query)
        count = _new("int64_t*")
        size = len(self)
        while True:
            out = np.empty(size, dtype=np.float64)
            status = lib.rk_bm25_get_scores(handle, text, len(text), tokens_ptr, token_count,
                                            _from_buffer("double[]", out), size, count)
            if status == lib.RK_BUFFER_TOO_SMALL:
                size = count[0]
                continue
            if status:
                self._raise(status)
            return out[: count[0]]

    @property
    def ids(self) -> list:
        """External ids of the documents, by document number."""
        keys, _ = self._keys_and_ids(self._h())
        return [self._id_of_key[key] for key in keys]

    def _keys_and_ids(self, handle):
        count, size = _new("int64_t*"), _new("int64_t*")
        status = lib.rk_bm25_ids(handle, _NULL, 0, _NULL, 0, _NULL, count, size)
        while True:
            if status and status != lib.RK_BUFFER_TOO_SMALL:
                self._raise(status)
            n, total = count[0], size[0]
            keys = np.empty(n, dtype=np.int64)
            offsets = np.empty(n + 1, dtype=np.int64)
            data = bytearray(total)
            status = lib.rk_bm25_ids(handle, _from_buffer("int64_t[]", keys), n, _from_buffer("uint8_t[]", data), total,
                                     _from_buffer("int64_t[]", offsets), count, size)
            if status == lib.RK_OK:
                bounds = offsets.tolist()
                return keys.tolist(), [bytes(data[bounds[i]:bounds[i + 1]]) for i in range(n)]

    def __len__(self) -> int:
        count = _new("int64_t*")
        status = lib.rk_bm25_len(self._h(), count)
        if status:
            self._raise(status)
        return count[0]

    def memory_bytes(self) -> int:
        """Approximate bytes the index holds (postings, scores, vocabulary, documents)."""
        out = _new("int64_t*")
        status = lib.rk_bm25_memory(self._h(), out)
        if status:
            self._raise(status)
        return out[0]

    # ---- files ------------------------------------------------------------------------

    def save(self, path) -> None:
        """Writes the index to `path` atomically; see ragkernels.BM25Index.save."""
        data = os.fsencode(os.fspath(path))
        status = lib.rk_bm25_save(self._h(), data, len(data))
        if status:
            self._raise(status)

    @classmethod
    def load(cls, path) -> "BM25Index":
        """Reads an index written by save() of either implementation."""
        path = os.fspath(path)
        data = os.fsencode(path)
        handle = _new("uint64_t*")
        status = lib.rk_bm25_load(data, len(data), handle)
        if status == lib.RK_IO:
            with open(path, "rb"):  # raise Python's own OSError, as the twin does
                pass
        if status:
            raise_for(status)
        index = cls(_handle=handle[0])
        method, params = _new("int32_t*"), _new("double[4]")
        tokenizer, stop, next_key = _new("int32_t*"), _new("int32_t*"), _new("int64_t*")
        status = lib.rk_bm25_info(index._handle, method, params, tokenizer, stop, next_key)
        if status:
            index.close()
            raise_for(status)
        index.method = C.METHODS[method[0]]
        index.k1, index.b, index.delta, index.epsilon = params[0], params[1], params[2], params[3]
        index.tokenizer = C.TOKENIZERS[tokenizer[0]]
        index.stopwords = "english" if stop[0] else None
        index._next_key = next_key[0]
        try:
            keys, ids = index._keys_and_ids(index._handle)
            for key, data in zip(keys, ids):
                index._id_of_key[key] = C.decode_id(data)
                index._keys_of_id.setdefault(data, []).append(key)
        except BaseException:
            index.close()
            raise
        return index

    def __repr__(self) -> str:
        state = "closed" if not self._handle else f"{len(self)} documents"
        return f"BM25Index(method={self.method!r}, tokenizer={self.tokenizer!r}, {state})"
