/* ragkernels._native._fastcall: a faster call path from Python to the same C ABI exports.

   Written by hand against CPython's C API (no cffi, no numpy headers). It does not link
   against libragkernels: after the loader has opened the library and checked its ABI version,
   Python hands this module the addresses of the exports it needs (bind()), together with the
   existing cffi wrappers. The C ABI in ragkernels.h stays the one boundary; the kernels stay C#.

   Why: a single pairwise signal takes 0.07-0.5 µs in C#, and the cffi wrapper around it costs
   ~0.3-0.4 µs more (a Python frame, str.encode into two fresh bytes objects, cffi's argument
   conversion, a thread-local result slot). Here a call is one METH_FASTCALL C function: the
   UTF-8 of a compact ASCII str is its own storage (PyUnicode_AsUTF8AndSize copies nothing), the
   result lives on the C stack, and the answer is built directly.

   Every unusual case goes to the existing Python wrapper (the "fallback" registered at bind
   time): keyword arguments, a wrong argument count, a non-str, a str that is not encodable
   (lone surrogates), a non-zero status. The fallback then raises exactly what it raises today
   (the same type and message as the pure-Python twin), so this module never has to know an
   error message.

   State is process-wide (static): one library per process, bound once at import. unbind()
   sends every call to the fallbacks (used in a forked child, where the .NET runtime must not
   be called; see ragkernels/_fork.py).
*/

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h> /* x86-64 always has SSE2; elsewhere the 8-byte loops below serve */
#endif

/* Legacy (not "ready") str objects exist up to 3.11; from 3.12 every str is ready and
   PyUnicode_READY is deprecated. */
#if PY_VERSION_HEX >= 0x030C0000
#define RK_READY(op) 0
#else
#define RK_READY(op) PyUnicode_READY(op)
#endif

/* ---- the exports (declarations as in ragkernels.h) ----------------------------------- */

typedef int32_t (*pair_double_fn)(const uint8_t*, int64_t, const uint8_t*, int64_t, double*);
typedef int32_t (*pair_int32_fn)(const uint8_t*, int64_t, const uint8_t*, int64_t, int32_t*);
/* rk_span of ragkernels.h: one UTF-8 text of a gathered batch. */
typedef struct {
    const uint8_t* data;
    int64_t length;
} rk_span;
/* rk_text of ragkernels.h: one text of a gathered batch, UTF-8 or a str's own code points. */
typedef struct {
    const void* data;
    int64_t length;
    int32_t encoding;
    int32_t reserved;
} rk_text;
#define RK_TEXT_UTF8 0
typedef int32_t (*batch_fn)(const rk_text*, const rk_text*, int64_t, void*);
typedef int32_t (*bm25_search_many_fn)(uint64_t, const rk_span*, int64_t, int64_t, int32_t, int64_t*, double*);
typedef int32_t (*trend_drop_fn)(const double*, int64_t, double*);
typedef int32_t (*window_push_fn)(uint64_t, double, double*);
typedef int32_t (*bm25_search_fn)(uint64_t, const uint8_t*, int64_t, const int64_t*, int64_t, int64_t,
                                  int64_t*, double*, int64_t*, int64_t*);

/* The batch exports differ only in the type of their results pointer (double*, int8_t*,
   uint8_t*); they are called through one pointer type taking void*, which every C ABI we
   build for passes exactly like any other data pointer. */

enum {
    F_ENTITY_OVERLAP,
    F_NUMERICAL_CONSISTENCY,
    F_NEGATION_FLIP,
    F_TRACEABILITY,
    F_TREND_DROP,
    F_SINGLE_COUNT,  /* the public functions above: a fallback and a docstring each */
    F_ENTITY_OVERLAP_BATCH = F_SINGLE_COUNT,
    F_NUMERICAL_CONSISTENCY_BATCH,
    F_NEGATION_FLIP_BATCH,
    F_TRACEABILITY_BATCH,
    F_BM25_SEARCH,
    F_BM25_SEARCH_MANY,
    F_WINDOW_PUSH,
    F_COUNT
};

/* Names used by bind(): the export's name in ragkernels.h. */
static const char* const export_names[F_COUNT] = {
    "rk_signal_entity_overlap",
    "rk_signal_numerical_consistency",
    "rk_signal_negation_flip",
    "rk_signal_traceability",
    "rk_signal_trend_drop",
    "rk_signal_entity_overlap_batch_texts",
    "rk_signal_numerical_consistency_batch_texts",
    "rk_signal_negation_flip_batch_texts",
    "rk_signal_traceability_batch_texts",
    "rk_bm25_search",
    "rk_bm25_search_many_spans",
    "rk_trend_window_push",
};

/* Bytes per result of each batch export. */
static const Py_ssize_t batch_item_size[4] = {sizeof(double), sizeof(int8_t), sizeof(uint8_t), sizeof(double)};

static void* exports[F_COUNT];          /* NULL: not bound (or unbound): use the fallback */
static PyObject* fallbacks[F_SINGLE_COUNT];  /* the cffi wrappers of the public functions (new references) */

/* ---- GIL ---------------------------------------------------------------------------------

   Releasing the GIL around a call (Py_BEGIN_ALLOW_THREADS) lets other Python threads run
   kernels at the same time, which the architecture promises (tests/soak.py: traceability of
   ~12 KB texts on 2 threads must be >= 1.6x faster than on 1). For the tiny reference calls
   it is pure overhead, and under contention much worse: every release hands the GIL to a
   waiting thread and the caller then waits for it back.

   Measured on this machine (2 cores shared with other builds, Python 3.11, timeit loops,
   min of repeats): the release + re-acquire pair costs 35-70 ns per call when no
   other thread wants the GIL (numerical_consistency("x", "y"): ~90 ns holding it, ~125-160 ns
   releasing it), i.e. 10-30 % of a 0.2-0.6 µs reference call. With one other Python thread
   busy, a traceability(CLAIM, SOURCE) call went from 2.8 µs (holding) to 4.5 µs (releasing):
   each release hands the GIL over and the caller then queues for it. So the single calls
   release the GIL only when the two texts together hold at least gil_threshold bytes (default
   RELEASE_BYTES = 4 KB): from there the kernel runs >= ~4 µs (about 1 ns per byte) and the
   release costs ~1 %, while two threads can run such calls side by side (tests/soak.py's GIL
   check uses ~12 KB texts). Batches always release it (they run for milliseconds on all
   cores). bm25 search releases it when the index holds at least RELEASE_DOCS documents: its
   cost grows with the corpus, not with the query (0.2 µs on the 100-document reference
   corpus, far more on a real one). */
