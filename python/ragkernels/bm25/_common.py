"""What both BM25 twins share: argument checks (so errors are identical), the tokenizers'
reference definitions, the id encoding, the scoring formulas and the file format
(shared/spec/bm25.md)."""

from __future__ import annotations

import math
import operator
import re
import struct
import zlib
from collections import Counter

from .._allowed import allowed_ids

METHODS = ("lucene", "okapi", "bm25l", "bm25+")
METHOD_CODES = {name: code for code, name in enumerate(METHODS)}
TOKENIZERS = ("word", "word2")
TOKENIZER_CODES = {name: code for code, name in enumerate(TOKENIZERS)}
STOPWORD_LISTS = ("english",)

# Defaults per variant: (k1, b, delta, epsilon); None = the parameter does not apply.
DEFAULTS = {
    "lucene": (1.2, 0.75, None, None),
    "okapi": (1.5, 0.75, None, 0.25),
    "bm25l": (1.5, 0.75, 0.5, None),
    "bm25+": (1.5, 0.75, 1.0, None),
}

# The 33-word Lucene English stop-word list (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET).
ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split()
)

_WORD = re.compile(r"\w+")
_WORD2 = re.compile(r"(?u)\b\w\w+\b")


def tokenize(text: str, tokenizer: str, stopwords: bool) -> list[str]:
    """The reference tokenizers: `re.findall` on the whole lower-cased text."""
    pattern = _WORD if tokenizer == "word" else _WORD2
    tokens = pattern.findall(text.lower())
    if stopwords:
        stop = ENGLISH_STOP_WORDS
        tokens = [t for t in tokens if t not in stop]
    return tokens


def _real(name: str, value, default):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_params(method, k1, b, delta, epsilon, tokenizer, stopwords):
    """Validated (method, k1, b, delta, epsilon, tokenizer, stopwords: bool)."""
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    dk1, db, ddelta, deps = DEFAULTS[method]
    k1 = _real("k1", k1, dk1)
    b = _real("b", b, db)
    if k1 < 0.0:
        raise ValueError(f"k1 must be >= 0, got {k1}")
    if not 0.0 <= b <= 1.0:
        raise ValueError(f"b must be between 0 and 1, got {b}")
    if ddelta is None:
        if delta is not None:
            raise ValueError(f"delta applies to bm25l and bm25+ only, not {method}")
        delta = 0.0
    else:
        delta = _real("delta", delta, ddelta)
        if delta < 0.0:
            raise ValueError(f"delta must be >= 0, got {delta}")
    if deps is None:
        if epsilon is not None:
            raise ValueError(f"epsilon applies to okapi only, not {method}")
        epsilon = 0.0
    else:
        epsilon = _real("epsilon", epsilon, deps)
    if not isinstance(tokenizer, str) or tokenizer not in TOKENIZERS:
        raise ValueError(f"tokenizer must be one of {', '.join(TOKENIZERS)}, got {tokenizer!r}")
    if stopwords is None or stopwords is False:
        use_stop = False
    elif stopwords is True or stopwords in STOPWORD_LISTS:
        use_stop = True
    else:
        raise ValueError(f"stopwords must be None, True or 'english', got {stopwords!r}")
    return method, k1, b, delta, epsilon, tokenizer, use_stop


def check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k must be an int, got {type(k).__name__}")
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    return k


# ---- documents, queries and ids ---------------------------------------------------------

def split_documents(texts) -> tuple[list, bool]:
    """(documents, pretokenized): every document a str, or every document a list/tuple of str."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("add() takes an iterable of documents, not a single string")
    docs = list(texts)
    if not docs:
        return docs, False
    pretokenized = not isinstance(docs[0], str)
    for i, doc in enumerate(docs):
        if pretokenized:
            if not isinstance(doc, (list, tuple)) or not all(type(t) is str for t in doc):
                raise TypeError(f"document {i}: expected a list of str tokens like document 0")
        elif type(doc) is not str:
            raise TypeError(f"document {i}: expected a str like document 0, got {type(doc).__name__}")
    return docs, pretokenized


# A lone surrogate ("\ud800") is a valid Python str but not Unicode text: it cannot be encoded
# as UTF-8, so the native index can never take it. Both implementations refuse it alike, with
# this ValueError (the twin checks first; the native path checks when encoding fails).
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_error(what: str, value) -> ValueError | None:
    """The ValueError for a document or query (a str or a list of str tokens) that holds a lone
    surrogate, naming it `what`; None when it has none."""
    texts = [(what, value)] if type(value) is str else ((f"{what} token {j}", t) for j, t in enumerate(value))
    for name, text in texts:
        if not text.isascii():
            match = _SURROGATE.search(text)
            if match is not None:
                return ValueError(f"{name} contains a lone surrogate U+{ord(match.group()):04X} at index "
                                  f"{match.start()} and cannot be encoded as UTF-8")
    return None


def check_text(what: str, value) -> None:
    """Raises text_error's ValueError, if any."""
    error = text_error(what, value)
    if error is not None:
        raise error


