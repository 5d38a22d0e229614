"""BM25 search (shared/spec/bm25.md), dispatched to the native index or its pure-Python twin.

BM25Index(method="lucene", k1=None, b=None, delta=None, epsilon=None, tokenizer="word",
stopwords=None)

Args:
    method: "lucene" (default; k1 1.2, b 0.75), "okapi" (k1 1.5, b 0.75, epsilon 0.25; rank_bm25's
        BM25Okapi), "bm25l" (k1 1.5, b 0.75, delta 0.5) or "bm25+" (k1 1.5, b 0.75, delta 1).
    k1: >= 0; b: 0..1; delta: >= 0 (bm25l/bm25+ only); epsilon: finite (okapi only). None = default.
    tokenizer: "word" (Python re.findall(r"\\w+", text.lower())) or "word2"
        (re.findall(r"(?u)\\b\\w\\w+\\b", text.lower()): tokens of two or more characters).
    stopwords: None, or "english"/True for Lucene's 33-word English list (text input only).
Raises:
    ValueError / TypeError for a parameter out of range or of the wrong type.

Methods:
    add(texts, ids=None, progress=False): documents as str, or as lists of str tokens used as is.
        ids: str or int per document (default: 0, 1, 2, ... continuing across calls; duplicates
        allowed). Statistics update so scores equal a fresh build of the same corpus. Each call
        rebuilds the statistics, so add in batches, not one document per call. progress=True
        (or None for 10,000+ documents) shows a tqdm bar. All or nothing: an exception during
        the call, KeyboardInterrupt included (honoured within about 50 ms natively; large adds
        run in slices), leaves the index as before the call, next default id included.
    remove(ids): removes every document with one of these ids; KeyError (nothing removed) for an
        unknown id. Later documents move up one number per removed document.
    search(query, k=10, allowed=None) -> list of (id, score): best first, ties in insertion order,
        never a score <= 0; query is a str or a list of tokens; duplicate query tokens count as often
        as they occur. allowed: None, or the ids a result may have (ints; a metadata filter): other
        documents are skipped before the top k (not given a score of 0). A filtered search needs a
        str query (TypeError for tokens) and int64 ids in the index (ValueError otherwise).
    search_many(queries, k=10, threads=None) -> (docs, scores): numpy int64 and float64 (n, k)
        arrays of document numbers and scores; unused places hold -1 and 0.0. Native: all cores,
        or `threads` threads, in slices of about 50 ms so that Ctrl-C is honoured; each slice
        searches the index as it is when the slice starts, so with another thread writing
        meanwhile different rows may see different states (each row sees one).
    get_scores(query) -> numpy float64 array of every document's score, by document number.
    save(path): versioned file with a CRC-32, written to a temporary file and renamed; either
        implementation loads it. BM25Index.load(path): ValueError for a foreign, truncated or
        corrupt file, OSError when it cannot be read.
    len(index), ids, memory_bytes(), close() / context manager (a closed index raises ValueError).

Threads: any number of threads may search while one adds or removes; each search sees one
consistent state of the index (the state before or after a write, never a mix).
"""

from .._dispatch import IMPLEMENTATION

if IMPLEMENTATION == "native":
    from ._native import BM25Index
else:
    from ._py import BM25Index

BM25Index.__doc__ = __doc__

__all__ = ["BM25Index"]