#define RELEASE_BYTES 4096
#define RELEASE_DOCS 2000
static Py_ssize_t gil_threshold = RELEASE_BYTES;
static Py_ssize_t gil_docs = RELEASE_DOCS;

/* ---- helpers ------------------------------------------------------------------------- */

/* Non-ASCII strings larger than this are encoded into a temporary bytes object instead of
   PyUnicode_AsUTF8AndSize, which would keep a UTF-8 copy alive as long as the str. */
#define CACHE_LIMIT 65536

/* The UTF-8 of a str: its own storage when ASCII, else the str's cached UTF-8 (small) or a
   temporary bytes object (large; *owner holds it). NULL with no exception set when the str
   cannot be encoded (the caller falls back, which raises the right error). */
static const char* utf8_of(PyObject* text, Py_ssize_t* size, PyObject** owner) {
    const char* data;
    *owner = NULL;
    if (RK_READY(text) < 0) {
        PyErr_Clear();
        return NULL;
    }
    if (PyUnicode_IS_ASCII(text)) {
        *size = PyUnicode_GET_LENGTH(text);
        return (const char*)PyUnicode_DATA(text);
    }
    if (PyUnicode_GET_LENGTH(text) <= CACHE_LIMIT) {
        data = PyUnicode_AsUTF8AndSize(text, size);
        if (data == NULL) {
            PyErr_Clear();
        }
        return data;
    }
    *owner = PyUnicode_AsUTF8String(text);
    if (*owner == NULL) {
        PyErr_Clear();
        return NULL;
    }
    *size = PyBytes_GET_SIZE(*owner);
    return PyBytes_AS_STRING(*owner);
}

static PyObject* call_fallback(int which, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
    PyObject* fallback = fallbacks[which];
    if (fallback == NULL) {
        PyErr_Format(PyExc_RuntimeError, "ragkernels._native._fastcall: %s is not bound", export_names[which]);
        return NULL;
    }
    return PyObject_Vectorcall(fallback, args, (size_t)nargs, kwnames);
}

/* The common part of the four single calls: checks, UTF-8, the call. Returns 1 when the
   kernel ran with status 0 (result in *out), 0 when the caller must use the fallback. */
static int pair_call(int which, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames, void* out) {
    void* export = exports[which];
    PyObject *a_owner, *b_owner;
    const char *a, *b;
    Py_ssize_t a_len, b_len;
    int32_t status;
    if (export == NULL || kwnames != NULL || nargs != 2 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1])) {
        return 0;
    }
    a = utf8_of(args[0], &a_len, &a_owner);
    if (a == NULL) {
        return 0;
    }
    b = utf8_of(args[1], &b_len, &b_owner);
    if (b == NULL) {
        Py_XDECREF(a_owner);
        return 0;
    }
    if (a_len + b_len >= gil_threshold) {
        Py_BEGIN_ALLOW_THREADS
        if (which == F_ENTITY_OVERLAP || which == F_TRACEABILITY) {
            status = ((pair_double_fn)export)((const uint8_t*)a, a_len, (const uint8_t*)b, b_len, (double*)out);
        } else {
            status = ((pair_int32_fn)export)((const uint8_t*)a, a_len, (const uint8_t*)b, b_len, (int32_t*)out);
        }
        Py_END_ALLOW_THREADS
    } else if (which == F_ENTITY_OVERLAP || which == F_TRACEABILITY) {
        status = ((pair_double_fn)export)((const uint8_t*)a, a_len, (const uint8_t*)b, b_len, (double*)out);
    } else {
        status = ((pair_int32_fn)export)((const uint8_t*)a, a_len, (const uint8_t*)b, b_len, (int32_t*)out);
    }
    Py_XDECREF(a_owner);
    Py_XDECREF(b_owner);
    return status == 0;
}

/* ---- the four single calls ----------------------------------------------------------- */

static PyObject* fc_entity_overlap(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
    double result;
    (void)self;
    if (!pair_call(F_ENTITY_OVERLAP, args, nargs, kwnames, &result)) {
        return call_fallback(F_ENTITY_OVERLAP, args, nargs, kwnames);
    }
    return PyFloat_FromDouble(result);
}

static PyObject* fc_traceability(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
    double result;
    (void)self;
    if (!pair_call(F_TRACEABILITY, args, nargs, kwnames, &result)) {
        return call_fallback(F_TRACEABILITY, args, nargs, kwnames);
    }
    return PyFloat_FromDouble(result);
}

static PyObject* fc_numerical_consistency(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
    int32_t result;
    (void)self;
    if (!pair_call(F_NUMERICAL_CONSISTENCY, args, nargs, kwnames, &result)) {
        return call_fallback(F_NUMERICAL_CONSISTENCY, args, nargs, kwnames);
    }
    if (result == 1) {
        Py_RETURN_TRUE;
    }
    if (result == 0) {
        Py_RETURN_FALSE;
    }
    Py_RETURN_NONE;
}

static PyObject* fc_negation_flip(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
    int32_t result;
    (void)self;
    if (!pair_call(F_NEGATION_FLIP, args, nargs, kwnames, &result)) {
        return call_fallback(F_NEGATION_FLIP, args, nargs, kwnames);
    }
    return PyBool_FromLong(result == 1);
}

/* ---- trend_drop and TrendWindow.push ------------------------------------------------------ */

/* A number as the cffi path converts it for a double parameter: exact float or exact int
   only (bool, numpy scalars, int subclasses and the rest take the fallback). 0: fall back. */
