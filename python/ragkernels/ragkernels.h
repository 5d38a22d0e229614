/*
 * ragkernels.h: THE declaration of the ragkernels C ABI (libragkernels.so / .dylib / .dll).
 *
 * Rules (shared/design/ARCHITECTURE.md):
 *  - Every export returns an int32_t status (RK_OK = 0) and writes results through
 *    out-pointers; rk_abi_version is the one exception, it cannot fail.
 *  - After a non-zero status, rk_last_error_message gives the calling thread's message.
 *  - Text crosses as UTF-8 pointer + byte length, never NUL-terminated. Batches cross as one
 *    contiguous UTF-8 buffer plus an int64 offsets array of count + 1 entries, or (the
 *    "_spans" forms) as an array of rk_span, one UTF-8 pointer + length per text, or (the
 *    "_texts" forms) as an array of rk_text, which may also hold fixed-width code points.
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

#define RK_ABI_VERSION 6

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

/* A one-line description of the build (runtime, target, ABI), same buffer protocol. */
int32_t rk_build_info(uint8_t* buffer, int64_t capacity, int64_t* needed);

/* Does nothing; measures the cost of one call across the boundary. */
int32_t rk_bench_noop(void);

/* Runs the C# benchmark workload called name (UTF-8) warmup times, then count timed times,
   writing each call's time in ns into nanoseconds[count]. RK_NOT_FOUND: no such workload. */
int32_t rk_bench_kernel(const uint8_t* name, int64_t name_length, int64_t warmup,
                        double* nanoseconds, int64_t count);

/* One UTF-8 text of a gathered batch: length bytes at data (data may be NULL when length is
   0). The "_spans" forms of the batch exports take an array of these instead of one buffer plus
   offsets, so a caller whose texts already lie apart (Python str objects) passes them without
   copying them together first. Each text is borrowed for the call only. */
typedef struct rk_span {
    const uint8_t* data;
    int64_t length;
} rk_span;

/* One text of a gathered batch for the "_texts" forms: UTF-8, or the fixed-width code points a
   Python str keeps (PEP 393), so a caller passes such strings as they are and the library
   converts them to UTF-8 on its worker threads. encoding: RK_TEXT_UTF8 (length bytes, checked
   as UTF-8), RK_TEXT_LATIN1, RK_TEXT_UCS2 or RK_TEXT_UCS4 (length code points of 1, 2 or 4
   bytes each, native byte order). A code point with no UTF-8 form (a surrogate U+D800-U+DFFF,
   also two in a row, or above U+10FFFF) refuses the text with RK_INVALID_UTF8, as Python's
   str.encode("utf-8") refuses it. reserved must be 0. data may be NULL when length is 0. */
#define RK_TEXT_UTF8 0
#define RK_TEXT_LATIN1 1
#define RK_TEXT_UCS2 2
#define RK_TEXT_UCS4 4
typedef struct rk_text {
    const void* data;
    int64_t length;
    int32_t encoding;
    int32_t reserved;
} rk_text;

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
/* The same four batches over one rk_span per text (claims[i], sources[i]); same results and
   statuses (RK_INVALID_ARGUMENT for a length outside 0..2^31-1, RK_NULL_POINTER for NULL data
   with a length). */
int32_t rk_signal_entity_overlap_batch_spans(const rk_span* claims, const rk_span* sources, int64_t count,
                                             double* results);
int32_t rk_signal_numerical_consistency_batch_spans(const rk_span* claims, const rk_span* sources,
                                                    int64_t count, int8_t* results);
int32_t rk_signal_negation_flip_batch_spans(const rk_span* claims, const rk_span* sources, int64_t count,
                                            uint8_t* results);
int32_t rk_signal_traceability_batch_spans(const rk_span* claims, const rk_span* sources, int64_t count,
                                           double* results);
/* The same four batches over one rk_text per text; same results and statuses, and
   RK_INVALID_ARGUMENT for an unknown encoding, a reserved field that is not 0, or a length
   outside 0..2^31-1 bytes (UTF-8) or beyond what fits one buffer once converted. */
int32_t rk_signal_entity_overlap_batch_texts(const rk_text* claims, const rk_text* sources, int64_t count,
                                             double* results);
