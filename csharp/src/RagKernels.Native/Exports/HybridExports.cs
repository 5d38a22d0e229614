using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using RagKernels.Bm25;
using RagKernels.Filtering;
using RagKernels.Fusion;
using RagKernels.Vectors;

namespace RagKernels.Native.Exports;

/// <summary>
/// Hybrid retrieval (RagKernels.Fusion.HybridSearch) and the filtered searches it is built on.
/// A filter crosses as <c>allowed</c> (int64 ids, strictly ascending) and <c>allowed_count</c>;
/// <c>allowed == NULL</c> means no filter (an empty non-NULL list allows nothing).
/// </summary>
internal static unsafe class HybridExports
{
    // One workspace per thread: after its buffers have grown to the largest fetch_k seen, a
    // hybrid search allocates nothing.
    [ThreadStatic]
    private static HybridSearch? t_hybrid;

    private static int MakeAllowed(long* allowed, long allowedCount, out AllowedIds filter)
    {
        filter = AllowedIds.All;
        if (allowed == null)
        {
            return Status.Ok;
        }
        if (allowedCount < 0 || allowedCount > int.MaxValue)
        {
            return LastError.InvalidArgument($"allowed_count must be between 0 and {int.MaxValue}, got {allowedCount}");
        }
        var ids = new ReadOnlySpan<long>(allowed, (int)allowedCount);
        AllowedIds.Validate(ids);
        filter = new AllowedIds(ids);
        return Status.Ok;
    }

    private static int MakeText(byte* text, long textLength, out Bm25Search.Query query)
    {
        query = default;
        if (textLength < 0 || textLength > int.MaxValue)
        {
            return LastError.InvalidArgument($"text_length must be between 0 and {int.MaxValue}, got {textLength}");
        }
        if (text == null && textLength > 0)
        {
            return LastError.NullPointer("text");
        }
        query = new Bm25Search.Query(new ReadOnlySpan<byte>(text, (int)textLength), default);
        return Status.Ok;
    }

    private static int Fail(Exception e) =>
        e is Bm25InvalidUtf8Exception ? LastError.Set(Status.InvalidUtf8, e.Message) : LastError.FromException(e);