def documents_error(docs) -> ValueError | None:
    """text_error of the first document that has a lone surrogate ("document i"), or None."""
    for i, doc in enumerate(docs):
        error = text_error(f"document {i}", doc)
        if error is not None:
            return error
    return None


def query_kind(query) -> bool:
    """True for a pre-tokenized query (a list/tuple of str), False for a str; else TypeError."""
    if type(query) is str:
        return False
    if isinstance(query, (list, tuple)) and all(type(t) is str for t in query):
        return True
    raise TypeError(f"a query must be a str or a list of str tokens, got {type(query).__name__}")


def check_allowed(query, allowed):
    """The `allowed` filter of search() as a sorted int64 array, or None. A filtered search takes
    a str query (the native export tokenizes the text itself)."""
    if allowed is None:
        return None
    if type(query) is not str:
        query_kind(query)
        raise TypeError("a filtered search (allowed=...) needs a str query, not a list of tokens")
    return allowed_ids(allowed)


def encode_id(value) -> bytes:
    """External ids are str or int (numpy integers included); stored as b"s" + UTF-8 or
    b"i" + decimal digits, so one file format carries both."""
    if isinstance(value, str):
        return b"s" + value.encode("utf-8", "strict")
    if not isinstance(value, bool):
        try:
            number = operator.index(value)
        except TypeError:
            pass
        else:
            return b"i" + str(number).encode("ascii")
    raise TypeError(f"ids must be str or int, got {type(value).__name__}")


def decode_id(data: bytes):
    # The bytes come from a file that may be damaged: every failure is the same clear ValueError.
    try:
        if data[:1] == b"s":
            return data[1:].decode("utf-8", "strict")
        if data[:1] == b"i" and _INT_ID.fullmatch(data[1:]):
            return int(data[1:])
    except UnicodeDecodeError:
        raise ValueError("corrupt BM25 index: a string id is not UTF-8") from None
    if data[:1] == b"i":
        raise ValueError("corrupt BM25 index: an integer id is not a decimal number")
    raise ValueError("corrupt BM25 index: an id has an unknown tag")


_INT_ID = re.compile(rb"-?[0-9]{1,4300}")


def check_ids(ids, count: int) -> list | None:
    if ids is None:
        return None
    if isinstance(ids, (str, bytes)):
        raise TypeError("ids must be a sequence of ids, not a single string")
    ids = list(ids)
    if len(ids) != count:
        raise ValueError(f"got {count} documents but {len(ids)} ids")
    for value in ids:
        encode_id(value)
    # Integers of any kind (numpy's too) are kept as Python ints, as a loaded index gives them.
    return [v if isinstance(v, str) else operator.index(v) for v in ids]


# A term is "long" when it is in at least 1/LONG_FRACTION of the documents (Bm25Scratch.LongFraction).
LONG_FRACTION = 16
# Below this many documents no term is long (Bm25Scratch.LongMinimumDocuments).
LONG_MINIMUM_DOCUMENTS = 128


def canonical_order(known, df, n):
    """The order in which both twins add a query's known (term, count) pairs into a document's
    total: the terms in fewer than n/LONG_FRACTION documents in order of first occurrence, then
    the long ones by ascending document frequency `df(term)`, ties in order of first occurrence
    (a stable sort). With the longest postings last, the native index can skip them exactly for
    documents that cannot reach the top k (Bm25MaxScore.cs). Indexes of fewer than
    LONG_MINIMUM_DOCUMENTS keep the order of first occurrence (the spec's golden values are
    bit-exact in it)."""
    if n < LONG_MINIMUM_DOCUMENTS:
        return known
    short = [tm for tm in known if LONG_FRACTION * df(tm[0]) < n]
    if len(short) == len(known):
        return known
    long_terms = [tm for tm in known if LONG_FRACTION * df(tm[0]) >= n]
    return short + sorted(long_terms, key=lambda tm: df(tm[0]))