int32_t rk_signal_numerical_consistency_batch_texts(const rk_text* claims, const rk_text* sources,
                                                    int64_t count, int8_t* results);
int32_t rk_signal_negation_flip_batch_texts(const rk_text* claims, const rk_text* sources, int64_t count,
                                            uint8_t* results);
int32_t rk_signal_traceability_batch_texts(const rk_text* claims, const rk_text* sources, int64_t count,
                                           double* results);

/* ---- bm25 ------------------------------------------------------------------------------ */

/* A BM25 index (shared/spec/bm25.md). method 0 lucene, 1 okapi, 2 bm25l, 3 bm25+; tokenizer
   0 word, 1 word2; stopwords 0/1 (Lucene English list). Queries: UTF-8 text read with the
   index's tokenizer when token_offsets is NULL, else token j = text[token_offsets[j] ..
   token_offsets[j + 1]]. Documents carry a caller key (increasing) and opaque id bytes.
   Reads work on a snapshot and never wait for a writer. */
int32_t rk_bm25_create(int32_t method, double k1, double b, double delta, double epsilon,
                       int32_t tokenizer, int32_t stopwords, uint64_t* handle);
int32_t rk_bm25_free(uint64_t handle);
int32_t rk_bm25_add(uint64_t handle, const uint8_t* text, int64_t text_length,
                    const int64_t* doc_starts, int64_t count, const int64_t* token_offsets,
                    int64_t token_count, const uint8_t* ids, int64_t ids_length,
                    const int64_t* id_offsets, const int64_t* keys);
/* RK_NOT_FOUND (nothing removed) when a key is unknown. */
int32_t rk_bm25_remove(uint64_t handle, const int64_t* keys, int64_t count, int64_t* removed);
/* Top k into docs/scores/keys[k] (keys may be NULL); *found = how many. */
int32_t rk_bm25_search(uint64_t handle, const uint8_t* text, int64_t text_length,
                       const int64_t* token_offsets, int64_t token_count, int64_t k,
                       int64_t* docs, double* scores, int64_t* keys, int64_t* found);
/* count queries into row-major (count, k) docs/scores (unused: -1 / 0) on threads (0 = all). */
int32_t rk_bm25_search_many(uint64_t handle, const uint8_t* text, int64_t text_length,
                            const int64_t* query_starts, int64_t count,
                            const int64_t* token_offsets, int64_t token_count, int64_t k,
                            int32_t threads, int64_t* docs, double* scores);
/* rk_bm25_search_many over one rk_span (UTF-8 text) per query; same results and statuses
   (RK_INVALID_ARGUMENT also for a query length outside 0..2^31-1, RK_NULL_POINTER for NULL data
   with a length). */
int32_t rk_bm25_search_many_spans(uint64_t handle, const rk_span* queries, int64_t count, int64_t k,
                                  int32_t threads, int64_t* docs, double* scores);
/* Every document's score; RK_BUFFER_TOO_SMALL when capacity < *count. */
int32_t rk_bm25_get_scores(uint64_t handle, const uint8_t* text, int64_t text_length,
                           const int64_t* token_offsets, int64_t token_count, double* scores,
                           int64_t capacity, int64_t* count);
int32_t rk_bm25_len(uint64_t handle, int64_t* count);
int32_t rk_bm25_memory(uint64_t handle, int64_t* bytes);
/* params receives k1, b, delta, epsilon. */
int32_t rk_bm25_info(uint64_t handle, int32_t* method, double* params, int32_t* tokenizer,
                     int32_t* stopwords, int64_t* next_key);
int32_t rk_bm25_ids(uint64_t handle, int64_t* keys, int64_t capacity, uint8_t* ids,
                    int64_t ids_capacity, int64_t* id_offsets, int64_t* count,
                    int64_t* ids_length);
int32_t rk_bm25_save(uint64_t handle, const uint8_t* path, int64_t path_length);
/* RK_FORMAT for a foreign, truncated or corrupt file; RK_IO when it cannot be read. */
int32_t rk_bm25_load(const uint8_t* path, int64_t path_length, uint64_t* handle);

/* ---- embeddings ------------------------------------------------------------------------ */

/* ONNX Runtime could not be found or loaded (Python: ImportError). */
#define RK_ONNXRUNTIME_MISSING 300