static int exact_real(PyObject* item, double* value) {
    if (PyFloat_CheckExact(item)) {
        *value = PyFloat_AS_DOUBLE(item);
        return 1;
    }
    if (PyLong_CheckExact(item)) {
        *value = PyLong_AsDouble(item);
        if (*value == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
        return 1;
    }
    return 0;
}

#define TREND_STACK 64

/* trend_drop(values): values a list or tuple of floats/ints; anything else (numpy arrays,
   other sequences, a bad element, a non-zero status) goes to the cffi wrapper. */
static PyObject* fc_trend_drop(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
    trend_drop_fn export = (trend_drop_fn)exports[F_TREND_DROP];
    double stack[TREND_STACK];
    double* values = stack;
    double result;
    PyObject** items;
    Py_ssize_t count, i;
    int32_t status;
    (void)self;
    if (export == NULL || kwnames != NULL || nargs != 1 || !(PyList_CheckExact(args[0]) || PyTuple_CheckExact(args[0]))) {
        return call_fallback(F_TREND_DROP, args, nargs, kwnames);
    }
    count = PySequence_Fast_GET_SIZE(args[0]);
    items = PySequence_Fast_ITEMS(args[0]);
    if (count > TREND_STACK) {
        values = (double*)PyMem_Malloc(sizeof(double) * (size_t)count);
        if (values == NULL) {
            return call_fallback(F_TREND_DROP, args, nargs, kwnames);
        }
    }
    for (i = 0; i < count; i++) {
        if (!exact_real(items[i], &values[i])) {
            if (values != stack) {
                PyMem_Free(values);
            }
            return call_fallback(F_TREND_DROP, args, nargs, kwnames);
        }
    }
    if (count * (Py_ssize_t)sizeof(double) >= gil_threshold) {
        Py_BEGIN_ALLOW_THREADS
        status = export(values, (int64_t)count, &result);
        Py_END_ALLOW_THREADS
    } else {
        status = export(values, (int64_t)count, &result);
    }
    if (values != stack) {
        PyMem_Free(values);
    }
    if (status != 0) {
        return call_fallback(F_TREND_DROP, args, nargs, kwnames);
    }
    return PyFloat_FromDouble(result);
}

/* window_push(handle, score) -> float, or None when the caller must take its ordinary path
   (a closed window, a score that is not an exact float or int, a non-zero status). The window
   is recomputed in full per push, but windows are small (guards use 5): the GIL stays held. */
static PyObject* fc_window_push(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
    window_push_fn export = (window_push_fn)exports[F_WINDOW_PUSH];
    unsigned long long handle;
    double score, drop;
    (void)self;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "window_push(handle, score) takes 2 arguments");
        return NULL;
    }
    if (export == NULL || !PyLong_CheckExact(args[0]) || !exact_real(args[1], &score)) {
        Py_RETURN_NONE;
    }
    handle = PyLong_AsUnsignedLongLong(args[0]);
    if (handle == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    if (handle == 0 || export(handle, score, &drop) != 0) {
        Py_RETURN_NONE;
    }
    return PyFloat_FromDouble(drop);
}

/* ---- batches ------------------------------------------------------------------------- */

/* One side of a batch, gathered: an rk_text per element pointing at the element's own storage
   (a pair batch: the library converts a non-ASCII str to UTF-8 itself, on its worker threads)
   or an rk_span per element pointing at its UTF-8 (BM25 queries: an ASCII str's storage, or its
   encoding in `side`), and a reference to each element, held while the GIL is released
   (another thread may empty the list meanwhile; the str objects, being immutable, then stay as
   they were). */
typedef struct {
    rk_span* spans;
    rk_text* texts;
    PyObject** held;
    size_t capacity;      /* elements of spans, texts and held */
    char* side;           /* the UTF-8 of the non-ASCII elements */
    size_t side_capacity; /* bytes */
} gathered_t;

/* The buffers of the last batch, kept for the next one (both sides), guarded by the GIL.

   Why: a fresh multi-megabyte malloc per call is served by mmap or by a heap top that free()
   trims again with brk, so every call paid a page fault per 4 KB written (~530 per 10,000
   reference pairs when the texts were copied, about a third of the native path's time,
   measured with perf) and the unmapping again. A batch call takes the kept pair (another
   thread's batch running at the same time gathers into fresh buffers) and puts it back when it
   returns; buffers over KEEP_BYTES are freed instead, so the memory held between calls stays
   bounded. */
#define KEEP_BYTES ((size_t)16 << 20)
static gathered_t kept[2];
static int kept_taken;

static void gathered_free(gathered_t* g) {
    PyMem_Free(g->spans);
    PyMem_Free(g->texts);
    PyMem_Free(g->held);
    PyMem_Free(g->side);
    memset(g, 0, sizeof(*g));
}

/* Takes the kept buffers into c and s (1), or gives c and s empty (0): another batch holds them. */
static int gathered_take(gathered_t* c, gathered_t* s) {
    if (kept_taken) {
        memset(c, 0, sizeof(*c));
        memset(s, 0, sizeof(*s));
        return 0;
    }
    kept_taken = 1;
    *c = kept[0];
    *s = kept[1];
    return 1;
}

/* Ends a batch call's use of c and s (taken: whether they came from gathered_take as the kept
   ones): keeps them when taken and not too large, frees them otherwise. */
static void gathered_release(gathered_t* c, gathered_t* s, int taken) {
    gathered_t* sides[2] = {c, s};
    int i;
    for (i = 0; i < 2; i++) {
        gathered_t* side = sides[i];
        if (taken && side->side_capacity <= KEEP_BYTES && side->capacity * sizeof(rk_text) <= KEEP_BYTES) {
            kept[i] = *side;
        } else {
            gathered_free(side);
            if (taken) {
                memset(&kept[i], 0, sizeof(kept[i]));
            }
        }
    }
    if (taken) {
        kept_taken = 0;
    }
}

/* Makes room for count spans, texts and references. 0 on an allocation failure. */
static int gathered_reserve(gathered_t* g, size_t count) {
    if (g->capacity < count) {
        PyMem_Free(g->spans);
        PyMem_Free(g->texts);
        PyMem_Free(g->held);
        g->spans = (rk_span*)PyMem_Malloc(sizeof(rk_span) * count);
        g->texts = (rk_text*)PyMem_Malloc(sizeof(rk_text) * count);
        g->held = (PyObject**)PyMem_Malloc(sizeof(PyObject*) * count);
        if (g->spans == NULL || g->texts == NULL || g->held == NULL) {
            PyMem_Free(g->spans);
            PyMem_Free(g->texts);
            PyMem_Free(g->held);
            g->spans = NULL;
            g->texts = NULL;
            g->held = NULL;
            g->capacity = 0;
            return 0;
        }
        g->capacity = count;
    }
    return 1;
}

/* Grows the side buffer to hold at least needed bytes, keeping its first used bytes. 0 on an
   allocation failure (the old buffer stays). */
static int side_grow(gathered_t* g, size_t needed, size_t used) {
    size_t capacity = g->side_capacity * 2;
    char* data;
    if (needed > (size_t)PY_SSIZE_T_MAX / 2) {
        return 0;
    }
    if (capacity < needed) {
        capacity = needed;
    }
    if (capacity < 65536) {
        capacity = 65536;
    }
    data = (char*)PyMem_Malloc(capacity);
    if (data == NULL) {
        return 0;
    }
    if (used > 0) {
        memcpy(data, g->side, used);
    }
    PyMem_Free(g->side);
    g->side = data;
    g->side_capacity = capacity;
    return 1;
}