def query_terms(tokens) -> list[tuple[str, int]]:
    """Distinct query tokens with their counts, in order of first occurrence (both twins then put
    the known ones in canonical_order)."""
    return list(Counter(tokens).items())


# ---- scoring: the exact operation order both twins keep -----------------------------------

def idf(method: str, n: int, df: int) -> float:
    if method == "lucene":
        return math.log((n - df + 0.5) / (df + 0.5) + 1.0)
    if method == "okapi":
        return math.log(n - df + 0.5) - math.log(df + 0.5)
    if method == "bm25l":
        return math.log((n + 1) / (df + 0.5))
    return math.log((n + 1) / df)


def okapi_floor(n: int, df_counts: dict[int, int], epsilon: float) -> float:
    """epsilon × mean idf over the vocabulary. The sum runs over document frequencies in
    ascending order (count × idf per frequency), so it does not depend on the order in which
    terms entered the index: an index after add/remove equals a fresh build to the bit."""
    total = 0.0
    vocabulary = 0
    for df in sorted(df_counts):
        count = df_counts[df]
        total += count * idf("okapi", n, df)
        vocabulary += count
    return epsilon * (total / vocabulary) if vocabulary else 0.0


def term_score(method, k1, b, delta, w, tf, dl, avgdl) -> float:
    """Score of one term with idf `w` in a document containing it `tf` > 0 times."""
    if method == "lucene":
        return w * (tf * (k1 + 1.0)) / (tf + k1 * ((1.0 - b) + (b * dl) / avgdl))
    if method == "okapi":
        return w * ((tf * (k1 + 1.0)) / (tf + k1 * ((1.0 - b) + (b * dl) / avgdl)))
    if method == "bm25l":
        c = tf / ((1.0 - b) + (b * dl) / avgdl)
        return w * (k1 + 1.0) * (c + delta) / (k1 + c + delta)
    return w * (delta + (tf * (k1 + 1.0)) / (k1 * ((1.0 - b) + (b * dl) / avgdl) + tf))


def absent_score(method, k1, delta, w) -> float:
    """bm25l/bm25+ score of a term for a document without it (tf = 0); 0 for the others."""
    if method == "bm25l":
        return w * (k1 + 1.0) * (0.0 + delta) / (k1 + 0.0 + delta)
    if method == "bm25+":
        return w * (delta + 0.0)
    return 0.0


# ---- file format ---------------------------------------------------------------------------
#
# Little-endian throughout:
#   magic  b"RKBM25IX"            u32 version (1)
#   u8 method, u8 tokenizer, u8 stopwords, u8 0
#   f64 k1, b, delta, epsilon     i64 next_key
#   u64 V, then V terms: u32 byte length + UTF-8
#   u64 N, then N documents: i64 key, u32 id length + id bytes, u32 T, T × (u32 term, u32 tf)
#   u32 CRC-32 (zlib) of every byte before it
# The vocabulary lists the terms of the current documents in order of first occurrence
# (documents in order, a document's terms in first-occurrence order), so the same index
# always gives the same bytes, whichever implementation writes it.

MAGIC = b"RKBM25IX"
VERSION = 1
_HEAD = struct.Struct("<8sIBBBBddddq")


class FileIndex:
    """The decoded content of a file: parameters and documents as (key, id bytes, [(term, tf)])."""

    def __init__(self, method, tokenizer, stopwords, k1, b, delta, epsilon, next_key, docs):
        self.method, self.tokenizer, self.stopwords = method, tokenizer, stopwords
        self.k1, self.b, self.delta, self.epsilon = k1, b, delta, epsilon
        self.next_key = next_key
        self.docs = docs


