"""Retriever: chunk -> embed -> index -> hybrid search with cited chunks, in one process.

Built from the public pieces (ragkernels.chunk, Embedder, EmbeddingCache, BM25Index,
VectorIndex, HybridIndex); it adds no kernel of its own, so it runs natively whenever those do.
"""

from __future__ import annotations

import json
import operator
import os
import struct
import tempfile
import zlib
from typing import NamedTuple

import numpy as np

from .bm25 import BM25Index
from .chunking import chunk
from .hybrid import HybridIndex
from .vector import VectorIndex, _format as _vector_format

_MAGIC = b"RKRETRV\x00"
_VERSION = 1
# magic, version, manifest length, BM25 file length, vector file length
_HEADER = struct.Struct("<8sIQQQ")
_PROGRESS_MIN_CHUNKS = 256
_EMBED_BLOCK = 256


class RetrievalResult(NamedTuple):
    """One cited chunk: `text == document_text[start:end]` of the document `doc_id`."""

    doc_id: object
    chunk_id: int
    start: int
    end: int
    text: str
    score: float
    bm25_rank: int | None
    vector_rank: int | None


def _check_where(where) -> dict | None:
    if where is None:
        return None
    if not isinstance(where, dict):
        raise TypeError(f"where must be a dict of metadata conditions, not {type(where).__name__}")
    for key in where:
        if not isinstance(key, str):
            raise TypeError(f"where keys must be str metadata fields, got {type(key).__name__}")
    return where


def _matches(metadata: dict, where: dict) -> bool:
    for field, wanted in where.items():
        if field not in metadata:
            return False
        value = metadata[field]
        if isinstance(wanted, (list, tuple, set, frozenset)):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def _corrupt(path, what: str) -> ValueError:
    return ValueError(f"{os.fspath(path)!s}: not a valid ragkernels retriever file ({what})")