/* ---- UTF-8 of a non-ASCII str ------------------------------------------------------------

   Written by hand (CPython has no public API that encodes into a caller's buffer): a batch of
   BM25 queries encodes each non-ASCII element straight into its side buffer, with no bytes
   object per element, and copies ASCII runs several code units at a time (texts are mostly
   ASCII even when they hold a curly quote). The bytes equal str.encode("utf-8"). */

/* The most UTF-8 bytes a str of this kind and length can take. */
static size_t utf8_bound(int kind, Py_ssize_t length) {
    return (size_t)length * (kind == PyUnicode_1BYTE_KIND ? 2 : kind == PyUnicode_2BYTE_KIND ? 3 : 4);
}

static char* put_ucs(char* p, Py_UCS4 c) {
    if (c < 0x80) {
        *p++ = (char)c;
    } else if (c < 0x800) {
        *p++ = (char)(0xC0 | (c >> 6));
        *p++ = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *p++ = (char)(0xE0 | (c >> 12));
        *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *p++ = (char)(0x80 | (c & 0x3F));
    } else {
        *p++ = (char)(0xF0 | (c >> 18));
        *p++ = (char)(0x80 | ((c >> 12) & 0x3F));
        *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *p++ = (char)(0x80 | (c & 0x3F));
    }
    return p;
}

/* Encodes text (ready) into out (room for utf8_bound bytes); returns the bytes written, or -1
   when it holds a surrogate code point (U+D800..U+DFFF, lone or paired: str.encode refuses
   both, and the caller's fallback then raises its UnicodeEncodeError). */
static Py_ssize_t utf8_encode(PyObject* text, char* out) {
    int kind = PyUnicode_KIND(text);
    const void* data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0;
    char* p = out;
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1* s = (const Py_UCS1*)data;
        while (i < n) {
            uint64_t block;
#if defined(__SSE2__)
            if (i + 16 <= n) {
                __m128i v = _mm_loadu_si128((const __m128i*)(s + i));
                if (_mm_movemask_epi8(v) == 0) { /* 16 ASCII units: copied as they are */
                    _mm_storeu_si128((__m128i*)p, v);
                    p += 16;
                    i += 16;
                    continue;
                }
            }
#endif
            if (i + 8 <= n && (memcpy(&block, s + i, 8), (block & 0x8080808080808080ULL) == 0)) {
                memcpy(p, &block, 8);
                p += 8;
                i += 8;
                continue;
            }
            p = put_ucs(p, s[i++]);
        }
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2* s = (const Py_UCS2*)data;
        while (i < n) {
            uint64_t block;
#if defined(__SSE2__)
            if (i + 8 <= n) {
                __m128i v = _mm_loadu_si128((const __m128i*)(s + i));
                __m128i high = _mm_and_si128(v, _mm_set1_epi16((short)0xFF80));
                if (_mm_movemask_epi8(_mm_cmpeq_epi16(high, _mm_setzero_si128())) == 0xFFFF) {
                    /* Eight ASCII units: each one's low byte (they are all under 0x80). */
                    _mm_storel_epi64((__m128i*)p, _mm_packus_epi16(v, v));
                    p += 8;
                    i += 8;
                    continue;
                }
            }
#endif
            if (i + 4 <= n && (memcpy(&block, s + i, 8), (block & 0xFF80FF80FF80FF80ULL) == 0)) {
                /* Four ASCII units: keep each one's low byte. */
                uint32_t narrow = (uint32_t)(block & 0xFF) | (uint32_t)((block >> 8) & 0xFF00)
                                  | (uint32_t)((block >> 16) & 0xFF0000) | (uint32_t)((block >> 24) & 0xFF000000);
                memcpy(p, &narrow, 4);
                p += 4;
                i += 4;
                continue;
            }
            if (s[i] >= 0xD800 && s[i] <= 0xDFFF) {
                return -1;
            }
            p = put_ucs(p, s[i++]);
        }
    } else {
        const Py_UCS4* s = (const Py_UCS4*)data;
        for (; i < n; i++) {
            if (s[i] >= 0xD800 && s[i] <= 0xDFFF) {
                return -1;
            }
            p = put_ucs(p, s[i]);
        }
    }
    return (Py_ssize_t)(p - out);
}

/* _utf8(text) -> bytes, or None for a str with a surrogate (tests compare it with str.encode). */
static PyObject* fc_utf8(PyObject* self, PyObject* text) {
    PyObject* bytes;
    Py_ssize_t written;
    (void)self;
    if (!PyUnicode_Check(text) || RK_READY(text) < 0) {
        PyErr_SetString(PyExc_TypeError, "_utf8 takes a str");
        return NULL;
    }
    bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)utf8_bound(PyUnicode_KIND(text), PyUnicode_GET_LENGTH(text)));
    if (bytes == NULL) {
        return NULL;
    }
    written = utf8_encode(text, PyBytes_AS_STRING(bytes));
    if (written < 0) {
        Py_DECREF(bytes);
        Py_RETURN_NONE;
    }
    if (_PyBytes_Resize(&bytes, written) < 0) {
        return NULL;
    }
    return bytes;
}

/* A batch's str objects lie all over the heap and are rarely still in cache (the caller built
   them, or other work ran since): gather and gathered_drop ask for the object this many
   elements ahead, so the memory waits overlap instead of coming one after another. */
#define PREFETCH_AHEAD 8
#if defined(__GNUC__) || defined(__clang__)
#define RK_PREFETCH(address, write) __builtin_prefetch((address), (write))
#else
#define RK_PREFETCH(address, write) ((void)0)
#endif

/* Drops the references gather() took on the first count elements. */
static void gathered_drop(gathered_t* g, Py_ssize_t count) {
    Py_ssize_t i;
    for (i = 0; i < count; i++) {
        if (i + PREFETCH_AHEAD < count) {
            RK_PREFETCH(g->held[i + PREFETCH_AHEAD], 1);
        }
        Py_DECREF(g->held[i]);
    }
}

/* Gathers elements first, first + 1, ... (at most count) of a list or tuple of str into g,
   stopping before an element that would take the texts past budget UTF-8 bytes (the first
   element is always taken): the budget bounds one native call's time whether the texts are
   copied or not. Returns how many were gathered, each with a reference held (drop them with
   gathered_drop); -1 (no exception, no reference held) when an element is not a str or not
   encodable, or on an allocation failure (the fallback then raises what it does). Non-ASCII
   elements are encoded by utf8_encode rather than PyUnicode_AsUTF8AndSize, so that a batch
   never leaves cached UTF-8 copies attached to the caller's strings. */
