"""ABI fuzzer (issue 7), run as a child process by tests/test_abi_fuzz.py.

    python tests/_abi_fuzz.py --examples N --trace FILE [--model DIR] [--only rk_x,rk_y] [--huge]

Every export declared in ragkernels.h is called with hypothesis-generated arguments: valid ones
(checked against the pure-Python twins where a twin exists) and adversarial ones (NULL pointers,
negative and overflowing lengths, offsets that go backwards or leave the buffer, invalid UTF-8,
freed/forged/foreign handles, NaN/inf). Each call must return a known status; RK_INTERNAL (an
exception the export did not anticipate) counts as a failure, as does a wrong result.

Every buffer handed to the library sits at the end of its own mmap'ed pages with an
inaccessible page on each side, so a read or write outside it is a segfault, not silent
corruption. Before each call the export and its arguments are written to the trace file: if
the process dies, the parent reads the last line and reports what killed it.

What the fuzzer does not do: pass a length larger than the buffer behind the pointer when that
length is within the export's documented range (the library cannot check memory it is not
given; that is the caller's contract). "Huge" lengths are therefore values beyond the documented
ranges (>= 2^31, up to 2^63 - 1, and negative ones), which must be refused without touching or
allocating memory.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import mmap
import os
import sys
import time

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ragkernels import _native
from ragkernels.signals import _py as sig_py
from ragkernels.vector import _py as vec_py

ffi, lib = _native.ffi, _native.lib
if lib is None:
    sys.exit(f"native library not available: {_native.load_error}")

OK = lib.RK_OK
KNOWN = {lib.RK_OK, lib.RK_INVALID_ARGUMENT, lib.RK_NULL_POINTER, lib.RK_BUFFER_TOO_SMALL,
         lib.RK_INVALID_HANDLE, lib.RK_INVALID_UTF8, lib.RK_NOT_FOUND, lib.RK_IO, lib.RK_FORMAT,
         lib.RK_CANCELLED, lib.RK_ONNXRUNTIME_MISSING}  # not RK_OUT_OF_MEMORY: nothing here needs much
HUGE = [2**31, 2**31 + 1, 2**32, 2**40, 2**62, 2**63 - 1]
NEGATIVE = [-1, -2, -(2**31), -(2**63)]
BAD_LENGTHS = HUGE + NEGATIVE
BAD_UTF8 = [b"\xff", b"\xfe", b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xed\xbf\xbf",
            b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80", b"\x80", b"\xbf",
            b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98"]

# ---- guarded memory ------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
PAGE = mmap.PAGESIZE
_PROT_NONE, _PROT_RW = 0, mmap.PROT_READ | mmap.PROT_WRITE
_MAP = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS


class Arena:
    """Buffers with a PROT_NONE page before and after (data right-aligned against the after one)."""

    def __init__(self):
        self.maps = []

    def raw(self, data: bytes, ctype: str = "uint8_t *"):
        n = len(data)
        pages = (n + PAGE - 1) // PAGE
        size = (pages + 2) * PAGE
        base = _libc.mmap(None, size, _PROT_RW, _MAP, -1, 0)
        if base in (None, ctypes.c_void_p(-1).value):
            raise MemoryError("mmap failed")
        self.maps.append((base, size))
        _libc.mprotect(base, PAGE, _PROT_NONE)
        _libc.mprotect(base + (pages + 1) * PAGE, PAGE, _PROT_NONE)
        address = base + (pages + 1) * PAGE - n
        if n:
            ctypes.memmove(address, data, n)
        return ffi.cast(ctype, address)

    def array(self, ctype: str, values):
        fmt = {"int64_t": "<q", "double": "<d", "float": "<f", "int32_t": "<i", "uint8_t": "<B", "int8_t": "<b",
               "uint64_t": "<Q"}[ctype]
        data = b"".join(np.array(values, dtype=np.dtype(fmt)).tobytes() for _ in [0]) if len(values) else b""
        return self.raw(data, ctype + " *")

    def out(self, ctype: str, n: int):
        """An output buffer of n elements (filled with 0xAB bytes)."""
        size = ffi.sizeof(ctype) * n
        return self.raw(b"\xab" * size, ctype + " *")

    def read(self, pointer, ctype: str, n: int):
        return list(ffi.unpack(ffi.cast(ctype + " *", pointer), n)) if n else []

    def free(self):
        for base, size in self.maps:
            _libc.munmap(base, size)
        self.maps.clear()


# ---- the trace and the counts --------------------------------------------------------------

TRACE_FD = None
SANE = False
COUNTS: dict[str, int] = {}
STATUSES: dict[str, dict[int, int]] = {}


def describe(value):
    if isinstance(value, ffi.CData):
        return "NULL" if value == ffi.NULL else f"<{ffi.typeof(value).cname} buffer>"
    if isinstance(value, bytes) and len(value) > 64:
        return f"<{len(value)} bytes {value[:32]!r}...>"
    return repr(value)


def call(name: str, *args, note: str = ""):
    """Calls lib.<name>(*args) after writing it to the trace; checks the status is known."""
    line = f"{name}({', '.join(describe(a) for a in args)}){' ' + note if note else ''}\n"
    os.write(TRACE_FD, line.encode("utf-8", "replace"))
    status = getattr(lib, name)(*args)
    COUNTS[name] = COUNTS.get(name, 0) + 1
    STATUSES.setdefault(name, {}).setdefault(status, 0)
    STATUSES[name][status] += 1
    assert status in KNOWN, f"{line.strip()} returned unknown/internal status {status}: {last_error()}"
    return status


def last_error() -> str:
    needed = ffi.new("int64_t*")
    lib.rk_last_error_message(ffi.NULL, 0, needed)
    buffer = ffi.new("uint8_t[]", max(needed[0], 1))
    lib.rk_last_error_message(buffer, needed[0], needed)
    return bytes(ffi.buffer(buffer, needed[0])).decode("utf-8", "replace")


# ---- strategies ----------------------------------------------------------------------------

def utf8_or_not():
    valid = st.text(max_size=40).map(lambda s: s.encode())
    words = st.lists(st.sampled_from(["The", "Paris", "not", "never", "42", "3.5%", "rose", "fell", "café", "Ünï",
                                      "2024", "no", "Berlin", "fox", "$1,200", "-7", "1e9", "中文"]),
                     max_size=12).map(lambda w: " ".join(w).encode())
    broken = st.tuples(st.one_of(valid, words), st.sampled_from(BAD_UTF8), st.integers(0, 40)).map(
        lambda t: t[0][:t[2]] + t[1] + t[0][t[2]:])
    return st.one_of(valid, words, st.binary(max_size=40), broken)


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def draw_text(draw, arena):
    """(pointer, length, bytes or None): bytes is what the library may read when the call is
    well formed, None when the arguments are malformed (NULL with a length, bad length)."""
    mode = "ok" if SANE else draw(st.sampled_from(["ok", "ok", "ok", "ok", "prefix", "null0", "null", "neg", "huge"]))
    data = draw(utf8_or_not())
    if mode == "ok":
        return arena.raw(data), len(data), data
    if mode == "prefix":
        cut = draw(st.integers(0, len(data)))
        return arena.raw(data), cut, data[:cut]
    if mode == "null0":
        return ffi.NULL, 0, b""
    if mode == "null":
        return ffi.NULL, draw(st.sampled_from([1, 7] + HUGE)), None
    return arena.raw(data), draw(st.sampled_from(NEGATIVE if mode == "neg" else HUGE)), None


def draw_batch(draw, arena, count):
    """(buffer, length, offsets, items or None) for a batch of count items."""
    items = draw(st.lists(utf8_or_not(), min_size=count, max_size=count))
    base = draw(st.sampled_from([0, 0, 0, 3]))
    buffer = b"\x00" * base + b"".join(items)
    offsets = [base]
    for item in items:
        offsets.append(offsets[-1] + len(item))
    mode = "ok" if SANE else draw(st.sampled_from(["ok"] * 6 + ["null_offsets", "null_buffer", "backwards", "past_end", "negative",
                                             "huge_offset", "neg_length", "huge_length"]))
    length = len(buffer)
    if mode == "null_offsets":
        return arena.raw(buffer), length, ffi.NULL, None
    if mode == "null_buffer" and length > 0:
        return ffi.NULL, length, arena.array("int64_t", offsets), None
    if mode == "backwards" and count >= 1 and offsets[-1] > offsets[0]:
        i = draw(st.integers(0, count - 1))
        bad = list(offsets)
        bad[i + 1] = bad[i] - 1 if bad[i] > 0 else -1
        return arena.raw(buffer), length, arena.array("int64_t", bad), None
    if mode == "past_end" and count >= 1:
        bad = list(offsets)
        bad[-1] = length + draw(st.integers(1, 10**6))
        return arena.raw(buffer), length, arena.array("int64_t", bad), None
    if mode == "negative":
        bad = list(offsets)
        bad[0] = draw(st.sampled_from(NEGATIVE))
        return arena.raw(buffer), length, arena.array("int64_t", bad), None
    if mode == "huge_offset" and count >= 1:
        bad = list(offsets)
        bad[draw(st.integers(1, count))] = draw(st.sampled_from(HUGE))
        return arena.raw(buffer), length, arena.array("int64_t", bad), None
    if mode == "neg_length":
        return arena.raw(buffer), draw(st.sampled_from(NEGATIVE)), arena.array("int64_t", offsets), None
    if mode == "huge_length":
        return arena.raw(buffer), draw(st.sampled_from(HUGE)), arena.array("int64_t", offsets), None
    return arena.raw(buffer), length, arena.array("int64_t", offsets), items


def draw_spans(draw, arena, count):
    """(rk_span array, items or None) for a gathered batch of count items: each text in its own
    guarded buffer, so a read past any text's end is a segfault."""
    items = draw(st.lists(utf8_or_not(), min_size=count, max_size=count))
    pointers = [arena.raw(item) for item in items]
    lengths = [len(item) for item in items]
    mode = "ok" if SANE else draw(st.sampled_from(["ok"] * 6 + ["null_array", "null_data", "null_empty", "neg_length",
                                                                "huge_length"]))
    if mode == "null_array":
        return ffi.NULL, ([] if count == 0 else None)  # no texts need no array
    if mode == "null_empty" and count >= 1:
        i = draw(st.integers(0, count - 1))
        pointers[i], lengths[i], items[i] = ffi.NULL, 0, b""  # an empty text may have no data
    elif mode != "ok" and count >= 1:
        i = draw(st.integers(0, count - 1))
        if mode == "null_data":
            pointers[i], lengths[i] = ffi.NULL, draw(st.sampled_from([1, 7] + HUGE))
        else:
            lengths[i] = draw(st.sampled_from(NEGATIVE if mode == "neg_length" else HUGE))
        items = None
    packed = b"".join(int(ffi.cast("uintptr_t", p)).to_bytes(8, "little") + n.to_bytes(8, "little", signed=True)
                      for p, n in zip(pointers, lengths))
    assert ffi.sizeof("rk_span") == 16
    return arena.raw(packed, "rk_span *"), items