    /// <summary>
    /// <c>int32_t rk_bm25_search_filtered(uint64_t handle, const uint8_t* text, int64_t text_length,
    /// int64_t k, const int64_t* allowed, int64_t allowed_count, int64_t* docs, double* scores,
    /// int64_t* keys, int64_t* found)</c>: rk_bm25_search (text queries) over the documents whose
    /// integer id is in <c>allowed</c>; the others are skipped before the top k. Buffers of k
    /// entries, borrowed; keys may be NULL. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT
    /// (also for a filter on an index with a non-integer id), RK_INVALID_UTF8, RK_INVALID_HANDLE.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_search_filtered", CallConvs = [typeof(CallConvCdecl)])]
    public static int Bm25SearchFiltered(ulong handle, byte* text, long textLength, long k, long* allowed, long allowedCount,
        long* docs, double* scores, long* keys, long* found)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle("BM25 index");
            }
            if (found == null || ((docs == null || scores == null) && k > 0))
            {
                return LastError.NullPointer(found == null ? "found" : docs == null ? "docs" : "scores");
            }
            if (k < 0 || k > int.MaxValue)
            {
                return LastError.InvalidArgument($"k must be between 0 and {int.MaxValue}, got {k}");
            }
            int status = MakeText(text, textLength, out Bm25Search.Query query);
            if (status == Status.Ok)
            {
                status = MakeAllowed(allowed, allowedCount, out AllowedIds filter);
                if (status == Status.Ok)
                {
                    Bm25Search.Validate(query);
                    Bm25Snapshot snapshot = index.Current;
                    int capacity = (int)Math.Min(k, snapshot.Count);
                    // Document numbers go to docs as int64 afterwards; the int scratch comes from the pool.
                    int[] numbers = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(capacity, 1));
                    try
                    {
                        int n = Bm25Search.Search(snapshot, query, capacity, numbers, new Span<double>(scores, capacity), filter);
                        for (int i = 0; i < n; i++)
                        {
                            docs[i] = numbers[i];
                            if (keys != null)
                            {
                                keys[i] = snapshot.Documents[numbers[i]].Key;
                            }
                        }
                        *found = n;
                    }
                    finally
                    {
                        System.Buffers.ArrayPool<int>.Shared.Return(numbers);
                    }
                }
            }
            return status;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_vector_index_search_filtered(uint64_t handle, const float* query, int64_t dim,
    /// int64_t k, const int64_t* allowed, int64_t allowed_count, int64_t* ids, float* scores,
    /// int64_t* found)</c>: rk_vector_index_search over the vectors whose id is in <c>allowed</c>
    /// (others skipped before the top k). Allocates nothing. Status: RK_OK, RK_NULL_POINTER,
    /// RK_INVALID_HANDLE, RK_INVALID_ARGUMENT.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_search_filtered", CallConvs = [typeof(CallConvCdecl)])]
    public static int VectorSearchFiltered(ulong handle, float* query, long dim, long k, long* allowed, long allowedCount,
        long* ids, float* scores, long* found)
    {
        try
        {
            if (query == null || ids == null || scores == null || found == null)
            {
                return LastError.NullPointer(query == null ? "query" : ids == null ? "ids" : scores == null ? "scores" : "found");
            }
            if (!HandleTable.TryGet(handle, HandleKind.VectorIndex, out VectorIndex index))
            {
                return LastError.InvalidHandle("vector index");
            }
            if (k < 1 || k > int.MaxValue)
            {
                return LastError.InvalidArgument($"k must be between 1 and {int.MaxValue}, got {k}");
            }
            if (dim != index.Dimension)
            {
                return LastError.InvalidArgument($"query has {dim} values, the index has dimension {index.Dimension}");
            }
            int status = MakeAllowed(allowed, allowedCount, out AllowedIds filter);
            if (status == Status.Ok)
            {
                *found = index.Search(new ReadOnlySpan<float>(query, (int)dim), new Span<long>(ids, (int)k), new Span<float>(scores, (int)k), filter);
            }
            return status;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_hybrid_search(uint64_t bm25, uint64_t vectors, const uint8_t* text,
    /// int64_t text_length, const float* query, int64_t dim, int64_t fetch_k, double bm25_weight,
    /// double vector_weight, double rrf_k, const int64_t* allowed, int64_t allowed_count,
    /// int64_t k, int64_t* ids, double* scores, int32_t* bm25_ranks, int32_t* vector_ranks,
    /// int64_t* found)</c>: BM25 top fetch_k for <c>text</c>, vector top fetch_k for <c>query</c>
    /// (<c>query == NULL</c>: BM25 only, <c>vectors</c> is then ignored), both filtered by
    /// <c>allowed</c>, fused by reciprocal rank fusion (score = Σ w / (rrf_k + rank), ranks from 1,
    /// ties by first appearance, BM25 first). Writes the best min(k, distinct) into the caller's
    /// k-entry buffers: ids, scores, and each id's 1-based rank in the BM25 / vector candidates
    /// (0 = absent); <c>*found</c> = how many. BM25 ids must be int64 (the chunk ids the vector
    /// index uses). Allocates nothing once warm. Status: RK_OK, RK_NULL_POINTER,
    /// RK_INVALID_HANDLE, RK_INVALID_ARGUMENT, RK_INVALID_UTF8.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_hybrid_search", CallConvs = [typeof(CallConvCdecl)])]
    public static int HybridSearchExport(ulong bm25, ulong vectors, byte* text, long textLength, float* query, long dim,
        long fetchK, double bm25Weight, double vectorWeight, double rrfK, long* allowed, long allowedCount,
        long k, long* ids, double* scores, int* bm25Ranks, int* vectorRanks, long* found)
    {
        try
        {
            if (!HandleTable.TryGet(bm25, HandleKind.Bm25Index, out Bm25Index bm25Index))
            {
                return LastError.InvalidHandle("BM25 index");
            }
            VectorIndex? vectorIndex = null;
            if (query != null)
            {
                if (!HandleTable.TryGet(vectors, HandleKind.VectorIndex, out VectorIndex vectorHandleIndex))
                {
                    return LastError.InvalidHandle("vector index");
                }
                vectorIndex = vectorHandleIndex;
            }
            if (found == null || ((ids == null || scores == null || bm25Ranks == null || vectorRanks == null) && k > 0))
            {
                return LastError.NullPointer(found == null ? "found" : ids == null ? "ids" : scores == null ? "scores"
                    : bm25Ranks == null ? "bm25_ranks" : "vector_ranks");
            }
            if (k < 0 || k > int.MaxValue || fetchK < 1 || fetchK > int.MaxValue / 2)
            {
                return LastError.InvalidArgument($"k must be between 0 and {int.MaxValue} and fetch_k between 1 and {int.MaxValue / 2}, got {k} and {fetchK}");
            }
            if (vectorIndex is not null && dim != vectorIndex.Dimension)
            {
                return LastError.InvalidArgument($"query has {dim} values, the index has dimension {vectorIndex.Dimension}");
            }
            int status = MakeText(text, textLength, out Bm25Search.Query textQuery);
            if (status != Status.Ok)
            {
                return status;
            }
            status = MakeAllowed(allowed, allowedCount, out AllowedIds filter);
            if (status != Status.Ok)
            {
                return status;
            }
            t_hybrid ??= new HybridSearch();
            *found = t_hybrid.Search(bm25Index, textQuery, vectorIndex,
                vectorIndex is null ? default : new ReadOnlySpan<float>(query, (int)dim), (int)fetchK,
                bm25Weight, vectorWeight, rrfK, filter, new Span<long>(ids, (int)k), new Span<double>(scores, (int)k),
                new Span<int>(bm25Ranks, (int)k), new Span<int>(vectorRanks, (int)k));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }
}
