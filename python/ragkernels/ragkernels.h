/*
 * ragkernels.h: THE declaration of the ragkernels C ABI (libragkernels.so / .dylib / .dll).
 *
 * Rules (shared/design/ARCHITECTURE.md):
 *  - Every export returns an int32_t status (RK_OK = 0) and writes results through
 *    out-pointers; rk_abi_version is the one exception, it cannot fail.
 *  - After a non-zero status, rk_last_error_message gives the calling thread's message.
 *  - Text crosses as UTF-8 pointer + byte length, never NUL-terminated. Batches cross as one
 *    contiguous UTF-8 buffer plus an int64 offsets array of count + 1 entries.
 *  - Outputs go into caller-allocated buffers; the library allocates only behind handles.
 *  - Handles are opaque uint64_t values from *_create, released with *_free. A freed, stale,
 *    forged or foreign handle returns RK_INVALID_HANDLE; it never crashes.
 *  - No bool crosses the boundary (int32_t 0/1); sizes are int64_t.
 *  - Every call is thread-safe and reentrant.
 *
 * The Python package hands this file to cffi: only preprocessor lines of the form
 * "#define RK_NAME <integer>" are read from it, every other "#" line is skipped.
 */
#ifndef RAGKERNELS_H
#define RAGKERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RK_ABI_VERSION 1

/* Status codes. 1-99: any area; 100-199 signals; 200-299 BM25; 300-399 embeddings;
   400-499 vector and hybrid retrieval. */
#define RK_OK 0
#define RK_INVALID_ARGUMENT 1
#define RK_NULL_POINTER 2
#define RK_BUFFER_TOO_SMALL 3
#define RK_INVALID_HANDLE 4
#define RK_INVALID_UTF8 5
#define RK_NOT_FOUND 6
#define RK_IO 7
#define RK_FORMAT 8
#define RK_OUT_OF_MEMORY 9
#define RK_CANCELLED 10
#define RK_INTERNAL 99

/* ---- core ---------------------------------------------------------------------------- */

/* The ABI version the library implements; must equal RK_ABI_VERSION. */
int32_t rk_abi_version(void);

/* Copies the calling thread's last error message (UTF-8, no NUL) into buffer and stores
   its byte length in *needed; RK_BUFFER_TOO_SMALL (nothing copied) if capacity < *needed. */
int32_t rk_last_error_message(uint8_t* buffer, int64_t capacity, int64_t* needed);

/* Does nothing; measures the cost of one call across the boundary. */
int32_t rk_bench_noop(void);

/* Runs the C# benchmark workload called name (UTF-8) warmup times, then count timed times,
   writing each call's time in ns into nanoseconds[count]. RK_NOT_FOUND: no such workload. */
int32_t rk_bench_kernel(const uint8_t* name, int64_t name_length, int64_t warmup,
                        double* nanoseconds, int64_t count);

/* ---- signals: trend_drop ----------------------------------------------------------- */

/* trend_drop of count doubles (values may be NULL when count is 0). */
int32_t rk_signal_trend_drop(const double* values, int64_t count, double* result);

/* A streaming window of the last size scores (1 <= size <= 1048576). */
int32_t rk_trend_window_create(int64_t size, uint64_t* handle);
/* Appends score; *drop = trend_drop of the window's scores, oldest first. */
int32_t rk_trend_window_push(uint64_t handle, double score, double* drop);
int32_t rk_trend_window_reset(uint64_t handle);
int32_t rk_trend_window_free(uint64_t handle);

/* ---- signals: entity_overlap, numerical_consistency, negation_flip, traceability ---- */

/* Pairwise signals of a claim (text_a) and a source (text_b), UTF-8 pointer + byte length
   each (NULL allowed for length 0). RK_INVALID_UTF8 when a text is not valid UTF-8. */
int32_t rk_signal_entity_overlap(const uint8_t* a, int64_t a_len, const uint8_t* b, int64_t b_len,
                                 double* result);
/* *result: 1 = True, 0 = False, -1 = None (a text without numbers). */
int32_t rk_signal_numerical_consistency(const uint8_t* a, int64_t a_len, const uint8_t* b, int64_t b_len,
                                        int32_t* result);
/* *result: 1 = True, 0 = False. */
int32_t rk_signal_negation_flip(const uint8_t* claim, int64_t claim_len, const uint8_t* source,
                                int64_t source_len, int32_t* result);
int32_t rk_signal_traceability(const uint8_t* claim, int64_t claim_len, const uint8_t* source,
                               int64_t source_len, double* result);

/* Batches of count pairs, computed in parallel: per side one UTF-8 buffer of *_len bytes and
   count + 1 offsets (item i = bytes offsets[i]..offsets[i+1], non-decreasing, within the
   buffer); results[count] in the caller's array. RK_INVALID_UTF8 names the first bad item. */
int32_t rk_signal_entity_overlap_batch(const uint8_t* claims, int64_t claims_len, const int64_t* claim_offsets,
                                       const uint8_t* sources, int64_t sources_len, const int64_t* source_offsets,
                                       int64_t count, double* results);
/* results: 1 = True, 0 = False, -1 = None. */
int32_t rk_signal_numerical_consistency_batch(const uint8_t* claims, int64_t claims_len,
                                              const int64_t* claim_offsets, const uint8_t* sources,
                                              int64_t sources_len, const int64_t* source_offsets,
                                              int64_t count, int8_t* results);
/* results: 1 = True, 0 = False, one byte each (a numpy bool array). */
int32_t rk_signal_negation_flip_batch(const uint8_t* claims, int64_t claims_len, const int64_t* claim_offsets,
                                      const uint8_t* sources, int64_t sources_len, const int64_t* source_offsets,
                                      int64_t count, uint8_t* results);
int32_t rk_signal_traceability_batch(const uint8_t* claims, int64_t claims_len, const int64_t* claim_offsets,
                                     const uint8_t* sources, int64_t sources_len, const int64_t* source_offsets,
                                     int64_t count, double* results);

/* ---- bm25 ------------------------------------------------------------------------------ */

/* ---- embeddings ------------------------------------------------------------------------ */

/* ---- vector index, fusion and hybrid retrieval ----------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif /* RAGKERNELS_H */