def code_points():
    """A str as a Python str may hold it (any code point, surrogates too), and its PEP 393 width."""
    alphabet = st.one_of(st.characters(max_codepoint=0x7F), st.characters(min_codepoint=0x80, max_codepoint=0xFF),
                         st.characters(min_codepoint=0x100, max_codepoint=0xFFFF),
                         st.characters(min_codepoint=0x10000), st.sampled_from(["\ud800", "\udfff", "\ud83d\ude00"]))
    return st.lists(alphabet, max_size=40).map("".join)


def draw_texts(draw, arena, count):
    """(rk_text array, items or None) for a batch of count texts: each the UTF-8 of a text (maybe
    broken) or a text's code points at width 1, 2 or 4, in its own guarded buffer. items holds
    each text's UTF-8, or BAD_UTF8[0] for one with no UTF-8 form (a surrogate, or above
    U+10FFFF at width 4), so check_batch expects RK_INVALID_UTF8 for both kinds."""
    pointers, lengths, encodings, items = [], [], [], []
    for _ in range(count):
        width = draw(st.sampled_from([0, 1, 2, 4]))
        if width == 0:
            data = draw(utf8_or_not())
            pointers.append(arena.raw(data))
            lengths.append(len(data))
            items.append(data)
        else:
            text = draw(code_points())
            points = [ord(c) for c in text if ord(c) < 256 ** width]  # what the width can hold
            if width == 4 and draw(st.integers(0, 9)) == 0:
                points.insert(draw(st.integers(0, len(points))), draw(st.sampled_from([0x110000, 0xFFFFFFFF])))
            dtype = {1: "<u1", 2: "<u2", 4: "<u4"}[width]
            pointers.append(arena.raw(np.array(points, dtype=dtype).tobytes()))
            lengths.append(len(points))
            try:
                items.append("".join(map(chr, points)).encode("utf-8"))
            except (UnicodeEncodeError, ValueError, OverflowError):  # a surrogate; above U+10FFFF
                items.append(BAD_UTF8[0])
        encodings.append(width)
    reserved = [0] * count
    mode = "ok" if SANE else draw(st.sampled_from(["ok"] * 6 + ["null_array", "null_data", "null_empty", "neg_length",
                                                                "huge_length", "bad_encoding", "reserved"]))
    if mode == "null_array":
        return ffi.NULL, ([] if count == 0 else None)
    if mode == "null_empty" and count >= 1:
        i = draw(st.integers(0, count - 1))
        pointers[i], lengths[i], items[i] = ffi.NULL, 0, b""
    elif mode != "ok" and count >= 1:
        i = draw(st.integers(0, count - 1))
        if mode == "null_data":
            pointers[i], lengths[i] = ffi.NULL, draw(st.sampled_from([1, 7] + HUGE))
        elif mode == "bad_encoding":
            encodings[i] = draw(st.sampled_from([-1, 3, 5, 8, 2**31 - 1]))
        elif mode == "reserved":
            reserved[i] = draw(st.sampled_from([1, -1]))
        else:
            lengths[i] = draw(st.sampled_from(NEGATIVE if mode == "neg_length" else HUGE))
        items = None
    packed = b"".join(int(ffi.cast("uintptr_t", p)).to_bytes(8, "little") + n.to_bytes(8, "little", signed=True)
                      + e.to_bytes(4, "little", signed=True) + r.to_bytes(4, "little", signed=True)
                      for p, n, e, r in zip(pointers, lengths, encodings, reserved))
    assert ffi.sizeof("rk_text") == 24
    return arena.raw(packed, "rk_text *"), items


def draw_count(draw, actual):
    """The real count most of the time; otherwise a count the export must refuse."""
    return actual if SANE else draw(st.sampled_from([actual] * 5 + BAD_LENGTHS))


def draw_double():
    return st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(
        [0.0, -0.0, math.nan, math.inf, -math.inf, 5e-324, 1.7976931348623157e308, -1.0]))


# ---- handles -------------------------------------------------------------------------------

KINDS = ["trend", "bm25", "embed", "vector"]
FREE_FN = {"trend": "rk_trend_window_free", "bm25": "rk_bm25_free", "embed": "rk_embed_free",
           "vector": "rk_vector_index_free"}
LIVE: dict[str, int] = {}
BM25_INT = 0  # a BM25 index with integer ids, for filtered and hybrid searches
FREED: dict[str, int] = {}
MODEL_DIR: str | None = None


def new_handle(kind: str) -> int:
    out = ffi.new("uint64_t*")
    if kind == "trend":
        status = lib.rk_trend_window_create(5, out)
    elif kind == "bm25":
        status = lib.rk_bm25_create(0, 1.5, 0.75, 0.5, 0.25, 0, 0, out)
    elif kind == "vector":
        status = lib.rk_vector_index_create(4, 1, out)
    else:
        path = MODEL_DIR.encode()
        status = lib.rk_embed_create(path, len(path), ffi.NULL, 0, 0, 1, 1, 0, out)
    assert status == OK, (kind, status, last_error())
    return out[0]


def setup_handles():
    for kind in KINDS:
        if kind == "embed" and MODEL_DIR is None:
            continue
        LIVE[kind] = new_handle(kind)
        freed = new_handle(kind)
        assert getattr(lib, FREE_FN[kind])(freed) == OK
        FREED[kind] = freed
    # A few documents and vectors to search.
    docs = [b"the quick brown fox", b"paris is the capital of france", b"foxes are not dogs", b"", b"caf\xc3\xa9 au lait"]
    text = b"".join(docs)
    starts = np.cumsum([0] + [len(d) for d in docs]).tolist()
    ids = b"abcde"
    assert lib.rk_bm25_add(LIVE["bm25"], text, len(text), ffi.new("int64_t[]", starts), len(docs), ffi.NULL, 0, ids, 5,
                           ffi.new("int64_t[]", [0, 1, 2, 3, 4, 5]), ffi.new("int64_t[]", [0, 1, 2, 3, 4])) == OK
    # Filters and hybrid search need integer document ids ("i<digits>", the ids the vectors use).
    global BM25_INT
    BM25_INT = new_handle("bm25")
    int_ids = b"i0i1i2i3i4"
    assert lib.rk_bm25_add(BM25_INT, text, len(text), ffi.new("int64_t[]", starts), len(docs), ffi.NULL, 0, int_ids,
                           len(int_ids), ffi.new("int64_t[]", [0, 2, 4, 6, 8, 10]),
                           ffi.new("int64_t[]", [0, 1, 2, 3, 4])) == OK
    vectors = np.random.default_rng(7).standard_normal((6, 4)).astype(np.float32)
    assert lib.rk_vector_index_add(LIVE["vector"], ffi.from_buffer("float[]", vectors), 6, ffi.NULL, ffi.NULL) == OK