static Py_ssize_t gather(PyObject* sequence, Py_ssize_t first, Py_ssize_t count, size_t budget, gathered_t* g) {
    PyObject** items = PySequence_Fast_ITEMS(sequence) + first;
    Py_ssize_t i, j;
    size_t total = 0, used = 0;
    if (!gathered_reserve(g, (size_t)count)) {
        return -1;
    }
    for (i = 0; i < count; i++) {
        PyObject* item = items[i];
        const char* text;
        size_t length;
        int repeat;
        if (i + PREFETCH_AHEAD < count) {
            RK_PREFETCH(items[i + PREFETCH_AHEAD], 1);
        }
        /* The same str again (a claim scored against several sources) takes the same span: it
           is encoded once, and the kernels see the same bytes and reuse what they made of it. */
        repeat = i > 0 && item == items[i - 1];
        if (repeat) {
            int64_t previous = g->spans[i - 1].length;
            length = (size_t)(previous < 0 ? -1 - previous : previous);
            text = NULL;
        } else if (!PyUnicode_Check(item) || RK_READY(item) < 0) {
            PyErr_Clear();
            gathered_drop(g, i);
            return -1;
        } else if (PyUnicode_IS_ASCII(item)) {
            text = (const char*)PyUnicode_DATA(item);
            length = (size_t)PyUnicode_GET_LENGTH(item);
        } else {
            size_t bound = utf8_bound(PyUnicode_KIND(item), PyUnicode_GET_LENGTH(item));
            Py_ssize_t written;
            if (bound > g->side_capacity - used && !side_grow(g, used + bound, used)) {
                gathered_drop(g, i);
                return -1;
            }
            if ((written = utf8_encode(item, g->side + used)) < 0) {
                gathered_drop(g, i);
                return -1;
            }
            length = (size_t)written;
            text = NULL; /* in side at offset used: the side buffer may still move */
            g->spans[i].data = (const uint8_t*)(uintptr_t)used;
            used += length;
        }
        if (i > 0 && (total > budget || length > budget - total)) {
            if (text == NULL && !repeat) {
                used -= length;
            }
            count = i;
            break;
        }
        total += length;
        if (repeat) {
            g->spans[i] = g->spans[i - 1];
        } else if (text != NULL) {
            g->spans[i].data = (const uint8_t*)text;
            g->spans[i].length = -1 - (int64_t)length; /* marks an element in place */
        } else {
            g->spans[i].length = (int64_t)length;
        }
        Py_INCREF(item);
        g->held[i] = item;
    }
    /* Offsets into the side buffer become pointers now that it has stopped moving. */
    for (j = 0; j < count; j++) {
        if (g->spans[j].length < 0) {
            g->spans[j].length = -1 - g->spans[j].length;
        } else {
            g->spans[j].data = (const uint8_t*)g->side + (uintptr_t)g->spans[j].data;
        }
    }
    return count;
}

/* As gather(), for a pair batch: an rk_text per element, pointing at the str's own storage
   (RK_TEXT_UTF8 for an ASCII str, else its PEP 393 kind, which is the width of its code points:
   the library converts it to UTF-8 on its worker threads, and refuses one with a surrogate).
   Nothing is copied or encoded here, so the part of a batch that runs on one thread while
   holding the GIL is one pass over the list. The budget counts the bytes the library reads. */
static Py_ssize_t gather_texts(PyObject* sequence, Py_ssize_t first, Py_ssize_t count, size_t budget, gathered_t* g) {
    PyObject** items = PySequence_Fast_ITEMS(sequence) + first;
    Py_ssize_t i;
    size_t total = 0;
    if (!gathered_reserve(g, (size_t)count)) {
        return -1;
    }
    for (i = 0; i < count; i++) {
        PyObject* item = items[i];
        rk_text* text = &g->texts[i];
        size_t bytes;
        if (i + PREFETCH_AHEAD < count) {
            RK_PREFETCH(items[i + PREFETCH_AHEAD], 1);
        }
        if (i > 0 && item == items[i - 1]) {
            *text = g->texts[i - 1]; /* the same str again: the same text, which the kernels reuse */
        } else if (!PyUnicode_Check(item) || RK_READY(item) < 0) {
            PyErr_Clear();
            gathered_drop(g, i);
            return -1;
        } else {
            text->data = PyUnicode_DATA(item);
            text->length = (int64_t)PyUnicode_GET_LENGTH(item);
            text->encoding = PyUnicode_IS_ASCII(item) ? RK_TEXT_UTF8 : (int32_t)PyUnicode_KIND(item);
            text->reserved = 0;
        }
        bytes = (size_t)text->length * (size_t)(text->encoding == RK_TEXT_UTF8 ? 1 : text->encoding);
        if (i > 0 && (total > budget || bytes > budget - total)) {
            count = i;
            break;
        }
        total += bytes;
        Py_INCREF(item);
        g->held[i] = item;
    }
    return count;
}

/* A batch call takes at most this many bytes of text per side (but at least one pair): it
   bounds one native call's time (so Ctrl-C is honoured soon, issue 7) and its buffers, whatever
   the texts' sizes. 10,000 reference pairs (~2 MB per side) are one call. */
#define CALL_BYTES ((size_t)4 << 20)

/* batch(which, claims, sources, results, start, stop) -> int or False. which: 0
   entity_overlap, 1 numerical_consistency, 2 negation_flip, 3 traceability. claims and sources:
   lists or tuples of str of the same length; results: a writable C-contiguous buffer of
   len(claims) items of the export's result type. Runs pairs from start on, into
   results[start:...], as many as fit in CALL_BYTES per side (at least one, at most up to stop),
   and returns the index after the last pair it ran: a caller walking a batch in slices passes
   the whole lists instead of slicing them (slicing both lists of 10,000 pairs cost 100-170 µs:
   a reference taken and dropped on every str, cold after other work) and calls again from the
   returned index until it reaches stop. False when the caller must take its ordinary path
   (which raises the right error, or handles other sequence types), also when the lists no
   longer match results (changed by another thread between calls). */
