using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using RagKernels.Vectors;

namespace RagKernels.Native.Exports;

/// <summary>The exact vector index (RagKernels.Vectors.VectorIndex) behind a handle.</summary>
/// <remarks>Every call is thread-safe: searches run concurrently with one another and with a
/// writer (each search sees one consistent snapshot); adds and removes are serialised.</remarks>
internal static unsafe class VectorExports
{
    private const string What = "vector index";

    /// <summary>
    /// <c>int32_t rk_vector_index_create(int64_t dim, int32_t metric, uint64_t* handle)</c>: an
    /// empty index of dimension 1..65536; metric 0 = dot, 1 = cosine, 2 = l2 (negative Euclidean
    /// distance). The caller owns the handle (free with rk_vector_index_free).
    /// Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexCreate(long dim, int metric, ulong* handle)
    {
        try
        {
            if (handle == null)
            {
                return LastError.NullPointer("handle");
            }
            if (dim < 1 || dim > VectorIndex.MaxDimension)
            {
                return LastError.InvalidArgument($"dim must be between 1 and {VectorIndex.MaxDimension}, got {dim}");
            }
            if (metric is < 0 or > 2)
            {
                return LastError.InvalidArgument($"unknown metric code {metric} (0 dot, 1 cosine, 2 l2)");
            }
            *handle = HandleTable.Add(HandleKind.VectorIndex, new VectorIndex((int)dim, (VectorMetric)metric));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary><c>int32_t rk_vector_index_free(uint64_t handle)</c>: frees the index; the handle
    /// is invalid afterwards. Searches already running finish on their snapshot.
    /// Status: RK_OK, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexFree(ulong handle)
    {
        try
        {
            return HandleTable.TryRemove(handle, HandleKind.VectorIndex, out VectorIndex _)
                ? Status.Ok
                : LastError.InvalidHandle(What);
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_vector_index_add(uint64_t handle, const float* vectors, int64_t count,
    /// const int64_t* ids, int64_t* assigned)</c>: adds <c>count</c> row-major vectors of the
    /// index's dimension. <c>ids</c> (count entries, each 0..2^63-2, new and distinct) or NULL
    /// for automatic ids; the ids used are written to <c>assigned</c> (count entries) unless it is
    /// NULL. All or nothing. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_HANDLE,
    /// RK_INVALID_ARGUMENT (non-finite or, for cosine, zero vector; bad or duplicate id).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_add", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexAdd(ulong handle, float* vectors, long count, long* ids, long* assigned)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.VectorIndex, out VectorIndex index))
            {
                return LastError.InvalidHandle(What);
            }
            if (count < 0 || count > Array.MaxLength / index.Dimension)
            {
                return LastError.InvalidArgument($"count must be between 0 and {Array.MaxLength / index.Dimension}, got {count}");
            }
            if (vectors == null && count > 0)
            {
                return LastError.NullPointer("vectors");
            }
            int n = (int)count;
            index.Add(new ReadOnlySpan<float>(vectors, n * index.Dimension),
                ids == null ? default : new ReadOnlySpan<long>(ids, n),
                assigned == null ? default : new Span<long>(assigned, n));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_vector_index_remove(uint64_t handle, const int64_t* ids, int64_t count)</c>:
    /// removes the vectors with these ids, all or nothing. Status: RK_OK, RK_NULL_POINTER,
    /// RK_INVALID_HANDLE, RK_NOT_FOUND (an unknown id), RK_INVALID_ARGUMENT (an id twice).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_remove", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexRemove(ulong handle, long* ids, long count)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.VectorIndex, out VectorIndex index))
            {
                return LastError.InvalidHandle(What);
            }
            if (count < 0 || count > int.MaxValue)
            {
                return LastError.InvalidArgument($"count must be between 0 and {int.MaxValue}, got {count}");
            }
            if (ids == null && count > 0)
            {
                return LastError.NullPointer("ids");
            }
            index.Remove(new ReadOnlySpan<long>(ids, (int)count));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary><c>int32_t rk_vector_index_count(uint64_t handle, int64_t* count)</c>: the number
    /// of vectors. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_count", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexCount(ulong handle, long* count)
    {
        try
        {
            if (count == null)
            {
                return LastError.NullPointer("count");
            }
            if (!HandleTable.TryGet(handle, HandleKind.VectorIndex, out VectorIndex index))
            {
                return LastError.InvalidHandle(What);
            }
            *count = index.Count;
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_vector_index_search(uint64_t handle, const float* query, int64_t dim,
    /// int64_t k, int64_t* ids, float* scores, int64_t* found)</c>: the best min(k, count)
    /// vectors for <c>query</c> (<c>dim</c> floats, which must equal the index's dimension), best
    /// first, equal scores in insertion order, into <c>ids[k]</c> and <c>scores[k]</c>;
    /// <c>*found</c> = how many. Allocates nothing. Status: RK_OK, RK_NULL_POINTER,
    /// RK_INVALID_HANDLE, RK_INVALID_ARGUMENT (k &lt; 1, wrong dim, non-finite or zero query).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_search", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexSearch(ulong handle, float* query, long dim, long k, long* ids, float* scores, long* found)
    {
        try
        {
            if (query == null || ids == null || scores == null || found == null)
            {
                return LastError.NullPointer(query == null ? "query" : ids == null ? "ids" : scores == null ? "scores" : "found");
            }
            if (!HandleTable.TryGet(handle, HandleKind.VectorIndex, out VectorIndex index))
            {
                return LastError.InvalidHandle(What);
            }
            if (k < 1 || k > int.MaxValue)
            {
                return LastError.InvalidArgument($"k must be between 1 and {int.MaxValue}, got {k}");
            }
            if (dim != index.Dimension)
            {
                return LastError.InvalidArgument($"query has {dim} values, the index has dimension {index.Dimension}");
            }
            *found = index.Search(new ReadOnlySpan<float>(query, (int)dim), new Span<long>(ids, (int)k), new Span<float>(scores, (int)k));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_vector_index_search_many(uint64_t handle, const float* queries,
    /// int64_t query_count, int64_t k, int32_t threads, int64_t* ids, float* scores)</c>:
    /// searches <c>query_count</c> row-major queries against one snapshot on <c>threads</c>
    /// threads (0 = all processors; at most one per processor); row q of the results is <c>ids/scores[q*k .. q*k+k)</c>,
    /// padded with id -1 and score NaN. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_HANDLE,
    /// RK_INVALID_ARGUMENT.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_search_many", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexSearchMany(ulong handle, float* queries, long queryCount, long k, int threads, long* ids, float* scores) =>
        SearchMany(handle, queries, queryCount, k, threads, ids, scores, null);

    /// <summary>
    /// <c>int32_t rk_vector_index_search_many_cancellable(uint64_t handle, const float* queries,
    /// int64_t query_count, int64_t k, int32_t threads, int64_t* ids, float* scores,
    /// const volatile int32_t* cancel)</c>: rk_vector_index_search_many that stops early when
    /// another thread sets <c>*cancel</c> to a non-zero value (checked before each block of about
    /// 64 KB of vectors); it then returns RK_CANCELLED and the results are unspecified.
    /// <c>cancel</c> must stay valid until the call returns. Status: as rk_vector_index_search_many,
    /// plus RK_CANCELLED; RK_NULL_POINTER when cancel is NULL.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_search_many_cancellable", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexSearchManyCancellable(ulong handle, float* queries, long queryCount, long k, int threads,
        long* ids, float* scores, int* cancel)
    {
        try
        {
            return cancel == null
                ? LastError.NullPointer("cancel")
                : SearchMany(handle, queries, queryCount, k, threads, ids, scores, cancel);
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    private static int SearchMany(ulong handle, float* queries, long queryCount, long k, int threads, long* ids, float* scores,
        int* cancel)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.VectorIndex, out VectorIndex index))
            {
                return LastError.InvalidHandle(What);
            }
            if (k < 1 || k > int.MaxValue)
            {
                return LastError.InvalidArgument($"k must be between 1 and {int.MaxValue}, got {k}");
            }
            if (queryCount < 0 || queryCount > Array.MaxLength / index.Dimension || queryCount * k > Array.MaxLength)
            {
                return LastError.InvalidArgument($"query_count must be between 0 and {Array.MaxLength / index.Dimension} (and query_count * k at most {Array.MaxLength}), got {queryCount}");
            }
            if (queryCount > 0 && (queries == null || ids == null || scores == null))
            {
                return LastError.NullPointer(queries == null ? "queries" : ids == null ? "ids" : "scores");
            }
            int n = (int)queryCount;
            // The flag is written by another thread of the caller: read it afresh every time.
            nint flag = (nint)cancel;
            Func<bool>? cancelled = cancel == null ? null : () => Volatile.Read(ref *(int*)flag) != 0;
            index.SearchMany(new ReadOnlySpan<float>(queries, n * index.Dimension), (int)k,
                new Span<long>(ids, (int)(n * k)), new Span<float>(scores, (int)(n * k)), threads, cancelled);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_vector_index_serialize(uint64_t handle, uint8_t* buffer, int64_t capacity,
    /// int64_t* needed)</c>: writes one consistent snapshot of the index in the saved-file format
    /// (VectorIndexFile) into <c>buffer</c>; <c>*needed</c> = its size. When capacity is too
    /// small nothing is written and RK_BUFFER_TOO_SMALL is returned (buffer may then be NULL).
    /// The caller writes the bytes to disk (atomically). Status: RK_OK, RK_BUFFER_TOO_SMALL,
    /// RK_NULL_POINTER, RK_INVALID_HANDLE.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_serialize", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexSerialize(ulong handle, byte* buffer, long capacity, long* needed)
    {
        try
        {
            if (needed == null)
            {
                return LastError.NullPointer("needed");
            }
            if (!HandleTable.TryGet(handle, HandleKind.VectorIndex, out VectorIndex index))
            {
                return LastError.InvalidHandle(What);
            }
            if (capacity < 0)
            {
                return LastError.InvalidArgument($"capacity must be 0 or more, got {capacity}");
            }
            if (buffer == null && capacity > 0)
            {
                return LastError.NullPointer("buffer");
            }
            int usable = (int)Math.Min(capacity, int.MaxValue);
            *needed = VectorIndexFile.TryWrite(index, new Span<byte>(buffer, usable), out bool written);
            return written ? Status.Ok : LastError.Set(Status.BufferTooSmall, $"the index needs {*needed} bytes, the buffer has {capacity}");
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_vector_index_deserialize(const uint8_t* data, int64_t length,
    /// uint64_t* handle, int64_t* dim, int32_t* metric)</c>: a new index from the bytes of a saved
    /// file (borrowed for the call); its dimension and metric code are reported. The caller owns
    /// the handle. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT, RK_FORMAT (foreign,
    /// truncated, corrupt or unsupported file; the message says which).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_vector_index_deserialize", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkVectorIndexDeserialize(byte* data, long length, ulong* handle, long* dim, int* metric)
    {
        try
        {
            if (handle == null || dim == null || metric == null)
            {
                return LastError.NullPointer(handle == null ? "handle" : dim == null ? "dim" : "metric");
            }
            if (length < 0 || length > Array.MaxLength)
            {
                return LastError.InvalidArgument($"length must be between 0 and {Array.MaxLength}, got {length}");
            }
            if (data == null && length > 0)
            {
                return LastError.NullPointer("data");
            }
            VectorIndex index = VectorIndexFile.Read(new ReadOnlySpan<byte>(data, (int)length));
            *handle = HandleTable.Add(HandleKind.VectorIndex, index);
            *dim = index.Dimension;
            *metric = (int)index.Metric;
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }
}