class Retriever:
    """Chunks documents, embeds the chunks, indexes them for BM25 and vector search, and answers
    queries with the fused (reciprocal rank fusion) best chunks, each citing its span.

    Retriever(model_dir=None, *, chunk_size=200, chunk_overlap=20, bm25_method="lucene",
              stopwords=None, fetch_k=50, weights=(1.0, 1.0), rrf_k=60, batch_size=32,
              max_length=None, cache_entries=1024)

    Args:
        model_dir: a sentence-transformers ONNX folder for ragkernels.Embedder, or None for a
            BM25-only retriever (no embeddings, no vector index).
        chunk_size, chunk_overlap: ragkernels.chunk(size=, overlap=) in words.
        bm25_method, stopwords: ragkernels.BM25Index(method=, stopwords=).
        fetch_k, weights, rrf_k: HybridIndex.search's candidates per retriever, the
            (BM25, vector) weights and the RRF constant.
        batch_size, max_length: Embedder(batch_size=, max_length=).
        cache_entries: query embeddings kept in an EmbeddingCache (repeated queries are not
            embedded again).
    Raises:
        TypeError / ValueError for bad arguments (from the components), OSError / ImportError
        when the model folder or ONNX Runtime cannot be opened.

    Ids: documents have str or int ids (default 0, 1, 2, ... continuing across add calls);
    chunks get ints 0, 1, 2, ... in the order they were added: the id contract HybridIndex
    needs (the same chunk id in the BM25 and the vector index).
    Threads: searches may run in parallel; add() must not run concurrently with anything.
    """

    def __init__(self, model_dir=None, *, chunk_size=200, chunk_overlap=20, bm25_method="lucene", stopwords=None,
                 fetch_k=50, weights=(1.0, 1.0), rrf_k=60, batch_size=32, max_length=None, cache_entries=1024,
                 _bm25=None, _vectors=None):
        chunk("", chunk_size, chunk_overlap)  # checks size and overlap now, not at the first add
        self._config = {
            "model_dir": None if model_dir is None else os.fspath(model_dir),
            "chunk_size": int(chunk_size), "chunk_overlap": int(chunk_overlap),
            "bm25_method": bm25_method, "stopwords": stopwords, "fetch_k": fetch_k,
            "weights": [float(w) for w in weights], "rrf_k": float(rrf_k),
            "batch_size": batch_size, "max_length": max_length, "cache_entries": cache_entries,
        }
        self._documents: list[tuple[object, str, dict]] = []  # (id, text, metadata)
        self._doc_index: dict = {}  # id -> position in _documents
        self._doc_chunks: list[tuple[int, int]] = []  # per document: (first chunk id, chunk count)
        self._chunks: list[tuple[int, int, int]] = []  # per chunk id: (document position, start, end)
        self._embedder = self._cache = None
        self._bm25 = _bm25 if _bm25 is not None else BM25Index(method=bm25_method, stopwords=stopwords)
        self._vectors = _vectors
        if model_dir is not None:
            from .embed import Embedder
            from .embedding_cache import EmbeddingCache

            self._embedder = Embedder(model_dir, batch_size=batch_size, max_length=max_length)
            self._cache = EmbeddingCache(self._embedder, max_entries=cache_entries)
            if self._vectors is None:
                self._vectors = VectorIndex(self._embedder.dim, "cosine")
            elif self._vectors.dim != self._embedder.dim:
                raise ValueError(f"the saved vectors have dimension {self._vectors.dim}, the model {self._embedder.dim}")
        self._hybrid = HybridIndex(self._bm25, self._vectors)
        self._closed = False

    # ---- properties -----------------------------------------------------------------------

    @property
    def model_dir(self):
        """The model folder, or None for a BM25-only retriever."""
        return self._config["model_dir"]

    def __len__(self) -> int:
        """The number of documents."""
        return len(self._documents)

    @property
    def chunk_count(self) -> int:
        return len(self._chunks)

    def _live(self):
        if self._closed:
            raise ValueError("Retriever is closed")

    # ---- adding -----------------------------------------------------------------------------

    def add(self, documents, ids=None, metadata=None, progress=None) -> None:
        """Chunks, embeds and indexes documents.

        Args:
            documents: a sequence of str.
            ids: None (0, 1, 2, ... continuing across calls) or one str/int id per document,
                new to the retriever and distinct.
            metadata: None or one dict per document (str keys, JSON-serialisable values; saved
                with the retriever), matched by search(where=...).
            progress: True / False, or None for a tqdm bar (when tqdm is installed) once there
                are 256 or more chunks to embed.
        Raises:
            TypeError: a non-str document, an id that is not str/int, metadata that is not a
                dict of JSON-serialisable values.
            ValueError: lengths that do not match, a duplicate or existing id.
        Nothing is added when a check fails; an error while embedding adds nothing either.
        """
        self._live()
        if isinstance(documents, str):
            raise TypeError("documents must be a sequence of str, not a single str")
        documents = list(documents)
        for d in documents:
            if type(d) is not str:
                raise TypeError(f"documents must be str, got {type(d).__name__}")
        if ids is None:
            start = len(self._documents)
            ids = list(range(start, start + len(documents)))
        else:
            if isinstance(ids, (str, bytes)):
                raise TypeError("ids must be a sequence of ids, not a single string")
            ids = [i if isinstance(i, str) else self._int_id(i) for i in ids]
            if len(ids) != len(documents):
                raise ValueError(f"got {len(documents)} documents but {len(ids)} ids")
        seen = set()
        for i in ids:
            if i in self._doc_index or i in seen:
                raise ValueError(f"document id {i!r} is already in use")
            seen.add(i)
        if metadata is None:
            metadata = [{} for _ in documents]
        else:
            metadata = list(metadata)
            if len(metadata) != len(documents):
                raise ValueError(f"got {len(documents)} documents but {len(metadata)} metadata entries")
            for m in metadata:
                if not isinstance(m, dict) or not all(isinstance(key, str) for key in m):
                    raise TypeError("metadata must be one dict with str keys per document")
                json.dumps(m)  # TypeError now rather than at save()
            metadata = [dict(m) for m in metadata]

        size, overlap = self._config["chunk_size"], self._config["chunk_overlap"]
        first_chunk = len(self._chunks)
        new_chunks, new_doc_chunks, texts = [], [], []
        for position, text in enumerate(documents, len(self._documents)):
            pieces = chunk(text, size, overlap)
            new_doc_chunks.append((first_chunk + len(new_chunks), len(pieces)))
            for piece in pieces:
                new_chunks.append((position, piece.start, piece.end))
                texts.append(piece.text)
        chunk_ids = list(range(first_chunk, first_chunk + len(new_chunks)))
        embeddings = self._embed_chunks(texts, progress) if self._embedder is not None else None
        if texts:
            self._bm25.add(texts, ids=chunk_ids)
            if embeddings is not None:
                try:
                    self._vectors.add(embeddings, ids=np.asarray(chunk_ids, dtype=np.int64))
                except BaseException:
                    self._bm25.remove(chunk_ids)
                    raise
        for i, text, m in zip(ids, documents, metadata):
            self._doc_index[i] = len(self._documents)
            self._documents.append((i, text, m))
        self._doc_chunks.extend(new_doc_chunks)
        self._chunks.extend(new_chunks)

    @staticmethod
    def _int_id(value) -> int:
        if isinstance(value, bool):
            raise TypeError("document ids must be str or int, not bool")
        try:
            return operator.index(value)
        except TypeError:
            raise TypeError(f"document ids must be str or int, not {type(value).__name__}") from None

    def _embed_chunks(self, texts: list, progress) -> np.ndarray:
        out = np.empty((len(texts), self._embedder.dim), dtype=np.float32)
        bar = None
        if progress or (progress is None and len(texts) >= _PROGRESS_MIN_CHUNKS):
            try:
                from tqdm import tqdm

                bar = tqdm(total=len(texts), desc="embedding chunks", unit="chunk")
            except ImportError:  # pragma: no cover - tqdm is optional
                bar = None
        try:
            for start in range(0, len(texts), _EMBED_BLOCK):
                block = texts[start:start + _EMBED_BLOCK]
                out[start:start + len(block)] = self._embedder.embed(block)
                if bar is not None:
                    bar.update(len(block))
        finally:
            if bar is not None:
                bar.close()
        return out

    # ---- searching --------------------------------------------------------------------------

    def allowed_chunks(self, where) -> np.ndarray | None:
        """The chunk ids of the documents whose metadata satisfies `where` (None: no filter)."""
        where = _check_where(where)
        if not where:
            return None
        parts = [np.arange(first, first + count, dtype=np.int64)
                 for (_, _, m), (first, count) in zip(self._documents, self._doc_chunks) if count and _matches(m, where)]
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    def search(self, query, k=5, where=None) -> list[RetrievalResult]:
        """The k best chunks for `query`, best first.

        Args:
            query: the question (str).
            k: results wanted, an int >= 1.
            where: None, or a metadata filter: a dict {field: condition}; a document matches when
                every field is in its metadata and equals the condition, or, for a condition that
                is a list/tuple/set, is one of its items. Chunks of other documents are excluded
                before each retriever's top-k (they never take a place).
        Returns:
            RetrievalResult(doc_id, chunk_id, start, end, text, score, bm25_rank, vector_rank):
            text == the document's text[start:end]; score is the fused RRF score; the ranks are
            the chunk's 1-based ranks among each retriever's fetch_k candidates (None = not
            among them; vector_rank is always None for a BM25-only retriever).
        Raises:
            TypeError: a non-str query, a where that is not a dict with str keys.
            ValueError: k < 1; a closed retriever.
        """
        self._live()
        if type(query) is not str:
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        allowed = self.allowed_chunks(where)
        vector = self._cache.embed([query])[0] if self._embedder is not None else None
        config = self._config
        hits = self._hybrid.search(query, vector, k=k, fetch_k=max(config["fetch_k"], k), weights=config["weights"],
                                   rrf_k=config["rrf_k"], allowed=allowed)
        results = []
        for hit in hits:
            position, start, end = self._chunks[hit.id]
            doc_id, text, _ = self._documents[position]
            results.append(RetrievalResult(doc_id, hit.id, start, end, text[start:end], hit.score,
                                           hit.bm25_rank, hit.vector_rank))
        return results

    # ---- files -----------------------------------------------------------------------------

    def save(self, path) -> None:
        """Saves the whole retriever (configuration, documents, metadata, chunk spans, the BM25
        and vector indexes) as one file: a header, the sections and a CRC-32 of everything,
        written to a temporary file and renamed over `path` (a crash leaves the old file or the
        new one). The model itself is not copied; its folder path is recorded."""
        self._live()
        manifest = {
            "config": self._config,
            "documents": [[i, text, m] for i, text, m in self._documents],
            "doc_chunks": self._doc_chunks,
            "chunks": self._chunks,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with tempfile.TemporaryDirectory(prefix="ragkernels-retriever-") as folder:
            self._bm25.save(os.path.join(folder, "bm25"))
            bm25_bytes = _vector_format.read_file(os.path.join(folder, "bm25"))
            vector_bytes = b""
            if self._vectors is not None:
                self._vectors.save(os.path.join(folder, "vectors"))
                vector_bytes = _vector_format.read_file(os.path.join(folder, "vectors"))
        body = b"".join([_HEADER.pack(_MAGIC, _VERSION, len(manifest_bytes), len(bm25_bytes), len(vector_bytes)),
                         manifest_bytes, bm25_bytes, vector_bytes])
        _vector_format.write_atomic(path, body + struct.pack("<I", zlib.crc32(body)))

    @classmethod
    def load(cls, path, model_dir=None) -> "Retriever":
        """Loads a file written by save().

        Args:
            path: the file.
            model_dir: the model folder to use instead of the one recorded (e.g. after moving
                it); ignored for a BM25-only retriever.
        Raises:
            ValueError: a foreign, truncated, corrupt or newer file (the message says which).
            OSError: the file (or the model folder) cannot be read.
        """
        data = _vector_format.read_file(path)
        if len(data) < _HEADER.size + 4:
            raise _corrupt(path, "truncated")
        magic, version, manifest_len, bm25_len, vector_len = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise _corrupt(path, "wrong magic number")
        if version != _VERSION:
            raise _corrupt(path, f"format version {version}, this ragkernels reads {_VERSION}")
        if _HEADER.size + manifest_len + bm25_len + vector_len + 4 != len(data):
            raise _corrupt(path, "truncated or wrong section lengths")
        if struct.unpack_from("<I", data, len(data) - 4)[0] != zlib.crc32(memoryview(data)[:-4]):
            raise _corrupt(path, "checksum mismatch")
        offset = _HEADER.size
        try:
            manifest = json.loads(data[offset:offset + manifest_len].decode("utf-8"))
            config = manifest["config"]
            documents = [(i, text, m) for i, text, m in manifest["documents"]]
            doc_chunks = [(int(a), int(b)) for a, b in manifest["doc_chunks"]]
            chunks = [(int(a), int(b), int(c)) for a, b, c in manifest["chunks"]]
        except (ValueError, KeyError, TypeError) as error:
            raise _corrupt(path, f"bad manifest: {error}") from None
        offset += manifest_len
        with tempfile.TemporaryDirectory(prefix="ragkernels-retriever-") as folder:
            with open(os.path.join(folder, "bm25"), "wb") as file:
                file.write(data[offset:offset + bm25_len])
            bm25 = BM25Index.load(os.path.join(folder, "bm25"))
            vectors = None
            if vector_len:
                with open(os.path.join(folder, "vectors"), "wb") as file:
                    file.write(data[offset + bm25_len:offset + bm25_len + vector_len])
                vectors = VectorIndex.load(os.path.join(folder, "vectors"))
        saved_model = config["model_dir"]
        use_model = None if saved_model is None else (model_dir if model_dir is not None else saved_model)
        retriever = cls(use_model, chunk_size=config["chunk_size"], chunk_overlap=config["chunk_overlap"],
                        bm25_method=config["bm25_method"], stopwords=config["stopwords"], fetch_k=config["fetch_k"],
                        weights=config["weights"], rrf_k=config["rrf_k"], batch_size=config["batch_size"],
                        max_length=config["max_length"], cache_entries=config["cache_entries"],
                        _bm25=bm25, _vectors=vectors)
        retriever._documents = documents
        retriever._doc_index = {i: p for p, (i, _, _) in enumerate(documents)}
        retriever._doc_chunks = doc_chunks
        retriever._chunks = chunks
        if len(bm25) != len(chunks) or (vectors is not None and len(vectors) != len(chunks)):
            retriever.close()
            raise _corrupt(path, "the indexes do not match the chunk table")
        return retriever

    # ---- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Closes the indexes and the embedder; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        for part in (self._bm25, self._vectors, self._embedder):
            if part is not None:
                part.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self) -> str:
        mode = "BM25 only" if self._embedder is None else f"hybrid, model {self.model_dir!r}"
        return f"Retriever({len(self._documents)} documents, {len(self._chunks)} chunks, {mode})"