static PyObject* fc_batch(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
    long which;
    batch_fn export;
    PyObject *claims, *sources;
    Py_ssize_t total, start, stop, count, sources_count;
    gathered_t c, s;
    Py_buffer view;
    int32_t status;
    int taken;
    (void)self;
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "batch(which, claims, sources, results, start, stop) takes 6 arguments");
        return NULL;
    }
    which = PyLong_AsLong(args[0]);
    if (which == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (which < 0 || which > 3) {
        PyErr_SetString(PyExc_ValueError, "batch: which must be 0..3");
        return NULL;
    }
    start = PyLong_AsSsize_t(args[4]);
    if (start == -1 && PyErr_Occurred()) {
        return NULL;
    }
    stop = PyLong_AsSsize_t(args[5]);
    if (stop == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (start < 0 || stop < start) {
        PyErr_SetString(PyExc_ValueError, "batch: need 0 <= start <= stop");
        return NULL;
    }
    export = (batch_fn)exports[F_ENTITY_OVERLAP_BATCH + which];
    claims = args[1];
    sources = args[2];
    if (export == NULL || !(PyList_CheckExact(claims) || PyTuple_CheckExact(claims))
            || !(PyList_CheckExact(sources) || PyTuple_CheckExact(sources))) {
        Py_RETURN_FALSE;
    }
    total = PySequence_Fast_GET_SIZE(claims);
    if (total != PySequence_Fast_GET_SIZE(sources)) {
        Py_RETURN_FALSE;
    }
    if (PyObject_GetBuffer(args[3], &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) != 0) {
        return NULL;
    }
    if (view.len != total * batch_item_size[which] || stop > total) {
        PyBuffer_Release(&view);
        Py_RETURN_FALSE;
    }
    count = stop - start;
    taken = gathered_take(&c, &s);
    /* The sources are gathered for as many pairs as the claims fitted, and may fit fewer. */
    if ((count = gather_texts(claims, start, count, CALL_BYTES, &c)) < 0) {
        gathered_release(&c, &s, taken);
        PyBuffer_Release(&view);
        Py_RETURN_FALSE;
    }
    if ((sources_count = gather_texts(sources, start, count, CALL_BYTES, &s)) < 0) {
        gathered_drop(&c, count);
        gathered_release(&c, &s, taken);
        PyBuffer_Release(&view);
        Py_RETURN_FALSE;
    }
    /* Every text the kernel reads is held by a reference of ours (or is our copy): another
       thread may change the lists now. */
    Py_BEGIN_ALLOW_THREADS
    status = export(c.texts, s.texts, (int64_t)sources_count, (char*)view.buf + start * batch_item_size[which]);
    Py_END_ALLOW_THREADS
    gathered_drop(&c, count);
    gathered_drop(&s, sources_count);
    count = sources_count;
    gathered_release(&c, &s, taken);
    PyBuffer_Release(&view);
    if (status != 0) {
        Py_RETURN_FALSE;
    }
    return PyLong_FromSsize_t(start + count);
}

/* ---- bm25 search ----------------------------------------------------------------------- */

#define SEARCH_MAX_K 64

/* bm25_search(handle, query, k, id_of_key) -> list of (id, score), or None when the caller
   must take its ordinary path: a closed handle, a non-str query, k outside 0..64, a query
   that cannot be encoded, a non-zero status, a key missing from id_of_key. The ordinary path
   then raises what it raises today (or handles the case). id_of_key: the index's dict of
   int key -> external id. */
static PyObject* fc_bm25_search(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
    bm25_search_fn export = (bm25_search_fn)exports[F_BM25_SEARCH];
    unsigned long long handle;
    long k;
    PyObject *query, *ids, *owner, *list;
    const char* text;
    Py_ssize_t text_len, i;
    int64_t docs[SEARCH_MAX_K], keys[SEARCH_MAX_K], found = 0;
    double scores[SEARCH_MAX_K];
    int32_t status;
    (void)self;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "bm25_search(handle, query, k, id_of_key) takes 4 arguments");
        return NULL;
    }
    query = args[1];
    ids = args[3];
    if (export == NULL || !PyLong_CheckExact(args[0]) || !PyLong_CheckExact(args[2]) || !PyUnicode_Check(query)
            || !PyDict_CheckExact(ids)) {
        Py_RETURN_NONE;
    }
    /* Handles are 64-bit values: PyLong_AsUnsignedLongLong converts those through a byte array
       (~15 ns here); PyLong_AsLongLongAndOverflow reads the digits directly and is exact below
       2^63 (above, the slower call takes over; negative values are no handle). */
    {
        int overflow = 0;
        long long value = PyLong_AsLongLongAndOverflow(args[0], &overflow);
        handle = overflow == 0 ? (value < 0 ? 0 : (unsigned long long)value) : PyLong_AsUnsignedLongLong(args[0]);
    }
    k = PyLong_AsLong(args[2]);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    if (handle == 0 || k < 0 || k > SEARCH_MAX_K) {
        Py_RETURN_NONE;
    }
    text = utf8_of(query, &text_len, &owner);
    if (text == NULL) {
        Py_RETURN_NONE;
    }
    if (PyDict_GET_SIZE(ids) >= gil_docs) {
        Py_BEGIN_ALLOW_THREADS
        status = export(handle, (const uint8_t*)text, text_len, NULL, 0, k, docs, scores, keys, &found);
        Py_END_ALLOW_THREADS
    } else {
        status = export(handle, (const uint8_t*)text, text_len, NULL, 0, k, docs, scores, keys, &found);
    }
    Py_XDECREF(owner);
    if (status != 0 || found < 0 || found > k) {
        Py_RETURN_NONE;
    }
    list = PyList_New((Py_ssize_t)found);
    if (list == NULL) {
        return NULL;
    }
    for (i = 0; i < (Py_ssize_t)found; i++) {
        PyObject *key, *ident, *score, *pair;
        key = PyLong_FromLongLong(keys[i]);
        if (key == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        ident = PyDict_GetItemWithError(ids, key);  /* borrowed */
        Py_DECREF(key);
        if (ident == NULL) {
            Py_DECREF(list);
            if (PyErr_Occurred()) {
                return NULL;
            }
            Py_RETURN_NONE;  /* the ordinary path raises the KeyError */
        }
        score = PyFloat_FromDouble(scores[i]);
        if (score == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        pair = PyTuple_New(2);  /* not PyTuple_Pack: no varargs, no reference juggling */
        if (pair == NULL) {
            Py_DECREF(score);
            Py_DECREF(list);
            return NULL;
        }
        Py_INCREF(ident);
        PyTuple_SET_ITEM(pair, 0, ident);
        PyTuple_SET_ITEM(pair, 1, score);
        PyList_SET_ITEM(list, i, pair);
    }
    return list;
}

/* bm25_search_many(handle, queries, start, stop, k, threads, docs, scores) -> int or False.
   queries: a list or tuple of str; docs / scores: writable C-contiguous buffers of
   len(queries) * k int64 / float64 (the (n, k) result arrays). Searches queries start.. into
   rows start.. of them, as many as fit in CALL_BYTES of text (at least one, at most up to stop),
   with the GIL released, and returns the index after the last; each str's own bytes are read
   in place (an ASCII one) or encoded once (see gather). False when the caller must take its
   ordinary path: a query is not an encodable str, the buffers do not match, or the export
   refused (the ordinary path then raises what it raises). */
static PyObject* fc_bm25_search_many(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
    bm25_search_many_fn export = (bm25_search_many_fn)exports[F_BM25_SEARCH_MANY];
    unsigned long long handle;
    PyObject* queries;
    Py_ssize_t total, start, stop, count;
    long long k;
    long threads;
    Py_buffer docs, scores;
    gathered_t q, unused; /* the kept buffers come in pairs (a batch's two sides): one is used */
    int32_t status;
    int taken;
    (void)self;
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "bm25_search_many(handle, queries, start, stop, k, threads, docs, scores) takes 8 arguments");
        return NULL;
    }
    queries = args[1];
    if (export == NULL || !PyLong_CheckExact(args[0]) || !(PyList_CheckExact(queries) || PyTuple_CheckExact(queries))) {
        Py_RETURN_FALSE;
    }
    handle = PyLong_AsUnsignedLongLong(args[0]);
    start = PyLong_AsSsize_t(args[2]);
    stop = PyLong_AsSsize_t(args[3]);
    k = PyLong_AsLongLong(args[4]);
    threads = PyLong_AsLong(args[5]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    total = PySequence_Fast_GET_SIZE(queries);
    if (start < 0 || stop < start || stop > total || k < 1 || k > (1LL << 31) || threads < 0 || threads > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "bm25_search_many: need 0 <= start <= stop <= len(queries), 1 <= k, 0 <= threads");
        return NULL;
    }
    if (start == stop) {
        return PyLong_FromSsize_t(stop);
    }
    if (PyObject_GetBuffer(args[6], &docs, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) != 0) {
        return NULL;
    }
    if (PyObject_GetBuffer(args[7], &scores, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) != 0) {
        PyBuffer_Release(&docs);
        return NULL;
    }
    /* (n, k) arrays: k cells a row (the first test keeps the products below from overflowing). */
    if (k > PY_SSIZE_T_MAX / 8 / total
            || docs.len != total * k * (Py_ssize_t)sizeof(int64_t) || scores.len != total * k * (Py_ssize_t)sizeof(double)) {
        PyBuffer_Release(&docs);
        PyBuffer_Release(&scores);
        Py_RETURN_FALSE;
    }
    /* The kept buffers of the signal batches serve here too (one call at a time takes them). */
    taken = gathered_take(&q, &unused);
    if ((count = gather(queries, start, stop - start, CALL_BYTES, &q)) < 0) {
        gathered_release(&q, &unused, taken);
        PyBuffer_Release(&docs);
        PyBuffer_Release(&scores);
        Py_RETURN_FALSE;
    }
    Py_BEGIN_ALLOW_THREADS
    status = export((uint64_t)handle, q.spans, (int64_t)count, (int64_t)k, (int32_t)threads,
                    (int64_t*)docs.buf + start * k, (double*)scores.buf + start * k);
    Py_END_ALLOW_THREADS
    gathered_drop(&q, count);
    gathered_release(&q, &unused, taken);
    PyBuffer_Release(&docs);
    PyBuffer_Release(&scores);
    if (status != 0) {
        Py_RETURN_FALSE;
    }
    return PyLong_FromSsize_t(start + count);
}

