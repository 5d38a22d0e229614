"""Signal kernels through libragkernels. Same signatures, results and errors as _py.py."""

from __future__ import annotations

import ctypes
import threading
import weakref

import numpy as np

from .. import _slices
from .._native import bind_fastcall, ffi, lib, raise_for
from .._native._handle import HandleOwner
from ._text import check_pair, check_pairs, text_sequence
from ._values import float_values, real_value, window_size

if lib is None:  # pragma: no cover - the dispatcher never imports this module then
    raise ImportError("libragkernels is not loaded")

_trend_drop = lib.rk_signal_trend_drop
_window_push = lib.rk_trend_window_push
_from_buffer = ffi.from_buffer
_new = ffi.new
# Result slots of this thread, allocated once: cffi releases the GIL during a call, so a slot
# shared by threads could be overwritten before it is read.
_local = threading.local()


def _slots():
    _local.double = ffi.new("double*")
    _local.int32 = ffi.new("int32_t*")
    return _local


def trend_drop(values) -> float:
    """Total drop of the least-squares line through `values`; see ragkernels.signals._py."""
    # This thread's result slot (see the pairwise signals below): cheaper than ffi.new per call.
    try:
        out = _local.double
    except AttributeError:
        out = _slots().double
    if type(values) is list or type(values) is tuple:
        # cffi converts a list or tuple of numbers straight into a temporary C array: cheaper
        # than building an array('d') first. On a bad element, fall through to the shared
        # checks so the error is the same as the Python twin's.
        try:
            status = _trend_drop(values, len(values), out)
        except (TypeError, OverflowError):
            pass
        else:
            if status:
                raise_for(status)
            return out[0]
    buffer = float_values("trend_drop", values)
    status = _trend_drop(_from_buffer("double[]", buffer), len(buffer), out)
    if status:
        raise_for(status)
    return out[0]


class TrendWindow(HandleOwner):
    """A window over the last `size` scores of a stream; `push` returns trend_drop of them.

    Args:
        size: window length, an int from 1 to 1,048,576 (guards use 5).
    Raises:
        TypeError / ValueError: for a size of the wrong type or range.

    One window belongs to one stream: push to it from one thread at a time. Use it as a
    context manager or call close(); a closed window raises ValueError.
    """

    __slots__ = ("_handle", "_size", "_out", "_finalizer", "__weakref__")

    def __init__(self, size: int):
        self._size = window_size(size)
        handle = _new("uint64_t*")
        status = lib.rk_trend_window_create(self._size, handle)
        if status:
            raise_for(status)
        self._handle = handle[0]
        # One result slot per window, allocated once: a push then costs one call.
        self._out = _new("double*")
        self._finalizer = weakref.finalize(self, lib.rk_trend_window_free, self._handle)

    @property
    def size(self) -> int:
        return self._size

    def push(self, score) -> float:
        """Appends `score` (a real number) and returns trend_drop of the window."""
        if _fast_push is not None:
            # The fastcall extension: a float or int score in one C call; None for anything
            # else (a closed window, another type, a non-zero status): the path below.
            drop = _fast_push(self._handle, score)
            if drop is not None:
                return drop
        try:
            status = _window_push(self._handle, score, self._out)
        except TypeError:
            status = _window_push(self._handle, real_value("TrendWindow.push", "score", score), self._out)
        if status:
            self._raise(status)
        return self._out[0]

    def reset(self) -> None:
        """Empties the window."""
        status = lib.rk_trend_window_reset(self._handle)
        if status:
            self._raise(status)

    def _raise(self, status: int):
        if not self._handle:
            raise ValueError("TrendWindow is closed")
        raise_for(status)




# ---- pairwise signals -------------------------------------------------------------------
#
# The wrappers are kept flat on purpose: a call costs ~0.15 µs of FFI, so every extra Python
# layer shows. Each encodes both texts once (cffi passes bytes straight as const uint8_t*),
# reuses this thread's result slot (cffi releases the GIL during the call, so a slot shared by
# threads could be overwritten before it is read), and runs the shared checks only when the
# encoding fails, to raise exactly what the Python twin raises.

# The four single-call wrappers below repeat the same few lines on purpose: a shared helper
# would add a Python call (~50 ns) to calls that take 0.35-0.9 µs in all. Keep them in step.
_encode = str.encode
_entity_overlap = lib.rk_signal_entity_overlap
_numerical_consistency = lib.rk_signal_numerical_consistency
_negation_flip = lib.rk_signal_negation_flip
_traceability = lib.rk_signal_traceability
_NUMERICAL = (False, True, None)  # indexed by the result: 0, 1, -1