/* Opens a sentence-transformers ONNX folder (UTF-8 path). runtime_paths: newline-separated
   ONNX Runtime libraries to try before the system library path (empty: $RAGKERNELS_ONNXRUNTIME).
   max_length 0 = the folder's max_seq_length; threads 0 = ORT's default; normalize 0/1;
   tokenizer_only 1 = tokenizer only (no model, no ONNX Runtime; rk_embed_run refuses). */
int32_t rk_embed_create(const uint8_t* model_dir, int64_t model_dir_length,
                        const uint8_t* runtime_paths, int64_t runtime_paths_length,
                        int64_t max_length, int32_t threads, int32_t normalize,
                        int32_t tokenizer_only, uint64_t* handle);
/* The vector size and the tokens per text ([CLS]/[SEP] included). */
int32_t rk_embed_dim(uint64_t handle, int64_t* dim, int64_t* max_length);
/* Embeds count texts (one UTF-8 buffer + count + 1 offsets) into output[count * dim] (row i =
   text i), batch_size texts per ORT run; *ort_run_ns (may be NULL) = time inside ORT's Run. */
int32_t rk_embed_run(uint64_t handle, const uint8_t* text, const int64_t* offsets, int64_t count,
                     int64_t batch_size, float* output, int64_t output_length, int64_t* ort_run_ns);
/* rk_embed_run that stops early, returning RK_CANCELLED (output unspecified), once *cancel is
   non-zero: read before each batch; rk_embed_cancel(handle, cancel), called from another thread
   after setting *cancel, also stops the ONNX Runtime Run under way. cancel (not NULL) must stay
   valid until the call returns; the embedder stays usable. */
int32_t rk_embed_run_cancellable(uint64_t handle, const uint8_t* text, const int64_t* offsets,
                                 int64_t count, int64_t batch_size, float* output,
                                 int64_t output_length, int64_t* ort_run_ns, const int32_t* cancel);
/* Stops the ORT Run of every rk_embed_run_cancellable call on handle under way with this cancel
   pointer; RK_OK also when there is none. */
int32_t rk_embed_cancel(uint64_t handle, const int32_t* cancel);
/* Token ids of each text ([CLS] ... [SEP], max_length tokens at most, 0 = the embedder's),
   concatenated into ids; lengths[count]; *needed = total (RK_BUFFER_TOO_SMALL if > capacity). */
int32_t rk_embed_tokenize(uint64_t handle, const uint8_t* text, const int64_t* offsets, int64_t count,
                          int64_t max_length, int32_t* ids, int64_t capacity, int64_t* lengths,
                          int64_t* needed);
int32_t rk_embed_free(uint64_t handle);

/* ---- vector index, fusion and hybrid retrieval ----------------------------------------- */

/* An exact top-k index over float32 vectors (dim 1..65536). metric: 0 dot, 1 cosine (vectors
   stored normalised), 2 l2 (score = -Euclidean distance). Scores: higher is better; equal
   scores rank in insertion order. Searches may run while another thread adds or removes:
   each sees one consistent snapshot. */
int32_t rk_vector_index_create(int64_t dim, int32_t metric, uint64_t* handle);
int32_t rk_vector_index_free(uint64_t handle);
/* count row-major vectors; ids (0..2^63-2, new, distinct) or NULL for automatic ids; the ids
   used go to assigned unless it is NULL. All or nothing. */
int32_t rk_vector_index_add(uint64_t handle, const float* vectors, int64_t count, const int64_t* ids,
                            int64_t* assigned);
/* All or nothing; RK_NOT_FOUND for an unknown id. */
int32_t rk_vector_index_remove(uint64_t handle, const int64_t* ids, int64_t count);
int32_t rk_vector_index_count(uint64_t handle, int64_t* count);
/* The best min(k, count) for query[dim] into ids[k], scores[k]; *found = how many. */
int32_t rk_vector_index_search(uint64_t handle, const float* query, int64_t dim, int64_t k,
                               int64_t* ids, float* scores, int64_t* found);
/* query_count queries on threads threads (0 = all; at most one per processor); results
   [query_count][k], padded with id -1 and score NaN. */
int32_t rk_vector_index_search_many(uint64_t handle, const float* queries, int64_t query_count,
                                    int64_t k, int32_t threads, int64_t* ids, float* scores);