/* ---- bind / unbind ------------------------------------------------------------------- */

static char* docs[F_SINGLE_COUNT];
static PyMethodDef* method_table(void);

/* bind(addresses, fallbacks=None, docs=None): addresses maps export names (as in
   ragkernels.h) to their addresses (int); fallbacks maps the single-call export names to the
   Python wrappers to call in every unusual case; docs maps them to the docstrings the public
   functions should show. Names not given keep their previous binding. */
static PyObject* fc_bind(PyObject* self, PyObject* args, PyObject* kwargs) {
    static char* keywords[] = {"addresses", "fallbacks", "docs", NULL};
    PyObject *addresses, *fallback_map = Py_None, *doc_map = Py_None;
    void* found[F_COUNT];
    int i;
    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!|OO:bind", keywords, &PyDict_Type, &addresses, &fallback_map,
                                     &doc_map)) {
        return NULL;
    }
    /* Validate everything before anything changes. */
    for (i = 0; i < F_COUNT; i++) {
        PyObject* value = PyDict_GetItemString(addresses, export_names[i]);
        found[i] = NULL;
        if (value != NULL) {
            found[i] = PyLong_AsVoidPtr(value);
            if (found[i] == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_Format(PyExc_ValueError, "bind: the address of %s is 0", export_names[i]);
                }
                return NULL;
            }
        }
    }
    if (fallback_map != Py_None && !PyDict_Check(fallback_map)) {
        PyErr_SetString(PyExc_TypeError, "bind: fallbacks must be a dict or None");
        return NULL;
    }
    if (doc_map != Py_None && !PyDict_Check(doc_map)) {
        PyErr_SetString(PyExc_TypeError, "bind: docs must be a dict or None");
        return NULL;
    }
    for (i = 0; i < F_COUNT; i++) {
        if (found[i] != NULL && i < F_SINGLE_COUNT && (fallback_map == Py_None
                || PyDict_GetItemString(fallback_map, export_names[i]) == NULL)
                && fallbacks[i] == NULL) {
            PyErr_Format(PyExc_ValueError, "bind: %s needs a fallback", export_names[i]);
            return NULL;
        }
    }
    if (fallback_map != Py_None) {
        for (i = 0; i < F_SINGLE_COUNT; i++) {
            PyObject* fallback = PyDict_GetItemString(fallback_map, export_names[i]);
            if (fallback != NULL) {
                Py_INCREF(fallback);
                Py_XSETREF(fallbacks[i], fallback);
            }
        }
    }
    if (doc_map != Py_None) {
        for (i = 0; i < F_SINGLE_COUNT; i++) {
            PyObject* doc = PyDict_GetItemString(doc_map, export_names[i]);
            const char* text;
            char* copy;
            Py_ssize_t size;
            if (doc == NULL) {
                continue;
            }
            text = PyUnicode_AsUTF8AndSize(doc, &size);
            if (text == NULL) {
                return NULL;
            }
            copy = (char*)PyMem_Malloc((size_t)size + 1);
            if (copy == NULL) {
                return PyErr_NoMemory();
            }
            memcpy(copy, text, (size_t)size + 1);
            /* The function objects read ml_doc when __doc__ / __text_signature__ are asked for. */
            method_table()[i].ml_doc = copy;
            PyMem_Free(docs[i]);
            docs[i] = copy;
        }
    }
    for (i = 0; i < F_COUNT; i++) {
        if (found[i] != NULL) {
            exports[i] = found[i];
        }
    }
    Py_RETURN_NONE;
}