def entity_overlap(text_a: str, text_b: str) -> float:
    """Jaccard overlap of capitalised-phrase entities; see ragkernels.signals._py."""
    try:
        a = _encode(text_a)
        b = _encode(text_b)
    except (TypeError, UnicodeEncodeError):
        check_pair("entity_overlap", "text_a", text_a, "text_b", text_b)
        raise
    try:
        out = _local.double
    except AttributeError:
        out = _slots().double
    status = _entity_overlap(a, len(a), b, len(b), out)
    if status:
        raise_for(status)
    return out[0]


def numerical_consistency(text_a: str, text_b: str) -> bool | None:
    """Whether two texts share a number; see ragkernels.signals._py."""
    try:
        a = _encode(text_a)
        b = _encode(text_b)
    except (TypeError, UnicodeEncodeError):
        check_pair("numerical_consistency", "text_a", text_a, "text_b", text_b)
        raise
    try:
        out = _local.int32
    except AttributeError:
        out = _slots().int32
    status = _numerical_consistency(a, len(a), b, len(b), out)
    if status:
        raise_for(status)
    return _NUMERICAL[out[0]]


def negation_flip(claim: str, source: str) -> bool:
    """Whether exactly one side is negated over >= 3 shared words; see ragkernels.signals._py."""
    try:
        c = _encode(claim)
        s = _encode(source)
    except (TypeError, UnicodeEncodeError):
        check_pair("negation_flip", "claim", claim, "source", source)
        raise
    try:
        out = _local.int32
    except AttributeError:
        out = _slots().int32
    status = _negation_flip(c, len(c), s, len(s), out)
    if status:
        raise_for(status)
    return out[0] == 1


def traceability(claim: str, source: str) -> float:
    """Share of the claim's content words found in the source; see ragkernels.signals._py."""
    try:
        c = _encode(claim)
        s = _encode(source)
    except (TypeError, UnicodeEncodeError):
        check_pair("traceability", "claim", claim, "source", source)
        raise
    try:
        out = _local.double
    except AttributeError:
        out = _slots().double
    status = _traceability(c, len(c), s, len(s), out)
    if status:
        raise_for(status)
    return out[0]


# CPython's UTF-8 view of a str (documented C API, stable ABI): for an ASCII str it is the
# string's own storage, so a large ASCII batch crosses without being copied into bytes (a fresh
# multi-megabyte bytes object costs more in page faults than the copy itself).
_as_utf8 = ctypes.pythonapi.PyUnicode_AsUTF8AndSize
_as_utf8.restype = ctypes.c_void_p
_as_utf8.argtypes = [ctypes.py_object, ctypes.POINTER(ctypes.c_ssize_t)]
_size = ctypes.c_ssize_t()


def _pack(texts) -> tuple[object, int, np.ndarray, object]:
    """(pointer, byte length, count + 1 int64 offsets, owner): the texts as one UTF-8 buffer.
    `owner` keeps the memory alive. Raises TypeError or UnicodeEncodeError for an element that
    is not encodable text (the caller then runs the shared checks for the exact message)."""
    joined = "".join(texts)
    offsets = np.empty(len(texts) + 1, dtype=np.int64)
    offsets[0] = 0
    if joined.isascii():
        # One byte per character: the offsets are the str lengths.
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=offsets[1:])
        address = _as_utf8(joined, ctypes.byref(_size))
        return ffi.cast("const uint8_t*", address), len(joined), offsets, joined
    encoded = [_encode(t) for t in texts]
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    data = b"".join(encoded)
    return data, len(data), offsets, data


def _batch(function: str, kernel, claims, sources, dtype, ctype, which):
    if _fast_batch is not None and (type(claims) is list or type(claims) is tuple) \
            and (type(sources) is list or type(sources) is tuple) and len(claims) == len(sources):
        # The fastcall extension hands the kernel each str's own storage (an rk_text each: no
        # join, no copy, no encoding, no offsets arrays in Python; the kernel's threads convert
        # non-ASCII text to UTF-8) and releases the GIL around the kernel. Each slice is a range
        # of the whole lists (no sliced copies), run in calls of at most a few MB of text each. False: an element is not an encodable str, or the
        # kernel refused; the path below then raises exactly what it raises.
        results = np.empty(len(claims), dtype=dtype)
        run = lambda start, stop: _fast_batch(which, claims, sources, results, start, stop)  # noqa: E731
        for start, stop in _batch_slices(len(claims), _FAST_PROBE_FACTOR):
            if _slices.walk(run, start, stop) < stop:
                break
        else:
            return results
    claims = text_sequence(function, "claims", claims)
    sources = text_sequence(function, "sources", sources)
    try:
        if len(claims) != len(sources):
            raise ValueError
        claim_data, claim_length, claim_offsets, claim_owner = _pack(claims)
        source_data, source_length, source_offsets, source_owner = _pack(sources)
    except (TypeError, ValueError):  # UnicodeEncodeError is a ValueError
        check_pairs(function, claims, sources)
        raise
    count = len(claims)
    results = np.empty(count, dtype=dtype)
    # The offsets are absolute, so a slice is a view of the offsets and results; the buffers
    # stay whole.
    for start, stop in _batch_slices(count):
        status = kernel(claim_data, claim_length, ffi.from_buffer("int64_t[]", claim_offsets[start:stop + 1]),
                        source_data, source_length, ffi.from_buffer("int64_t[]", source_offsets[start:stop + 1]),
                        stop - start, ffi.from_buffer(ctype, results[start:stop]))
        if status:
            raise_for(status)
    del claim_owner, source_owner  # alive until the calls have returned
    return results