def draw_handle(draw, kind):
    """(handle, is_valid): the live handle of this kind, or a freed, foreign, forged one."""
    live = LIVE.get(kind)
    choices = ["live"] * 4 + ["freed", "foreign", "zero", "random", "forged_generation", "forged_slot", "kind_only"]
    mode = "live" if SANE else draw(st.sampled_from(choices))
    if mode == "live" and live is not None:
        return live, True
    if mode == "freed" and kind in FREED:
        return FREED[kind], False
    if mode == "foreign":
        others = [h for k, h in LIVE.items() if k != kind]
        return draw(st.sampled_from(others)), False
    if mode == "forged_generation" and live is not None:
        return live ^ (draw(st.integers(1, 0xFFFFFF)) << 32), False
    if mode == "forged_slot" and live is not None:
        forged = (live & ~0xFFFFFFFF) | draw(st.integers(0, 0xFFFFFFFF))
        return forged, forged == live
    if mode == "kind_only":
        return draw(st.integers(0, 255)) << 56, False
    if mode == "random":
        value = draw(st.integers(0, 2**64 - 1))
        return value, value == live
    return 0, False


def handle_still_live(kind):
    """The fixture handle of this kind still answers (nothing freed it by mistake)."""
    if kind not in LIVE:
        return
    h = LIVE[kind]
    if kind == "trend":
        assert lib.rk_trend_window_push(h, 0.5, ffi.new("double*")) == OK
    elif kind == "bm25":
        assert lib.rk_bm25_len(h, ffi.new("int64_t*")) == OK
    elif kind == "vector":
        assert lib.rk_vector_index_count(h, ffi.new("int64_t*")) == OK
    else:
        assert lib.rk_embed_dim(h, ffi.new("int64_t*"), ffi.new("int64_t*")) == OK


# ---- the fuzz targets: one per export ------------------------------------------------------

TARGETS = {}


def target(*names):
    def register(fn):
        for name in names:
            TARGETS[name] = (fn, name)
        return fn
    return register


def out_or_null(draw, arena, ctype, n=1):
    return ffi.NULL if not SANE and draw(st.integers(0, 9)) == 0 else arena.out(ctype, n)


@target("rk_abi_version")
def f_abi(data, arena, name):
    os.write(TRACE_FD, b"rk_abi_version()\n")
    assert lib.rk_abi_version() == lib.RK_ABI_VERSION
    COUNTS[name] = COUNTS.get(name, 0) + 1


@target("rk_bench_noop")
def f_noop(data, arena, name):
    assert call(name) == OK


@target("rk_last_error_message", "rk_build_info")
def f_message(data, arena, name):
    draw = data.draw
    # A capacity is the caller's word for its buffer's size: only negative ones can be refused.
    cap = draw(st.one_of(st.integers(0, 300), st.sampled_from(NEGATIVE)))
    buffer = ffi.NULL if draw(st.booleans()) and cap != 0 else arena.out("uint8_t", cap if 0 <= cap <= 300 else 8)
    needed = out_or_null(draw, arena, "int64_t")
    status = call(name, buffer, cap, needed)
    if needed == ffi.NULL or cap < 0 or cap > 300:
        return
    if status == OK:
        assert 0 <= needed[0] <= cap


@target("rk_bench_kernel")
def f_bench(data, arena, name):
    draw = data.draw
    real = draw(st.booleans())
    text = draw(st.sampled_from([b"trend_drop", b"noop", b"entity_overlap"])) if real else draw(utf8_or_not())
    warmup = draw(st.one_of(st.integers(0, 2), st.sampled_from(BAD_LENGTHS)))
    count = draw(st.one_of(st.integers(0, 3), st.sampled_from(BAD_LENGTHS)))
    ns = out_or_null(draw, arena, "double", count if 0 <= count <= 3 else 1)
    status = call(name, arena.raw(text), len(text), warmup, ns, count)
    if warmup in BAD_LENGTHS or count in BAD_LENGTHS:
        assert status != OK


@target("rk_signal_trend_drop")
def f_trend_drop(data, arena, name):
    draw = data.draw
    values = draw(st.lists(draw_double(), max_size=40))
    count = draw_count(draw, len(values))
    pointer = ffi.NULL if not SANE and draw(st.integers(0, 9)) == 0 else arena.array("double", values)
    result = out_or_null(draw, arena, "double")
    status = call(name, pointer, count, result)
    if status == OK and count == len(values) and result != ffi.NULL and (pointer != ffi.NULL or count == 0):
        expected = sig_py.trend_drop(np.array(values, dtype=np.float64)) if values else sig_py.trend_drop([])
        got = result[0]
        assert got == expected or (math.isnan(got) and math.isnan(expected)) or math.isclose(got, expected, rel_tol=1e-12), \
            (values, got, expected)
    if count in BAD_LENGTHS or result == ffi.NULL:
        assert status != OK


@target("rk_trend_window_create")
def f_window_create(data, arena, name):
    draw = data.draw
    size = draw(st.one_of(st.integers(-3, 70), st.sampled_from(BAD_LENGTHS + [1 << 20, (1 << 20) + 1])))
    handle = out_or_null(draw, arena, "uint64_t")
    status = call(name, size, handle)
    if status == OK:
        assert 1 <= size <= 1 << 20 and handle != ffi.NULL
        assert lib.rk_trend_window_free(handle[0]) == OK
    elif 1 <= size <= 1 << 20 and handle != ffi.NULL:
        raise AssertionError(f"size {size} refused: {last_error()}")


@target("rk_trend_window_push", "rk_trend_window_reset")
def f_window(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "trend")
    if name == "rk_trend_window_reset":
        status = call(name, handle)
    else:
        out = out_or_null(draw, arena, "double")
        status = call(name, handle, draw(draw_double()), out)
        valid = valid and out != ffi.NULL
    assert (status == OK) == valid, (status, valid, last_error())
    handle_still_live("trend")


@target("rk_trend_window_free", "rk_bm25_free", "rk_embed_free", "rk_vector_index_free")
def f_free(data, arena, name):
    draw = data.draw
    kind = {v: k for k, v in FREE_FN.items()}[name]
    if kind not in LIVE:  # no model folder: only invalid handles
        handle = draw(st.sampled_from([0, 1, 2**64 - 1] + list(LIVE.values())))
        assert call(name, handle) == lib.RK_INVALID_HANDLE
        return
    fresh = new_handle(kind)
    mode = "fresh" if SANE else draw(st.sampled_from(["fresh", "double", "freed", "foreign", "forged", "random"]))
    if mode == "fresh":
        assert call(name, fresh) == OK
        return
    if mode == "double":
        assert call(name, fresh) == OK
        assert call(name, fresh) == lib.RK_INVALID_HANDLE
        return
    handle = {"freed": FREED[kind], "foreign": draw(st.sampled_from([h for k, h in LIVE.items() if k != kind])),
              "forged": fresh ^ (draw(st.integers(1, 0xFFFFFF)) << 32),
              "random": draw(st.integers(0, 2**64 - 1))}[mode]
    status = call(name, handle)
    assert status == (OK if handle == fresh else lib.RK_INVALID_HANDLE)
    if handle != fresh:
        assert getattr(lib, name)(fresh) == OK
    for k in LIVE:
        handle_still_live(k)


PAIR = {"rk_signal_entity_overlap": ("double", sig_py.entity_overlap),
        "rk_signal_numerical_consistency": ("int32_t", sig_py.numerical_consistency),
        "rk_signal_negation_flip": ("int32_t", sig_py.negation_flip),
        "rk_signal_traceability": ("double", sig_py.traceability)}


def expected_pair(name, a: bytes, b: bytes):
    value = PAIR[name.replace("_batch", "")][1](a.decode(), b.decode())
    if value is None:
        return -1
    if isinstance(value, bool):
        return int(value)
    return value


def same(got, expected):
    if isinstance(expected, float):
        return got == expected or math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-15)
    return got == expected


@target(*PAIR)
def f_pair(data, arena, name):
    draw = data.draw
    a, a_len, a_bytes = draw_text(draw, arena)
    b, b_len, b_bytes = draw_text(draw, arena)
    out = out_or_null(draw, arena, PAIR[name][0])
    status = call(name, a, a_len, b, b_len, out)
    if a_bytes is None or b_bytes is None or out == ffi.NULL:
        assert status != OK
        return
    if not is_utf8(a_bytes) or not is_utf8(b_bytes):
        assert status == lib.RK_INVALID_UTF8, status
        return
    assert status == OK, last_error()
    assert same(out[0], expected_pair(name, a_bytes, b_bytes)), (a_bytes, b_bytes, out[0])


BATCH = {"rk_signal_entity_overlap_batch": "double", "rk_signal_numerical_consistency_batch": "int8_t",
         "rk_signal_negation_flip_batch": "uint8_t", "rk_signal_traceability_batch": "double"}


@target(*BATCH)
def f_batch(data, arena, name):
    draw = data.draw
    n = draw(st.integers(0, 6))
    a, a_len, a_off, a_items = draw_batch(draw, arena, n)
    b, b_len, b_off, b_items = draw_batch(draw, arena, n)
    count = draw_count(draw, n)
    results = out_or_null(draw, arena, BATCH[name], max(n, 1))
    status = call(name, a, a_len, a_off, b, b_len, b_off, count, results)
    check_batch(name, status, arena, results, BATCH[name], n, count, a_items, b_items,
                must_refuse=count in BAD_LENGTHS or a_off == ffi.NULL or b_off == ffi.NULL)