/* rk_vector_index_search_many that stops early, returning RK_CANCELLED (results unspecified),
   once another thread sets *cancel to non-zero (read before each ~64 KB block of vectors);
   cancel (not NULL) must stay valid until the call returns. */
int32_t rk_vector_index_search_many_cancellable(uint64_t handle, const float* queries,
                                                int64_t query_count, int64_t k, int32_t threads,
                                                int64_t* ids, float* scores, const int32_t* cancel);
/* The saved-file bytes of one snapshot; RK_BUFFER_TOO_SMALL (nothing written) when capacity is
   below *needed. */
int32_t rk_vector_index_serialize(uint64_t handle, uint8_t* buffer, int64_t capacity, int64_t* needed);
/* A new index from saved-file bytes; RK_FORMAT for a foreign, truncated or corrupt file. */
int32_t rk_vector_index_deserialize(const uint8_t* data, int64_t length, uint64_t* handle,
                                    int64_t* dim, int32_t* metric);

/* Reciprocal rank fusion of ranking_count rankings ids[offsets[j]..offsets[j+1]) (best first):
   score = sum of weights[j] / (k + rank), ranks from 1; weights NULL = all 1. The best
   min(capacity, distinct) go to out_ids/out_scores, equal scores in first-appearance order. */
int32_t rk_rrf_fuse(const int64_t* ids, const int64_t* offsets, int64_t ranking_count,
                    const double* weights, double k, int64_t* out_ids, double* out_scores,
                    int64_t capacity, int64_t* count);

/* Filters: allowed = int64 ids, strictly ascending, allowed_count of them; NULL = no filter.
   Rows whose id is not allowed are skipped before the top k (they never take a place). */
/* rk_bm25_search for a text query over the documents whose integer id is allowed. */
int32_t rk_bm25_search_filtered(uint64_t handle, const uint8_t* text, int64_t text_length, int64_t k,
                                const int64_t* allowed, int64_t allowed_count, int64_t* docs,
                                double* scores, int64_t* keys, int64_t* found);
/* rk_vector_index_search over the allowed ids. */
int32_t rk_vector_index_search_filtered(uint64_t handle, const float* query, int64_t dim, int64_t k,
                                        const int64_t* allowed, int64_t allowed_count, int64_t* ids,
                                        float* scores, int64_t* found);
/* Hybrid search in one call: BM25 top fetch_k for text + vector top fetch_k for query[dim]
   (query NULL: BM25 only), both filtered by allowed, fused by RRF (ranking 0 = BM25, 1 = vectors;
   score = sum of w / (rrf_k + rank)). The best min(k, distinct) go to ids/scores[k] with each id's
   1-based rank among the BM25 / vector candidates (0 = absent). BM25 ids must be int64 chunk ids,
   the same ids the vector index uses. */
int32_t rk_hybrid_search(uint64_t bm25, uint64_t vectors, const uint8_t* text, int64_t text_length,
                         const float* query, int64_t dim, int64_t fetch_k, double bm25_weight,
                         double vector_weight, double rrf_k, const int64_t* allowed,
                         int64_t allowed_count, int64_t k, int64_t* ids, double* scores,
                         int32_t* bm25_ranks, int32_t* vector_ranks, int64_t* found);

/* ---- interruptible writes (issue 7) ----------------------------------------------------- */

/* rk_bm25_add without publishing: searches, rk_bm25_len and saves do not see staged documents
   until rk_bm25_commit(handle, 1, ...) (or the next rk_bm25_add / rk_bm25_remove) publishes
   them; rk_bm25_commit(handle, 0, ...) drops them and restores the next key. Lets a long add run
   as many short calls with one rebuild of the scores at the end. */
int32_t rk_bm25_add_staged(uint64_t handle, const uint8_t* text, int64_t text_length,
                           const int64_t* doc_starts, int64_t count, const int64_t* token_offsets,
                           int64_t token_count, const uint8_t* ids, int64_t ids_length,
                           const int64_t* id_offsets, const int64_t* keys);
/* keep 1 = publish the staged documents, 0 = drop them; *staged = how many there were. */
int32_t rk_bm25_commit(uint64_t handle, int32_t keep, int64_t* staged);

#ifdef __cplusplus
}
#endif

#endif /* RAGKERNELS_H */