_BATCH_PROBE = 4096  # pairs in the first slice of a batch; at most this many are one slice
# The fastcall path probes with 4 times as many: it also caps each native call at a few MB of
# text (a slice of long texts takes several short calls), so 10,000 reference pairs are one call.
_FAST_PROBE_FACTOR = 4


def _batch_slices(count: int, factor: int = 1):
    """(start, stop) ranges of a batch of `count` pairs: many pairs run as slices of about 50 ms
    so that Ctrl-C is honoured (issue 7); a small batch is one slice."""
    probe = _BATCH_PROBE * factor
    return [(0, count)] if count <= probe else _slices.slices(count, probe)


def entity_overlap_batch(claims, sources) -> np.ndarray:
    """entity_overlap of each pair, float64 array; see ragkernels.signals._py."""
    return _batch("entity_overlap_batch", lib.rk_signal_entity_overlap_batch, claims, sources, np.float64, "double[]", 0)


def numerical_consistency_batch(claims, sources) -> np.ndarray:
    """numerical_consistency of each pair, int8 array (1, 0, -1 = None); see ragkernels.signals._py."""
    return _batch("numerical_consistency_batch", lib.rk_signal_numerical_consistency_batch, claims, sources,
                  np.int8, "int8_t[]", 1)


def negation_flip_batch(claims, sources) -> np.ndarray:
    """negation_flip of each pair, bool array; see ragkernels.signals._py."""
    return _batch("negation_flip_batch", lib.rk_signal_negation_flip_batch, claims, sources, np.bool_, "uint8_t[]", 2)


def traceability_batch(claims, sources) -> np.ndarray:
    """traceability of each pair, float64 array; see ragkernels.signals._py."""
    return _batch("traceability_batch", lib.rk_signal_traceability_batch, claims, sources, np.float64, "double[]", 3)


# ---- the fastcall path ------------------------------------------------------------------
#
# When the fastcall extension is in use (ragkernels._native.fastcall, _fastcall.c), the four
# single calls and trend_drop ARE its C functions: no Python frame between the caller and the export. They
# take the UTF-8 of the two str without copying (ASCII) and answer directly; every unusual case
# (keyword arguments, a non-str, lone surrogates, a non-zero status) calls the cffi wrapper
# above, kept as the fallback, so errors stay exactly the Python twin's (trend_drop: a list or
# tuple of exact floats/ints; anything else, numpy arrays included, goes to the cffi wrapper).
# The batches try its `batch` first (see _batch), TrendWindow.push its `window_push`. RAGKERNELS_FASTCALL=0 keeps the cffi wrappers.

_SINGLE_CALLS = {
    "rk_signal_entity_overlap": entity_overlap,
    "rk_signal_numerical_consistency": numerical_consistency,
    "rk_signal_negation_flip": negation_flip,
    "rk_signal_traceability": traceability,
    "rk_signal_trend_drop": trend_drop,
}
_BATCH_CALLS = ["rk_signal_entity_overlap_batch_texts", "rk_signal_numerical_consistency_batch_texts",
                "rk_signal_negation_flip_batch_texts", "rk_signal_traceability_batch_texts"]
cffi_entity_overlap = entity_overlap
cffi_numerical_consistency = numerical_consistency
cffi_negation_flip = negation_flip
cffi_traceability = traceability
cffi_trend_drop = trend_drop


def _fastcall_docs() -> dict:
    """The twin's docstring under each C function's signature line (for help() and inspect)."""
    import inspect

    from . import _py

    docs = {}
    for export, wrapper in _SINGLE_CALLS.items():
        twin = getattr(_py, wrapper.__name__)
        parameters = ", ".join(inspect.signature(twin).parameters)
        docs[export] = f"{wrapper.__name__}($module, {parameters})\n--\n\n{inspect.getdoc(twin)}"
    return docs


_fastcall = bind_fastcall(list(_SINGLE_CALLS) + _BATCH_CALLS + ["rk_trend_window_push"], _SINGLE_CALLS,
                          _fastcall_docs())
_fast_batch = _fast_push = None
if _fastcall is not None:
    entity_overlap = _fastcall.entity_overlap
    numerical_consistency = _fastcall.numerical_consistency
    negation_flip = _fastcall.negation_flip
    traceability = _fastcall.traceability
    trend_drop = _fastcall.trend_drop
    _fast_batch = _fastcall.batch
    _fast_push = _fastcall.window_push