def check_batch(name, status, arena, results, ctype, n, count, a_items, b_items, must_refuse):
    """A pair batch's outcome: malformed arguments (items None) may only fail, and must when
    must_refuse; invalid UTF-8 gives RK_INVALID_UTF8; else every result is the twin's."""
    if a_items is None or b_items is None or count != n or (results == ffi.NULL and n > 0):
        if must_refuse:
            assert status != OK
        return
    if not all(is_utf8(x) for x in a_items + b_items):
        assert status == lib.RK_INVALID_UTF8, status
        return
    assert status == OK, last_error()
    got = arena.read(results, ctype, n)
    for i in range(n):
        assert same(got[i], expected_pair(name, a_items[i], b_items[i])), (i, a_items[i], b_items[i], got[i])


# The gathered forms: one rk_span (UTF-8) or one rk_text (UTF-8 or code points) per text.
GATHERED_BATCH = {name + form: ctype for name, ctype in BATCH.items() for form in ("_spans", "_texts")}


@target(*GATHERED_BATCH)
def f_gathered_batch(data, arena, name):
    draw = data.draw
    draw_side = draw_spans if name.endswith("_spans") else draw_texts
    n = draw(st.integers(0, 6))
    a, a_items = draw_side(draw, arena, n)
    b, b_items = draw_side(draw, arena, n)
    count = draw_count(draw, n)
    results = out_or_null(draw, arena, GATHERED_BATCH[name], max(n, 1))
    status = call(name, a, b, count, results)
    check_batch(name.rsplit("_", 1)[0], status, arena, results, GATHERED_BATCH[name], n, count, a_items, b_items,
                must_refuse=count in BAD_LENGTHS or ((a == ffi.NULL or b == ffi.NULL) and n > 0))


# ---- bm25 ----

@target("rk_bm25_create")
def f_bm25_create(data, arena, name):
    draw = data.draw
    method = draw(st.integers(-2, 5))
    k1, b, delta, eps = (draw(draw_double()) for _ in range(4))
    tokenizer, stop = draw(st.integers(-1, 2)), draw(st.integers(-1, 2))
    handle = out_or_null(draw, arena, "uint64_t")
    status = call(name, method, k1, b, delta, eps, tokenizer, stop, handle)
    if status == OK:
        assert lib.rk_bm25_free(handle[0]) == OK
    if handle == ffi.NULL or not (0 <= method <= 3) or tokenizer not in (0, 1) or stop not in (0, 1):
        assert status != OK


def draw_query_tokens(draw, arena, text_bytes, text_len):
    """token_offsets (or NULL) and token_count over a text of text_len bytes."""
    mode = draw(st.sampled_from(["none", "none", "ok", "bad", "huge_count"]))
    if mode == "none":
        return ffi.NULL, draw(st.sampled_from([0, 0, 3] + BAD_LENGTHS)), True
    length = text_len if isinstance(text_len, int) and 0 <= text_len < 2**31 else 0
    cuts = sorted(draw(st.lists(st.integers(0, length), min_size=1, max_size=6)))
    if mode == "bad" and len(cuts) >= 2:
        cuts[draw(st.integers(0, len(cuts) - 1))] = draw(st.sampled_from(NEGATIVE + HUGE + [length + 1]))
        return arena.array("int64_t", cuts), len(cuts) - 1, False
    if mode == "huge_count":
        return arena.array("int64_t", cuts), draw(st.sampled_from(BAD_LENGTHS)), False
    return arena.array("int64_t", cuts), len(cuts) - 1, True