def encode_file(index: FileIndex) -> bytes:
    out = bytearray(_HEAD.pack(MAGIC, VERSION, METHOD_CODES[index.method], TOKENIZER_CODES[index.tokenizer],
                               1 if index.stopwords else 0, 0, index.k1, index.b, index.delta, index.epsilon,
                               index.next_key))
    numbers: dict[str, int] = {}
    for _, _, terms in index.docs:
        for term, _ in terms:
            if term not in numbers:
                numbers[term] = len(numbers)
    out += struct.pack("<Q", len(numbers))
    for term in numbers:
        data = term.encode("utf-8", "strict")
        out += struct.pack("<I", len(data)) + data
    out += struct.pack("<Q", len(index.docs))
    for key, id_bytes, terms in index.docs:
        out += struct.pack("<qI", key, len(id_bytes)) + id_bytes + struct.pack("<I", len(terms))
        out += struct.pack(f"<{2 * len(terms)}I", *[x for term, tf in terms for x in (numbers[term], tf)])
    out += struct.pack("<I", zlib.crc32(out))
    return bytes(out)


def _corrupt(path, what: str) -> ValueError:
    return ValueError(f"{path}: corrupt BM25 index file ({what})")


def decode_file(data: bytes, path) -> FileIndex:
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise ValueError(f"{path}: not a ragkernels BM25 index file (bad magic)")
    if len(data) < _HEAD.size + 4:
        raise _corrupt(path, "truncated header")
    _, version, method, tokenizer, stop, _, k1, b, delta, epsilon, next_key = _HEAD.unpack_from(data, 0)
    if version != VERSION:
        raise ValueError(f"{path}: unsupported BM25 index file version {version} (this library reads version {VERSION})")
    (stored,) = struct.unpack_from("<I", data, len(data) - 4)
    if zlib.crc32(memoryview(data)[:-4]) != stored:
        raise _corrupt(path, "checksum mismatch; truncated or damaged")
    if method >= len(METHODS) or tokenizer >= len(TOKENIZERS) or stop > 1:
        raise _corrupt(path, "unknown method, tokenizer or stop-word code")
    # The C# reader's Bm25Scoring.Validate: all four finite, k1 >= 0, 0 <= b <= 1, delta >= 0.
    if (not all(math.isfinite(x) for x in (k1, b, delta, epsilon)) or k1 < 0.0 or not 0.0 <= b <= 1.0
            or delta < 0.0):
        raise _corrupt(path, "parameters out of range")
    end = len(data) - 4
    pos = _HEAD.size

    def take(size):
        nonlocal pos
        if size < 0 or pos + size > end:
            raise _corrupt(path, "a section runs past the end")
        start = pos
        pos += size
        return start

    (vocabulary,) = struct.unpack_from("<Q", data, take(8))
    if vocabulary > end:
        raise _corrupt(path, "impossible vocabulary size")
    terms = []
    for _ in range(vocabulary):
        (length,) = struct.unpack_from("<I", data, take(4))
        start = take(length)
        try:
            terms.append(data[start:start + length].decode("utf-8", "strict"))
        except UnicodeDecodeError:
            raise _corrupt(path, "a term is not UTF-8") from None
    (count,) = struct.unpack_from("<Q", data, take(8))
    if count > end:
        raise _corrupt(path, "impossible document count")
    docs = []
    for _ in range(count):
        key, length = struct.unpack_from("<qI", data, take(12))
        start = take(length)
        id_bytes = bytes(data[start:start + length])
        (pairs,) = struct.unpack_from("<I", data, take(4))
        start = take(8 * pairs)
        values = struct.unpack_from(f"<{2 * pairs}I", data, start)
        doc_terms = []
        if len(set(values[0::2])) != pairs:
            raise _corrupt(path, "a document lists a term twice")
        for i in range(0, 2 * pairs, 2):
            if values[i] >= vocabulary or values[i + 1] == 0 or values[i + 1] > 0x7FFFFFFF:
                raise _corrupt(path, "a term number or frequency is out of range")
            doc_terms.append((terms[values[i]], values[i + 1]))
        if sum(values[1::2]) > 0x7FFFFFFF:  # the C# index keeps a document's length in an int
            raise _corrupt(path, "a document is too long")
        docs.append((key, id_bytes, doc_terms))
    if pos != end:
        raise _corrupt(path, "trailing bytes")
    return FileIndex(METHODS[method], TOKENIZERS[tokenizer], bool(stop), k1, b, delta, epsilon, next_key, docs)