static PyObject* fc_unbind(PyObject* self, PyObject* unused) {
    int i;
    (void)self;
    (void)unused;
    for (i = 0; i < F_COUNT; i++) {
        exports[i] = NULL;
    }
    Py_RETURN_NONE;
}

static PyObject* fc_bound(PyObject* self, PyObject* unused) {
    PyObject* result = PyList_New(0);
    int i;
    (void)self;
    (void)unused;
    if (result == NULL) {
        return NULL;
    }
    for (i = 0; i < F_COUNT; i++) {
        if (exports[i] != NULL) {
            PyObject* name = PyUnicode_FromString(export_names[i]);
            if (name == NULL || PyList_Append(result, name) != 0) {
                Py_XDECREF(name);
                Py_DECREF(result);
                return NULL;
            }
            Py_DECREF(name);
        }
    }
    return result;
}

/* _gil_thresholds(bytes=None, docs=None) -> (bytes, docs): reads (and, for measurements, sets)
   the sizes from which the single calls and bm25 search release the GIL. */
static PyObject* fc_gil_thresholds(PyObject* self, PyObject* args) {
    PyObject *bytes = Py_None, *doc_count = Py_None;
    (void)self;
    if (!PyArg_ParseTuple(args, "|OO:_gil_thresholds", &bytes, &doc_count)) {
        return NULL;
    }
    if (bytes != Py_None) {
        Py_ssize_t value = PyLong_AsSsize_t(bytes);
        if (value == -1 && PyErr_Occurred()) {
            return NULL;
        }
        gil_threshold = value;
    }
    if (doc_count != Py_None) {
        Py_ssize_t value = PyLong_AsSsize_t(doc_count);
        if (value == -1 && PyErr_Occurred()) {
            return NULL;
        }
        gil_docs = value;
    }
    return Py_BuildValue("(nn)", gil_threshold, gil_docs);
}

#define PAIR_DOC(name, a, b, text) name "($module, " a ", " b ")\n--\n\n" text

static PyMethodDef methods[] = {
    /* The first F_SINGLE_COUNT stay in the order of F_*: bind() replaces their ml_doc. */
    {"entity_overlap", (PyCFunction)(void (*)(void))fc_entity_overlap, METH_FASTCALL | METH_KEYWORDS,
     PAIR_DOC("entity_overlap", "text_a", "text_b", "Jaccard overlap of capitalised-phrase entities.")},
    {"numerical_consistency", (PyCFunction)(void (*)(void))fc_numerical_consistency, METH_FASTCALL | METH_KEYWORDS,
     PAIR_DOC("numerical_consistency", "text_a", "text_b", "Whether two texts share a number.")},
    {"negation_flip", (PyCFunction)(void (*)(void))fc_negation_flip, METH_FASTCALL | METH_KEYWORDS,
     PAIR_DOC("negation_flip", "claim", "source", "Whether exactly one side is negated over >= 3 shared words.")},
    {"traceability", (PyCFunction)(void (*)(void))fc_traceability, METH_FASTCALL | METH_KEYWORDS,
     PAIR_DOC("traceability", "claim", "source", "Share of the claim's content words found in the source.")},
    {"trend_drop", (PyCFunction)(void (*)(void))fc_trend_drop, METH_FASTCALL | METH_KEYWORDS,
     "trend_drop($module, values)\n--\n\nTotal drop of the least-squares line through values."},
    {"batch", (PyCFunction)(void (*)(void))fc_batch, METH_FASTCALL,
     "batch($module, which, claims, sources, results, start, stop, /)\n--\n\n"
     "Runs batch export `which` (0..3) on pairs start.. of lists/tuples of str into results[start:...], as many "
     "as fit in one call; returns the index after the last; False: take the ordinary path."},
    {"bm25_search", (PyCFunction)(void (*)(void))fc_bm25_search, METH_FASTCALL,
     "bm25_search($module, handle, query, k, id_of_key, /)\n--\n\n"
     "rk_bm25_search for a str query and k <= 64 as a list of (id, score); None: take the ordinary path."},
    {"bm25_search_many", (PyCFunction)(void (*)(void))fc_bm25_search_many, METH_FASTCALL,
     "bm25_search_many($module, handle, queries, start, stop, k, threads, docs, scores, /)\n--\n\n"
     "rk_bm25_search_many_spans on str queries start.. into rows start.. of docs/scores, as many as fit in one "
     "call; returns the index after the last; False: take the ordinary path."},
    {"window_push", (PyCFunction)(void (*)(void))fc_window_push, METH_FASTCALL,
     "window_push($module, handle, score, /)\n--\n\n"
     "rk_trend_window_push for an exact float or int score; None: take the ordinary path."},
    {"_utf8", fc_utf8, METH_O,
     "_utf8($module, text, /)\n--\n\nThe UTF-8 the batches send for a str (its str.encode()), or None when it has a surrogate."},
    {"bind", (PyCFunction)(void (*)(void))fc_bind, METH_VARARGS | METH_KEYWORDS,
     "bind($module, /, addresses, fallbacks=None, docs=None)\n--\n\n"
     "Binds export names to addresses (int), with the Python fallbacks and docstrings of the single calls."},
    {"unbind", fc_unbind, METH_NOARGS,
     "unbind($module, /)\n--\n\nSends every call to the fallbacks from now on (a forked child)."},
    {"bound", fc_bound, METH_NOARGS, "bound($module, /)\n--\n\nThe export names currently bound."},
    {"_gil_thresholds", fc_gil_thresholds, METH_VARARGS,
     "_gil_thresholds($module, bytes=None, docs=None, /)\n--\n\n"
     "(bytes, docs): input size from which single calls / bm25 search release the GIL; sets them when given."},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef* method_table(void) {
    return methods;
}

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "ragkernels._native._fastcall",
    "A faster call path to libragkernels' exports (see _fastcall.c); bound by ragkernels at import.",
    -1,
    methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastcall(void) {
    PyObject* m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "SEARCH_MAX_K", SEARCH_MAX_K) != 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
