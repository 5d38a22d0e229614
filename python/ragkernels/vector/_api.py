"""The public documentation of VectorIndex and rrf, attached to whichever implementation the
dispatcher chose (both have the same behaviour, so one text serves both)."""

from __future__ import annotations

VECTOR_INDEX = """An exact (brute-force) top-k index over float32 vectors of one dimension.

    VectorIndex(dim, metric="cosine")

    Args:
        dim: the vectors' dimension, an int from 1 to 65,536.
        metric: how a stored vector x is scored against a query q; higher is always better:
            "cosine": cosine similarity in [-1, 1]. Vectors are normalised when added (in
                float64, rounded once to float32) and queries when searched; a zero vector
                is refused.
            "dot": the inner product q·x.
            "l2": the NEGATIVE Euclidean distance -||q - x|| (0 for an identical vector,
                more negative further away). Not squared: the plain distance is what the
                SIMD kernel computes, and squaring it would add a rounding.
    Raises:
        TypeError / ValueError: for a dim or metric of the wrong type or value.

    Ids are ints from 0 to 2**63 - 2; by default add() numbers vectors from one more than the
    largest id ever added (0 for a new index). Rows keep insertion order: equal scores rank
    the earlier insertion first.

    NaN policy: vectors and queries containing NaN or an infinity are refused with
    ValueError (nothing is added); finite inputs so large that their products overflow
    can score +-inf, and a NaN that arises from such overflow ranks as -inf.

    Threads: searches may run from many threads while another thread adds or removes; each
    search sees one consistent snapshot (all of a write or none of it). Writes are
    serialised. The native search releases the GIL.

    Accuracy: scores are float32. The native kernel (SIMD) and the Python twin (numpy/BLAS)
    sum the same float32 products in different orders, so the same score can differ in the
    last bits (bounded by d * 2**-24 * sum|q_i x_i|, about 2.3e-5 for dim 384 and unit
    vectors, typically ~1e-6); results are otherwise identical.

    Use it as a context manager or call close(); any use after close raises ValueError.
    Files: save(path) / VectorIndex.load(path) (a versioned, checksummed format that both
    implementations read and write).
"""

ADD = """Adds vectors and returns their ids (an int64 array).

        Args:
            vectors: shape (n, dim) (or one vector of shape (dim,)), any real dtype; a
                C-contiguous float32 array is passed to the kernel without a copy.
            ids: None for automatic ids, else n ints (0 .. 2**63 - 2) new to the index and
                distinct.
        Raises:
            ValueError: wrong shape, NaN/infinity, a zero vector for cosine, an id out of
                range, repeated, or already present. Nothing is added then.
            TypeError: non-numeric vectors or non-int ids.
"""

REMOVE = """Removes the vectors with these ids (an int or a sequence of ints), all or none.

        Raises:
            KeyError: an id is not in the index (nothing is removed).
            ValueError: an id is listed twice.
"""

SEARCH = """The best min(k, len(self)) vectors for one query: a list of (id, score), best
        first, equal scores in insertion order.

        Args:
            vector: shape (dim,), any real dtype (float32 C-contiguous is not copied).
            k: an int >= 1.
            allowed: None, or the ids a result may have (an iterable of ints or an integer
                array; a metadata filter). Other vectors are skipped before the top k, so up to
                k allowed vectors come back; an empty filter returns []. See ragkernels._allowed.
        Raises:
            ValueError: wrong shape, NaN/infinity, a zero query for cosine, k < 1, an allowed
                id outside int64.
            TypeError: allowed is not an iterable of ints.
"""

SEARCH_MANY = """Searches many queries.

        The native kernel works in slices of about 50 ms (all threads within each) so that
        Ctrl-C is honoured promptly; each slice searches the snapshot current when it starts,
        so with another thread writing meanwhile, rows of different slices may see different
        snapshots (each row sees one). Without concurrent writes every row sees the same index.

        Args:
            vectors: queries of shape (n, dim).
            k: results per query, an int >= 1.
            threads: None for every processor, or an int >= 1 (the native kernel splits the
                queries over that many threads, at most one per processor; the Python twin
                leaves threading to numpy).
        Returns:
            (ids, scores): int64 and float32 arrays of shape (n, k); row i equals search(
            vectors[i], k); rows with fewer than k hits are padded with id -1 and score NaN.
"""

SAVE = """Writes the index to `path` atomically (a temporary file in the same folder, flushed,
        then renamed over `path`). Raises OSError when the file cannot be written."""

LOAD = """Reads an index saved by either implementation.

        Raises:
            OSError: the file cannot be read (FileNotFoundError, ...).
            ValueError: a foreign, truncated, corrupt or newer file; the message says which.
"""

RRF = """Reciprocal rank fusion of several rankings.

    rrf(rankings, k=60, weights=None, limit=None) -> list[(id, score)]

    An id at rank r (counted from 1) of ranking j adds weights[j] / (k + r) to its score;
    the result is sorted by descending score, equal scores in order of first appearance
    (reading rankings[0] from best to worst, then rankings[1], ...).

    Args:
        rankings: a sequence of rankings, each best first: a sequence of hashable ids, or of
            (id, score) tuples as returned by search() (a tuple element is read as a pair
            and its first item is the id), or a 1-D numpy array of ids. Integer ids (int
            lists, integer arrays) take the native fast path; other ids are numbered in
            Python first. An id may appear at most once per ranking.
        k: the rank constant, a real number >= 0 (60, as in Cormack et al. 2009).
        weights: None (all 1.0) or one real number >= 0 per ranking.
        limit: None for every fused id, else at most this many.
    Returns:
        A list of (id, score); numpy integer ids come back as Python ints.
    Raises:
        ValueError: an id twice in one ranking (the message gives both ranks), a negative or
            non-finite k or weight, a weights length that does not match, a negative limit.
        TypeError: arguments of the wrong type; an unhashable id.

    The native and Python implementations give bit-identical scores: each score starts at
    0.0 and receives its terms in the same order.
"""


def make_public(vector_index, rrf):
    vector_index.__doc__ = VECTOR_INDEX
    for name, text in (("add", ADD), ("remove", REMOVE), ("search", SEARCH), ("search_many", SEARCH_MANY),
                       ("save", SAVE)):
        getattr(vector_index, name).__doc__ = text
    vector_index.load.__func__.__doc__ = LOAD
    rrf.__doc__ = RRF
    return vector_index, rrf