@target("rk_bm25_search", "rk_bm25_get_scores")
def f_bm25_search(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    text, text_len, text_bytes = draw_text(draw, arena)
    tokens, token_count, tokens_ok = draw_query_tokens(draw, arena, text_bytes, text_len)
    if name == "rk_bm25_search":
        k = draw(st.one_of(st.integers(-2, 8), st.sampled_from(BAD_LENGTHS)))
        size = k if 0 <= k <= 8 else 1
        docs, scores = out_or_null(draw, arena, "int64_t", size), out_or_null(draw, arena, "double", size)
        keys = out_or_null(draw, arena, "int64_t", size)
        found = out_or_null(draw, arena, "int64_t")
        status = call(name, handle, text, text_len, tokens, token_count, k, docs, scores, keys, found)
        if status == OK:
            assert 0 <= found[0] <= min(k, 5)
            assert all(0 <= d < 5 for d in arena.read(docs, "int64_t", found[0]))
    else:
        # A capacity above the buffer is the caller's contract broken, not something to refuse.
        capacity = draw(st.one_of(st.integers(-2, 8), st.sampled_from(NEGATIVE)))
        scores = out_or_null(draw, arena, "double", capacity if 0 <= capacity <= 8 else 1)
        count = out_or_null(draw, arena, "int64_t")
        status = call(name, handle, text, text_len, tokens, token_count, scores, capacity, count)
        if status == OK:
            assert count[0] == 5
    if not valid or text_bytes is None or not tokens_ok:
        assert status != OK, last_error()


@target("rk_bm25_search_many")
def f_bm25_search_many(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    n = draw(st.integers(0, 4))
    text, text_len, starts, items = draw_batch(draw, arena, n)
    count = draw_count(draw, n)
    k = draw(st.one_of(st.integers(-2, 6), st.sampled_from(BAD_LENGTHS)))
    threads = draw(st.sampled_from([0, 1, 2, 64, -1, -(2**31)]))
    cells = max(n, 1) * (k if 0 <= k <= 6 else 1)
    docs, scores = out_or_null(draw, arena, "int64_t", cells), out_or_null(draw, arena, "double", cells)
    status = call(name, handle, text, text_len, starts, count, ffi.NULL, 0, k, threads, docs, scores)
    if not valid or items is None or count in BAD_LENGTHS or k in BAD_LENGTHS or threads < 0 or k < 0:
        assert status != OK
        return
    if status == OK and n * k > 0:
        got = arena.read(docs, "int64_t", n * k)
        assert all(-1 <= d < 5 for d in got)


@target("rk_bm25_search_many_spans")
def f_bm25_search_many_spans(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    n = draw(st.integers(0, 4))
    queries, items = draw_spans(draw, arena, n)
    count = draw_count(draw, n)
    k = draw(st.one_of(st.integers(-2, 6), st.sampled_from(BAD_LENGTHS)))
    threads = draw(st.sampled_from([0, 1, 2, 64, -1, -(2**31)]))
    cells = max(n, 1) * (k if 0 <= k <= 6 else 1)
    docs, scores = out_or_null(draw, arena, "int64_t", cells), out_or_null(draw, arena, "double", cells)
    status = call(name, handle, queries, count, k, threads, docs, scores)
    if not valid or items is None or count in BAD_LENGTHS or k in BAD_LENGTHS or threads < 0 or k < 0:
        assert status != OK
        return
    if count * k > 0 and (docs == ffi.NULL or scores == ffi.NULL):
        assert status == lib.RK_NULL_POINTER, status
        return
    if not all(is_utf8(x) for x in items):
        assert status == lib.RK_INVALID_UTF8, status
        return
    assert status == OK, last_error()
    if n * k > 0:
        # The same rows as the buffer form on the same queries.
        text = b"".join(items)
        starts = [0]
        for item in items:
            starts.append(starts[-1] + len(item))
        want_docs, want_scores = ffi.new("int64_t[]", n * k), ffi.new("double[]", n * k)
        assert lib.rk_bm25_search_many(handle, text, len(text), ffi.new("int64_t[]", starts), n, ffi.NULL, 0, k, 1,
                                       want_docs, want_scores) == OK
        assert arena.read(docs, "int64_t", n * k) == list(want_docs)
        assert arena.read(scores, "double", n * k) == list(want_scores)


@target("rk_bm25_add", "rk_bm25_add_staged")
def f_bm25_add(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    fresh = valid  # adds go to a fresh index: the shared one must keep its five documents
    if fresh:
        handle = new_handle("bm25")
    try:
        n = draw(st.integers(0, 4))
        text, text_len, starts, items = draw_batch(draw, arena, n)
        ids_ptr, ids_len, id_offsets, id_items = draw_batch(draw, arena, n)
        count = draw_count(draw, n)
        key_mode = draw(st.sampled_from(["fresh", "fresh", "old", "same", "null", "negative"]))
        next_key = ffi.new("int64_t*")
        info = ffi.new("double[4]"), ffi.new("int32_t*"), ffi.new("int32_t*"), ffi.new("int32_t*")
        live = LIVE["bm25"] if not fresh else handle
        assert lib.rk_bm25_info(live, info[1], info[0], info[2], info[3], next_key) == OK
        before = ffi.new("int64_t*")
        assert lib.rk_bm25_len(live, before) == OK
        keys_list = {"fresh": [next_key[0] + i for i in range(n)], "old": [0] * n, "same": [next_key[0]] * n,
                     "negative": [-5 + i for i in range(n)], "null": None}[key_mode]
        keys = ffi.NULL if keys_list is None else arena.array("int64_t", keys_list)
        tokens, token_count, tokens_ok = ffi.NULL, draw(st.sampled_from([0, 0, 5] + BAD_LENGTHS)), True
        status = call(name, handle, text, text_len, starts, count, tokens, token_count, ids_ptr, ids_len, id_offsets, keys)
        after = ffi.new("int64_t*")
        assert lib.rk_bm25_len(live, after) == OK
        if status != OK or name == "rk_bm25_add_staged":
            # Staged documents stay invisible until rk_bm25_commit publishes them.
            assert after[0] == before[0], "a failed or staged add changed the index"
        if status == OK and name == "rk_bm25_add_staged":
            staged = ffi.new("int64_t*")
            assert lib.rk_bm25_commit(live, 1, staged) == OK and staged[0] == n
            assert lib.rk_bm25_len(live, after) == OK
        if status == OK:
            assert after[0] == before[0] + n
        bad = (not valid or items is None or id_items is None or count != n or token_count in BAD_LENGTHS
               or (keys_list is None and n > 0)
               or (keys_list is not None and n > 0 and (keys_list[0] < next_key[0]
                                                         or any(b <= a for a, b in zip(keys_list, keys_list[1:])))))
        if bad:
            assert status != OK, (key_mode, last_error())
        elif all(is_utf8(x) for x in items):
            assert status == OK, last_error()
    finally:
        if fresh:
            assert lib.rk_bm25_free(handle) == OK


@target("rk_bm25_remove")
def f_bm25_remove(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    fresh = new_handle("bm25")
    text = b"abcdef"
    assert lib.rk_bm25_add(fresh, text, 6, ffi.new("int64_t[]", [0, 2, 4, 6]), 3, ffi.NULL, 0, b"xyz", 3,
                           ffi.new("int64_t[]", [0, 1, 2, 3]), ffi.new("int64_t[]", [0, 1, 2])) == OK
    if valid:
        handle = fresh
    try:
        keys = draw(st.lists(st.one_of(st.integers(-3, 5), st.sampled_from(HUGE + NEGATIVE)), max_size=5))
        count = draw_count(draw, len(keys))
        removed = out_or_null(draw, arena, "int64_t")
        pointer = ffi.NULL if not SANE and draw(st.integers(0, 9)) == 0 else arena.array("int64_t", keys)
        status = call(name, handle, pointer, count, removed)
        after = ffi.new("int64_t*")
        assert lib.rk_bm25_len(fresh, after) == OK
        if status == OK:
            assert after[0] == 3 - removed[0]
        else:
            assert after[0] == 3
        if not valid or count in BAD_LENGTHS or removed == ffi.NULL:
            assert status != OK
    finally:
        assert lib.rk_bm25_free(fresh) == OK


@target("rk_bm25_commit")
def f_bm25_commit(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    fresh = new_handle("bm25")
    text = b"abcdef"
    assert lib.rk_bm25_add(fresh, text, 6, ffi.new("int64_t[]", [0, 2, 4, 6]), 3, ffi.NULL, 0, b"xyz", 3,
                           ffi.new("int64_t[]", [0, 1, 2, 3]), ffi.new("int64_t[]", [0, 1, 2])) == OK
    staging = draw(st.booleans())
    if staging:
        assert lib.rk_bm25_add_staged(fresh, text, 4, ffi.new("int64_t[]", [0, 2, 4]), 2, ffi.NULL, 0, b"uv", 2,
                                      ffi.new("int64_t[]", [0, 1, 2]), ffi.new("int64_t[]", [3, 7])) == OK
    if valid:
        handle = fresh
    try:
        keep = draw(st.one_of(st.sampled_from([0, 1, 0, 1]), st.integers(-2**31, 2**31 - 1)))
        staged = out_or_null(draw, arena, "int64_t")
        status = call(name, handle, keep, staged)
        after, next_key = ffi.new("int64_t*"), ffi.new("int64_t*")
        assert lib.rk_bm25_len(fresh, after) == OK
        info = ffi.new("double[4]"), ffi.new("int32_t*"), ffi.new("int32_t*"), ffi.new("int32_t*")
        assert lib.rk_bm25_info(fresh, info[1], info[0], info[2], info[3], next_key) == OK
        if not valid or keep not in (0, 1) or staged == ffi.NULL:
            assert status != OK
            assert after[0] == 3
        else:
            assert status == OK, last_error()
            assert staged[0] == (2 if staging else 0)
            assert after[0] == (5 if staging and keep == 1 else 3)
            assert next_key[0] == (8 if staging and keep == 1 else 3)
    finally:
        assert lib.rk_bm25_free(fresh) == OK


@target("rk_bm25_len", "rk_bm25_memory")
def f_bm25_len(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    out = out_or_null(draw, arena, "int64_t")
    status = call(name, handle, out)
    assert (status == OK) == (valid and out != ffi.NULL)


@target("rk_bm25_info")
def f_bm25_info(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    outs = [out_or_null(draw, arena, "int32_t"), out_or_null(draw, arena, "double", 4), out_or_null(draw, arena, "int32_t"),
            out_or_null(draw, arena, "int32_t"), out_or_null(draw, arena, "int64_t")]
    status = call(name, handle, *outs)
    if not valid:
        assert status != OK


@target("rk_bm25_ids")
def f_bm25_ids(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    capacity = draw(st.one_of(st.integers(-1, 7), st.sampled_from(BAD_LENGTHS)))
    ids_capacity = draw(st.one_of(st.integers(-1, 7), st.sampled_from(BAD_LENGTHS)))
    cap_n = capacity if 0 <= capacity <= 7 else 0
    ids_n = ids_capacity if 0 <= ids_capacity <= 7 else 0
    # Capacities beyond the buffers are only passed when they are refused or the data is smaller.
    keys, ids = out_or_null(draw, arena, "int64_t", max(cap_n, 1)), out_or_null(draw, arena, "uint8_t", max(ids_n, 1))
    offsets = out_or_null(draw, arena, "int64_t", max(cap_n, 1) + 1)
    count, ids_length = out_or_null(draw, arena, "int64_t"), out_or_null(draw, arena, "int64_t")
    if capacity > 7:
        capacity = 7 if draw(st.booleans()) else capacity
        keys, offsets = arena.out("int64_t", 7), arena.out("int64_t", 8)
    if ids_capacity > 7:
        ids_capacity = 7
        ids = arena.out("uint8_t", 7)
    status = call(name, handle, keys, capacity, ids, ids_capacity, offsets, count, ids_length)
    if not valid:
        assert status != OK
    if status == OK:
        assert count[0] >= 5 and bytes(ffi.buffer(ids, 5)) == b"abcde"


@target("rk_bm25_save", "rk_bm25_load")
def f_bm25_files(data, arena, name):
    draw = data.draw
    directory = os.environ["RAGKERNELS_FUZZ_TMP"]
    choice = draw(st.sampled_from(["good", "missing", "dir", "garbage", "text"]))
    if choice == "good":
        path = os.path.join(directory, "index.bm25").encode()
    elif choice == "missing":
        path = os.path.join(directory, "no", "such", "file").encode()
    elif choice == "dir":
        path = directory.encode()
    else:
        # Random bytes (invalid UTF-8 included) as a file name inside the scratch folder: no
        # slash or NUL, so nothing is ever written outside it.
        leaf = draw(utf8_or_not()).replace(b"/", b"_").replace(b"\0", b"_")
        path = (directory.encode() + b"/" + leaf) if leaf not in (b"", b".", b"..") else b""
    mode = draw(st.sampled_from(["ok", "ok", "ok", "null", "neg", "huge", "zero"]))
    pointer = ffi.NULL if mode == "null" else arena.raw(path)
    length = {"ok": len(path), "null": len(path), "neg": -1, "huge": draw(st.sampled_from(HUGE)), "zero": 0}[mode]
    if name == "rk_bm25_save":
        handle, valid = draw_handle(draw, "bm25")
        status = call(name, handle, pointer, length)
        if not valid:
            assert status != OK
    else:
        out = out_or_null(draw, arena, "uint64_t")
        status = call(name, pointer, length, out)
        if status == OK:
            assert lib.rk_bm25_free(out[0]) == OK
    if mode != "ok" or (not path and mode == "ok"):
        assert status != OK


# ---- embeddings ----

@target("rk_embed_create")
def f_embed_create(data, arena, name):
    draw = data.draw
    good = MODEL_DIR is not None and draw(st.booleans())
    path = MODEL_DIR.encode() if good else draw(st.one_of(utf8_or_not(), st.just(b"/nonexistent"), st.just(b"/")))
    mode = draw(st.sampled_from(["ok", "ok", "null", "neg", "huge"]))
    pointer = ffi.NULL if mode == "null" else arena.raw(path)
    length = {"ok": len(path), "null": len(path), "neg": -1, "huge": draw(st.sampled_from(HUGE))}[mode]
    runtime = draw(st.sampled_from([b"", b"/nonexistent/libonnxruntime.so", b"\xff\xfe"]))
    max_length = draw(st.one_of(st.integers(-2, 600), st.sampled_from(BAD_LENGTHS)))
    threads = draw(st.sampled_from([0, 1, 2, -1, 2**31 - 1]))
    normalize, tokenizer_only = draw(st.integers(-1, 2)), draw(st.integers(-1, 2))
    out = out_or_null(draw, arena, "uint64_t")
    status = call(name, pointer, length, arena.raw(runtime) if runtime else ffi.NULL, len(runtime), max_length, threads,
                  normalize, tokenizer_only, out)
    if status == OK:
        assert lib.rk_embed_free(out[0]) == OK
    if mode != "ok" or out == ffi.NULL or normalize not in (0, 1) or tokenizer_only not in (0, 1):
        assert status != OK


@target("rk_embed_dim")
def f_embed_dim(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "embed")
    dim, max_length = out_or_null(draw, arena, "int64_t"), out_or_null(draw, arena, "int64_t")
    status = call(name, handle, dim, max_length)
    if not valid or dim == ffi.NULL or max_length == ffi.NULL:
        assert status != OK
    else:
        assert status == OK and dim[0] > 0 and max_length[0] >= 2


def embed_dim():
    if "embed" not in LIVE:
        return 8
    dim, limit = ffi.new("int64_t*"), ffi.new("int64_t*")
    assert lib.rk_embed_dim(LIVE["embed"], dim, limit) == OK
    return dim[0]


@target("rk_embed_run", "rk_embed_run_cancellable", "rk_embed_tokenize")
def f_embed_run(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "embed")
    n = draw(st.integers(0, 3))
    text, text_len, offsets, items = draw_batch(draw, arena, n)
    # These exports take no buffer length: a batch whose buffer is malformed is described by
    # its offsets alone, so only the offsets' own faults are passed (NULL, backwards, negative).
    if items is None and offsets != ffi.NULL:
        offsets = arena.array("int64_t", [0, -1] + [0] * n) if n else arena.array("int64_t", [-1])
    count = draw_count(draw, n)
    if name in ("rk_embed_run", "rk_embed_run_cancellable"):
        dim = embed_dim()
        batch = draw(st.sampled_from([1, 2, 8, 0, -1, 65537, 2**40]))
        length = draw(st.sampled_from([n * dim] * 4 + [n * dim - 1, n * dim + 1, -1] + HUGE))
        output = out_or_null(draw, arena, "float", max(n * dim, 1))
        ort = out_or_null(draw, arena, "int64_t")
        bad_args = batch < 1 or batch > 65536 or length != n * dim
        if name == "rk_embed_run":
            status = call(name, handle, text, offsets, count, batch, output, length, ort)
        else:
            # The flag: NULL (refused), clear, or already set (a valid call with texts is then
            # cancelled before its first batch).
            cancel = draw(st.sampled_from(["clear", "set"] + ([] if SANE else ["null"])))
            flag = ffi.NULL if cancel == "null" else arena.array("int32_t", [1 if cancel == "set" else 0])
            status = call(name, handle, text, offsets, count, batch, output, length, ort, flag)
            bad_args = bad_args or cancel == "null"
            if cancel == "set" and count == n and n > 0:
                assert status != OK, "a call whose flag was set before it started ran to its end"
        if status == OK:
            rows = np.array(arena.read(output, "float", n * dim), dtype=np.float32).reshape(n, dim)
            assert np.all(np.isfinite(rows))
    else:
        max_length = draw(st.sampled_from([0, 0, 2, 5, 1, -1, 2**25] + HUGE))
        capacity = draw(st.sampled_from([0, 3, 64] + NEGATIVE + HUGE))
        ids = out_or_null(draw, arena, "int32_t", capacity if 0 <= capacity <= 64 else 1)
        if capacity in HUGE:
            capacity = 64
            ids = arena.out("int32_t", 64)
        lengths = out_or_null(draw, arena, "int64_t", max(n, 1))
        needed = out_or_null(draw, arena, "int64_t")
        status = call(name, handle, text, offsets, count, max_length, ids, capacity, lengths, needed)
        if status == OK:
            total = sum(arena.read(lengths, "int64_t", n))
            assert total == needed[0] <= capacity
        bad_args = max_length in (1, -1, 2**25) or max_length in HUGE or capacity < 0
    if not valid or items is None or count != n or bad_args:
        assert status != OK, last_error()


@target("rk_embed_cancel")
def f_embed_cancel(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "embed")
    flag = ffi.NULL if not SANE and draw(st.integers(0, 3)) == 0 else arena.array("int32_t", [draw(st.integers(0, 1))])
    status = call(name, handle, flag)  # nothing under way: nothing to stop
    assert (status == OK) == (valid and flag != ffi.NULL), last_error()


# ---- vector index ----

@target("rk_vector_index_create")
def f_vector_create(data, arena, name):
    draw = data.draw
    dim = draw(st.one_of(st.integers(-2, 70), st.sampled_from(BAD_LENGTHS + [65536, 65537])))
    metric = draw(st.integers(-1, 3))
    out = out_or_null(draw, arena, "uint64_t")
    status = call(name, dim, metric, out)
    if status == OK:
        assert lib.rk_vector_index_free(out[0]) == OK
    assert (status == OK) == (1 <= dim <= 65536 and 0 <= metric <= 2 and out != ffi.NULL), last_error()


def floats(n):
    if SANE:
        return st.lists(st.floats(-1e3, 1e3, width=32), min_size=n, max_size=n)
    return st.lists(st.one_of(st.floats(-1e3, 1e3, width=32), st.sampled_from([math.nan, math.inf, -math.inf, 0.0])),
                    min_size=n, max_size=n)


@target("rk_vector_index_add")
def f_vector_add(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "vector")
    if valid:
        handle = new_handle("vector")
    try:
        n = draw(st.integers(0, 4))
        values = draw(floats(n * 4))
        count = draw_count(draw, n)
        vectors = ffi.NULL if not SANE and draw(st.integers(0, 9)) == 0 else arena.array("float", values)
        id_mode = draw(st.sampled_from(["null", "distinct", "dup", "negative", "max"]))
        id_list = {"null": None, "distinct": list(range(10, 10 + n)), "dup": [3] * n, "negative": [-1] * n,
                   "max": [2**63 - 1] * n}[id_mode]
        ids = ffi.NULL if id_list is None else arena.array("int64_t", id_list)
        assigned = out_or_null(draw, arena, "int64_t", max(n, 1))
        status = call(name, handle, vectors, count, ids, assigned)
        if valid:
            total = ffi.new("int64_t*")
            assert lib.rk_vector_index_count(handle, total) == OK
            assert total[0] == (n if status == OK else 0)
        if not valid or count != n or (vectors == ffi.NULL and n > 0) or (id_mode in ("negative", "max") and n > 0) \
                or (id_mode == "dup" and n > 1):
            assert status != OK
    finally:
        if valid:
            assert lib.rk_vector_index_free(handle) == OK


@target("rk_vector_index_remove")
def f_vector_remove(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "vector")
    fresh = new_handle("vector")
    vectors = np.ones((3, 4), dtype=np.float32)
    assert lib.rk_vector_index_add(fresh, ffi.from_buffer("float[]", vectors), 3, ffi.NULL, ffi.NULL) == OK
    if valid:
        handle = fresh
    try:
        ids = draw(st.lists(st.one_of(st.integers(-2, 4), st.sampled_from(HUGE + NEGATIVE)), max_size=4))
        count = draw_count(draw, len(ids))
        pointer = ffi.NULL if not SANE and draw(st.integers(0, 9)) == 0 else arena.array("int64_t", ids)
        status = call(name, handle, pointer, count)
        total = ffi.new("int64_t*")
        assert lib.rk_vector_index_count(fresh, total) == OK
        if status == OK:
            assert total[0] == 3 - len(set(ids)) and valid
        else:
            assert total[0] == 3
    finally:
        assert lib.rk_vector_index_free(fresh) == OK


@target("rk_vector_index_count")
def f_vector_count(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "vector")
    out = out_or_null(draw, arena, "int64_t")
    status = call(name, handle, out)
    assert (status == OK) == (valid and out != ffi.NULL)
    if status == OK:
        assert out[0] == 6


@target("rk_vector_index_search", "rk_vector_index_search_many", "rk_vector_index_search_many_cancellable")
def f_vector_search(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "vector")
    k = draw(st.one_of(st.integers(-1, 8), st.sampled_from(BAD_LENGTHS)))
    size = k if 0 <= k <= 8 else 1
    if name == "rk_vector_index_search":
        dim = draw(st.sampled_from([4] * 5 + [3, 5, 0] + BAD_LENGTHS))
        query = ffi.NULL if not SANE and draw(st.integers(0, 9)) == 0 else arena.array("float", draw(floats(4)))
        ids, scores, found = (out_or_null(draw, arena, "int64_t", size), out_or_null(draw, arena, "float", size),
                              out_or_null(draw, arena, "int64_t"))
        status = call(name, handle, query, dim, k, ids, scores, found)
        if status == OK:
            assert 0 <= found[0] <= min(k, 6)
        bad = dim != 4 or query == ffi.NULL
    else:
        n = draw(st.integers(0, 3))
        count = draw_count(draw, n)
        queries = ffi.NULL if not SANE and draw(st.integers(0, 9)) == 0 else arena.array("float", draw(floats(n * 4)))
        threads = draw(st.sampled_from([0, 1, 2, 64, -1]))
        ids, scores = out_or_null(draw, arena, "int64_t", max(n, 1) * size), out_or_null(draw, arena, "float", max(n, 1) * size)
        if name == "rk_vector_index_search_many":
            status = call(name, handle, queries, count, k, threads, ids, scores)
            bad = False
        else:
            # The flag: NULL (refused), clear, or already set (a valid call is then cancelled
            # at its first block, or completes when there is nothing to scan).
            cancel = draw(st.sampled_from(["null", "clear", "set"])) if not SANE else draw(st.sampled_from(["clear", "set"]))
            flag = ffi.NULL if cancel == "null" else arena.array("int32_t", [1 if cancel == "set" else 0])
            status = call(name, handle, queries, count, k, threads, ids, scores, flag)
            bad = cancel == "null"
            if cancel == "set" and status != OK:
                assert status in (lib.RK_CANCELLED, lib.RK_INVALID_ARGUMENT, lib.RK_NULL_POINTER, lib.RK_INVALID_HANDLE), status
        bad = bad or count != n or (queries == ffi.NULL and n > 0) or threads < 0
    if not valid or k in BAD_LENGTHS or k < 1 or bad:
        assert status != OK, last_error()


def draw_allowed(draw, arena):
    """(pointer, count, well_formed) for an allowed-ids filter: NULL = no filter, an empty or
    short list of ids (sorted, unsorted, duplicated, negative), or a count the export must refuse.
    The count never exceeds the buffer: that would break the caller's side of the contract."""
    mode = "null" if SANE else draw(st.sampled_from(["null", "list", "list", "unsorted", "bad_count"]))
    if mode == "null":
        return ffi.NULL, 0, True
    ids = draw(st.lists(st.integers(-3, 8), max_size=6))
    if mode == "list":
        ids = sorted(set(ids))
    pointer = arena.array("int64_t", ids) if ids else arena.out("int64_t", 1)
    if mode == "bad_count":
        return pointer, draw(st.sampled_from(NEGATIVE)), False
    return pointer, len(ids), mode == "list" and all(i >= 0 for i in ids)


@target("rk_bm25_search_filtered")
def f_bm25_search_filtered(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "bm25")
    if valid and draw(st.booleans()):
        handle = BM25_INT
    text, text_len, text_bytes = draw_text(draw, arena)
    allowed, allowed_count, allowed_ok = draw_allowed(draw, arena)
    k = draw(st.one_of(st.integers(-2, 8), st.sampled_from(BAD_LENGTHS)))
    size = k if 0 <= k <= 8 else 1
    docs, scores = out_or_null(draw, arena, "int64_t", size), out_or_null(draw, arena, "double", size)
    keys, found = out_or_null(draw, arena, "int64_t", size), out_or_null(draw, arena, "int64_t")
    status = call(name, handle, text, text_len, k, allowed, allowed_count, docs, scores, keys, found)
    if status == OK:
        assert 0 <= found[0] <= min(k, 5)
    if not valid or text_bytes is None or allowed_count < 0:
        assert status != OK, last_error()


@target("rk_vector_index_search_filtered")
def f_vector_search_filtered(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "vector")
    k = draw(st.one_of(st.integers(-1, 8), st.sampled_from(BAD_LENGTHS)))
    size = k if 0 <= k <= 8 else 1
    dim = draw(st.sampled_from([4] * 5 + [3, 5, 0] + BAD_LENGTHS))
    query = ffi.NULL if not SANE and draw(st.integers(0, 9)) == 0 else arena.array("float", draw(floats(4)))
    allowed, allowed_count, allowed_ok = draw_allowed(draw, arena)
    ids, scores, found = (out_or_null(draw, arena, "int64_t", size), out_or_null(draw, arena, "float", size),
                          out_or_null(draw, arena, "int64_t"))
    status = call(name, handle, query, dim, k, allowed, allowed_count, ids, scores, found)
    if status == OK:
        assert 0 <= found[0] <= min(k, 6)
        if allowed != ffi.NULL:
            permitted = set(arena.read(allowed, "int64_t", allowed_count))
            assert set(arena.read(ids, "int64_t", found[0])) <= permitted
    if not valid or k in BAD_LENGTHS or k < 1 or dim != 4 or query == ffi.NULL or allowed_count < 0:
        assert status != OK, last_error()


@target("rk_hybrid_search")
def f_hybrid_search(data, arena, name):
    draw = data.draw
    bm25, bm25_valid = draw_handle(draw, "bm25")
    if bm25_valid and draw(st.booleans()):
        bm25 = BM25_INT
    vectors, vectors_valid = draw_handle(draw, "vector")
    text, text_len, text_bytes = draw_text(draw, arena)
    if SANE:  # a well-formed call, so the success path runs too
        dim, fetch_k, weights, rrf_k, k = 4, 5, (1.0, 1.0), 60.0, 3
        query = arena.array("float", draw(floats(4)))
    else:
        dim = draw(st.sampled_from([4] * 5 + [3, 0] + BAD_LENGTHS))
        query = ffi.NULL if draw(st.integers(0, 4)) == 0 else arena.array("float", draw(floats(4)))
        fetch_k = draw(st.one_of(st.integers(-1, 10), st.sampled_from(BAD_LENGTHS)))
        weights = (draw(draw_double()), draw(draw_double()))
        rrf_k = draw(draw_double())
        k = draw(st.one_of(st.integers(-1, 8), st.sampled_from(BAD_LENGTHS)))
    allowed, allowed_count, _ = draw_allowed(draw, arena)
    size = k if 0 <= k <= 8 else 1
    ids, scores = out_or_null(draw, arena, "int64_t", size), out_or_null(draw, arena, "double", size)
    bm25_ranks, vector_ranks = out_or_null(draw, arena, "int32_t", size), out_or_null(draw, arena, "int32_t", size)
    found = out_or_null(draw, arena, "int64_t")
    status = call(name, bm25, vectors, text, text_len, query, dim, fetch_k, weights[0], weights[1], rrf_k,
                  allowed, allowed_count, k, ids, scores, bm25_ranks, vector_ranks, found)
    if status == OK:
        assert 0 <= found[0] <= min(k, 11)
    if not bm25_valid or text_bytes is None or k in BAD_LENGTHS or k < 0 or allowed_count < 0:
        assert status != OK, last_error()


@target("rk_vector_index_serialize")
def f_vector_serialize(data, arena, name):
    draw = data.draw
    handle, valid = draw_handle(draw, "vector")
    capacity = draw(st.one_of(st.integers(-1, 400), st.sampled_from(NEGATIVE)))
    buffer = out_or_null(draw, arena, "uint8_t", max(capacity, 1))
    needed = out_or_null(draw, arena, "int64_t")
    status = call(name, handle, buffer, capacity, needed)
    if status == OK:
        blob = bytes(ffi.buffer(buffer, needed[0]))
        out, dim, metric = ffi.new("uint64_t*"), ffi.new("int64_t*"), ffi.new("int32_t*")
        assert lib.rk_vector_index_deserialize(blob, len(blob), out, dim, metric) == OK and dim[0] == 4
        assert lib.rk_vector_index_free(out[0]) == OK
    if not valid or capacity < 0 or needed == ffi.NULL:
        assert status != OK


_GOOD_BLOB = None


def good_blob():
    global _GOOD_BLOB
    if _GOOD_BLOB is None:
        needed = ffi.new("int64_t*")
        lib.rk_vector_index_serialize(LIVE["vector"], ffi.NULL, 0, needed)
        buffer = ffi.new("uint8_t[]", needed[0])
        assert lib.rk_vector_index_serialize(LIVE["vector"], buffer, needed[0], needed) == OK
        _GOOD_BLOB = bytes(buffer)
    return _GOOD_BLOB


@target("rk_vector_index_deserialize")
def f_vector_deserialize(data, arena, name):
    draw = data.draw
    blob = bytearray(good_blob())
    mode = draw(st.sampled_from(["good", "flip", "truncate", "garbage", "int64"]))
    if mode == "flip":
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(blob) * 8 - 1))
            blob[i // 8] ^= 1 << (i % 8)
    elif mode == "truncate":
        blob = blob[:draw(st.integers(0, len(blob) - 1))]
    elif mode == "garbage":
        blob = bytearray(draw(st.binary(max_size=200)))
    elif mode == "int64":
        at = draw(st.integers(0, max(len(blob) - 8, 0)))
        blob[at:at + 8] = draw(st.sampled_from(HUGE + NEGATIVE)).to_bytes(8, "little", signed=True)
    length_mode = draw(st.sampled_from(["ok", "ok", "ok", "null", "neg", "huge"]))
    pointer = ffi.NULL if length_mode == "null" else arena.raw(bytes(blob))
    length = {"ok": len(blob), "null": len(blob), "neg": -1, "huge": draw(st.sampled_from(HUGE))}[length_mode]
    outs = [out_or_null(draw, arena, "uint64_t"), out_or_null(draw, arena, "int64_t"), out_or_null(draw, arena, "int32_t")]
    status = call(name, pointer, length, *outs)
    if status == OK:
        assert lib.rk_vector_index_free(outs[0][0]) == OK
    if length_mode != "ok" and len(blob) > 0:
        assert status != OK
    if mode == "good" and length_mode == "ok" and all(o != ffi.NULL for o in outs):
        assert status == OK, last_error()


@target("rk_rrf_fuse")
def f_rrf(data, arena, name):
    draw = data.draw
    rankings = draw(st.lists(st.lists(st.integers(-3, 6), max_size=5, unique=draw(st.booleans())), max_size=4))
    ids = [i for r in rankings for i in r]
    offsets = [0]
    for r in rankings:
        offsets.append(offsets[-1] + len(r))
    mode = draw(st.sampled_from(["ok"] * 4 + ["backwards", "huge", "negative", "null"]))
    if mode == "backwards" and len(offsets) > 2:
        offsets[1], offsets[2] = offsets[2] + 1, offsets[1]
    elif mode == "backwards":
        mode = "ok"
    elif mode == "huge":
        offsets[-1] = draw(st.sampled_from(HUGE))
    elif mode == "negative":
        offsets[0] = -1
    offsets_ptr = ffi.NULL if mode == "null" else arena.array("int64_t", offsets)
    count = draw_count(draw, len(rankings))
    weights_list = draw(st.one_of(st.none(), st.lists(draw_double(), min_size=len(rankings), max_size=len(rankings))))
    weights = ffi.NULL if weights_list is None else arena.array("double", weights_list)
    k = draw(draw_double())
    capacity = draw(st.one_of(st.integers(-1, 12), st.sampled_from(BAD_LENGTHS)))
    size = capacity if 0 <= capacity <= 12 else 1
    out_ids, out_scores = out_or_null(draw, arena, "int64_t", size), out_or_null(draw, arena, "double", size)
    out_count = out_or_null(draw, arena, "int64_t")
    status = call(name, arena.array("int64_t", ids), offsets_ptr, count, weights, k, out_ids, out_scores, capacity, out_count)
    if mode != "ok" or count != len(rankings) or capacity < 0 or capacity in HUGE:
        assert status != OK
        return
    if status == OK:
        got = list(zip(arena.read(out_ids, "int64_t", out_count[0]), arena.read(out_scores, "double", out_count[0])))
        expected = vec_py.rrf(rankings, k=k, weights=weights_list, limit=capacity)
        assert [i for i, _ in got] == [i for i, _ in expected], (got, expected)


# ---- the huge cases --------------------------------------------------------------------------

def huge_cases(size: int):
    """One call per text export with a text of `size` bytes (valid, then with one bad byte at the
    very end, which must be found). Bounded: one call each."""
    words = (b"Paris rose 42% not never Berlin fell 3.5 the fox ") * (size // 48 + 1)
    text = words[:size]
    bad = text[:-1] + b"\xff"
    small = b"Paris rose 42%"
    results = {}

    def timed(label, fn):
        start = time.perf_counter()
        status = fn()
        results[label] = (status, round(time.perf_counter() - start, 3))
        return status

    for name, (ctype, _) in PAIR.items():
        out = ffi.new(ctype + "*")
        assert timed(name, lambda: call(name, text, len(text), small, len(small), out)) == OK, last_error()
        assert timed(name + " (bad byte at the end)",
                     lambda: call(name, small, len(small), bad, len(bad), out)) == lib.RK_INVALID_UTF8
    for name, ctype in BATCH.items():
        results_buf = ffi.new(ctype + "[2]")
        claims = small + text
        offsets = ffi.new("int64_t[]", [0, len(small), len(claims)])
        s_off = ffi.new("int64_t[]", [0, len(small), len(small) * 2])
        sources = small * 2
        assert timed(name, lambda: call(name, claims, len(claims), offsets, sources, len(sources), s_off, 2,
                                        results_buf)) == OK, last_error()
        bad_claims = small + bad
        assert timed(name + " (bad byte at the end)",
                     lambda: call(name, bad_claims, len(bad_claims), offsets, sources, len(sources), s_off, 2,
                                  results_buf)) == lib.RK_INVALID_UTF8
    bm25 = new_handle("bm25")
    try:
        found = ffi.new("int64_t*")
        docs, scores = ffi.new("int64_t[3]"), ffi.new("double[3]")
        starts = ffi.new("int64_t[]", [0, len(bad)])
        assert timed("rk_bm25_add (bad byte at the end)", lambda: call(
            "rk_bm25_add", bm25, bad, len(bad), starts, 1, ffi.NULL, 0, b"x", 1, ffi.new("int64_t[]", [0, 1]),
            ffi.new("int64_t[]", [0]))) == lib.RK_INVALID_UTF8
        assert timed("rk_bm25_add", lambda: call(
            "rk_bm25_add", bm25, text, len(text), starts, 1, ffi.NULL, 0, b"x", 1, ffi.new("int64_t[]", [0, 1]),
            ffi.new("int64_t[]", [0]))) == OK, last_error()
        assert timed("rk_bm25_search", lambda: call(
            "rk_bm25_search", bm25, text, len(text), ffi.NULL, 0, 3, docs, scores, ffi.NULL, found)) == OK
        assert found[0] == 1
        assert timed("rk_bm25_search (bad byte at the end)", lambda: call(
            "rk_bm25_search", bm25, bad, len(bad), ffi.NULL, 0, 3, docs, scores, ffi.NULL, found)) == lib.RK_INVALID_UTF8
        count = ffi.new("int64_t*")
        assert timed("rk_bm25_get_scores", lambda: call(
            "rk_bm25_get_scores", bm25, text, len(text), ffi.NULL, 0, scores, 3, count)) == OK
        q_starts = ffi.new("int64_t[]", [0, len(text)])
        assert timed("rk_bm25_search_many", lambda: call(
            "rk_bm25_search_many", bm25, text, len(text), q_starts, 1, ffi.NULL, 0, 3, 0, docs, scores)) == OK
    finally:
        assert lib.rk_bm25_free(bm25) == OK
    if "embed" in LIVE:
        lengths, needed = ffi.new("int64_t[1]"), ffi.new("int64_t*")
        ids = ffi.new("int32_t[600]")
        offsets = ffi.new("int64_t[]", [0, len(text)])
        assert timed("rk_embed_tokenize", lambda: call(
            "rk_embed_tokenize", LIVE["embed"], text, offsets, 1, 0, ids, 600, lengths, needed)) == OK, last_error()
        dim = embed_dim()
        output = ffi.new("float[]", dim)
        assert timed("rk_embed_run", lambda: call(
            "rk_embed_run", LIVE["embed"], text, offsets, 1, 1, output, dim, ffi.NULL)) == OK, last_error()
        assert timed("rk_embed_run (bad byte at the end)", lambda: call(
            "rk_embed_run", LIVE["embed"], bad, offsets, 1, 1, output, dim, ffi.NULL)) == lib.RK_INVALID_UTF8
    # Paths and names with a huge length are refused by their range checks.
    out = ffi.new("uint64_t*")
    assert timed("rk_bm25_load", lambda: call("rk_bm25_load", text, len(text), out)) != OK
    assert timed("rk_embed_create", lambda: call("rk_embed_create", text, len(text), ffi.NULL, 0, 0, 0, 1, 1, out)) != OK
    ns = ffi.new("double[1]")
    assert timed("rk_bench_kernel", lambda: call("rk_bench_kernel", text, len(text), 0, ns, 1)) != OK
    return results


# ---- main ----------------------------------------------------------------------------------

def declared_exports():
    import re

    from ragkernels._native import _loader

    return re.findall(r"^int32_t\s+(rk_\w+)\s*\(", _loader.read_cdef(), re.M)


def make_run(fn, name, args):
    @settings(max_examples=args.examples, deadline=None, database=None, derandomize=args.seed is None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck),
              print_blob=False)
    @given(st.data())
    def run(data):
        global SANE
        # One example in three is well formed throughout (every helper picks its valid choice),
        # so the valid paths and their results are exercised as much as the refusals.
        SANE = data.draw(st.integers(0, 2)) == 0
        arena = Arena()
        try:
            fn(data, arena, name)
        finally:
            arena.free()

    return run


def main():
    global TRACE_FD, MODEL_DIR
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=150)
    parser.add_argument("--trace", required=True)
    parser.add_argument("--model")
    parser.add_argument("--only", default="")
    parser.add_argument("--huge", type=int, default=0, help="size in bytes of the huge-text cases (0: skip)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: derandomized)")
    args = parser.parse_args()
    MODEL_DIR = args.model
    TRACE_FD = os.open(args.trace, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    missing = sorted(set(declared_exports()) - set(TARGETS))
    if missing:
        sys.exit(f"no fuzz target for: {missing}")
    setup_handles()
    report = {"counts": COUNTS, "statuses": STATUSES, "seconds": {}}
    names = [n for n in declared_exports() if not args.only or n in args.only.split(",")]
    for name in names:
        fn, _ = TARGETS[name]
        start = time.perf_counter()

        run = make_run(fn, name, args)
        if args.seed is not None:
            run = __import__("hypothesis").seed(args.seed)(run)
        run()
        report["seconds"][name] = round(time.perf_counter() - start, 2)
    if args.huge:
        report["huge"] = huge_cases(args.huge)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
