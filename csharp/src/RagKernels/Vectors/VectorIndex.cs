using System;
using System.Buffers;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Threading;

using RagKernels.Filtering;
using RagKernels.Threading;

namespace RagKernels.Vectors;

/// <summary>
/// An exact (brute-force) top-k index over float32 vectors of one dimension, scored with SIMD
/// through System.Numerics.Tensors. Rows stay in insertion order, so equal scores rank the
/// earlier insertion first.
/// </summary>
/// <remarks>
/// Thread safety: any number of searches may run while one thread adds or removes. Writers are
/// serialised by a lock; a search reads one immutable <see cref="State"/> (published with a
/// volatile write after its rows are complete), so it sees the index either before or after a
/// write, never half of one. Adding appends behind the published count (invisible to running
/// searches) or into fresh arrays; removing always builds fresh arrays.
/// </remarks>
public sealed class VectorIndex
{
    /// <summary>The largest dimension accepted (a query is normalised on the stack up to
    /// <see cref="StackDimension"/>, from a pooled buffer beyond).</summary>
    public const int MaxDimension = 1 << 16;

    /// <summary>The largest id: ids are 0..MaxId so that MaxId + 1 (the next automatic id) still fits.</summary>
    public const long MaxId = long.MaxValue - 1;

    private const int StackDimension = 1024;
    private const int StackK = 256;

    /// <summary>One consistent view of the index. Rows below <see cref="Count"/> never change.</summary>
    internal sealed class State(float[] vectors, long[] ids, int count, long nextId)
    {
        public readonly float[] Vectors = vectors;
        public readonly long[] Ids = ids;
        public readonly int Count = count;
        public readonly long NextId = nextId;
    }

    private readonly object _writeLock = new();
    private readonly Dictionary<long, int> _rowOf = new();
    private State _state;

    public VectorIndex(int dimension, VectorMetric metric)
    {
        if (dimension < 1 || dimension > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"dim must be between 1 and {MaxDimension}, got {dimension}");
        }
        if (metric is not (VectorMetric.Dot or VectorMetric.Cosine or VectorMetric.L2))
        {
            throw new ArgumentOutOfRangeException(nameof(metric), metric, $"unknown metric code {(int)metric}");
        }
        Dimension = dimension;
        Metric = metric;
        _state = new State([], [], 0, 0);
    }

    public int Dimension { get; }

    public VectorMetric Metric { get; }

    /// <summary>The number of vectors in the index.</summary>
    public int Count => Volatile.Read(ref _state).Count;

    /// <summary>The id the next automatic add assigns: one more than the largest id ever added.</summary>
    public long NextId => Volatile.Read(ref _state).NextId;

    internal State Snapshot => Volatile.Read(ref _state);

    /// <summary>
    /// Adds <c>vectors.Length / Dimension</c> vectors (row-major). With empty <paramref name="ids"/>
    /// they get NextId, NextId + 1, …; otherwise one id each, 0..<see cref="MaxId"/>, new to the
    /// index and distinct. The ids used are written to <paramref name="assigned"/> (if not empty).
    /// Cosine vectors are stored normalised. All checks run before anything changes.
    /// </summary>
    /// <exception cref="ArgumentException">a wrong length, a non-finite value, a zero vector
    /// (cosine), or a bad id; messages name the first offending row or id.</exception>
    public void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids, Span<long> assigned)
    {
        int dim = Dimension;
        if (vectors.Length % dim != 0)
        {
            throw new ArgumentException($"vectors has {vectors.Length} values, not a multiple of the dimension {dim}");
        }
        int n = vectors.Length / dim;
        if (!ids.IsEmpty && ids.Length != n)
        {
            throw new ArgumentException($"ids has {ids.Length} entries for {n} vectors");
        }
        if (!assigned.IsEmpty && assigned.Length < n)
        {
            throw new ArgumentException($"assigned has room for {assigned.Length} ids, {n} needed");
        }
        for (int i = 0; i < n; i++)
        {
            CheckVector(vectors.Slice(i * dim, dim), "vectors", i);
        }
        lock (_writeLock)
        {
            State state = _state;
            long nextId = state.NextId;
            if (ids.IsEmpty)
            {
                if (n > 0 && nextId > MaxId - (n - 1))
                {
                    throw new ArgumentException($"automatic ids exhausted: {n} more would pass {MaxId}");
                }
            }
            else
            {
                CheckNewIds(ids);
            }
            if ((long)state.Count + n > Array.MaxLength / dim)
            {
                throw new OutOfMemoryException($"the index cannot hold {(long)state.Count + n} vectors of dimension {dim}");
            }

            int count = state.Count;
            float[] data = state.Vectors;
            long[] idArray = state.Ids;
            if (count + n > idArray.Length)
            {
                // Fresh, larger arrays: searches still running keep reading the old ones.
                int capacity = Math.Max(Math.Max(16, count + n), (int)Math.Min((long)idArray.Length * 2, Array.MaxLength / dim));
                var grownIds = new long[capacity];
                var grownData = new float[(long)capacity * dim];
                Array.Copy(idArray, grownIds, count);
                Array.Copy(data, grownData, (long)count * dim);
                idArray = grownIds;
                data = grownData;
            }
            long firstAutomatic = nextId;
            for (int i = 0; i < n; i++)
            {
                long id = ids.IsEmpty ? firstAutomatic + i : ids[i];
                idArray[count + i] = id;
                _rowOf.Add(id, count + i);
                Store(vectors.Slice(i * dim, dim), data.AsSpan((count + i) * dim, dim));
                if (!assigned.IsEmpty)
                {
                    assigned[i] = id;
                }
                nextId = Math.Max(nextId, id + 1);
            }
            Volatile.Write(ref _state, new State(data, idArray, count + n, nextId));
        }
    }

    /// <summary>Removes the vectors with these ids (all or none). Rows keep their order.</summary>
    /// <exception cref="KeyNotFoundException">an id is not in the index.</exception>
    /// <exception cref="ArgumentException">an id appears twice.</exception>
    public void Remove(ReadOnlySpan<long> ids)
    {
        if (ids.IsEmpty)
        {
            return;
        }
        lock (_writeLock)
        {
            State state = _state;
            var doomed = new HashSet<int>(ids.Length);
            foreach (long id in ids)
            {
                if (!_rowOf.TryGetValue(id, out int row))
                {
                    throw new KeyNotFoundException($"id {id} is not in the index");
                }
                if (!doomed.Add(row))
                {
                    throw new ArgumentException($"id {id} appears twice in ids");
                }
            }
            int dim = Dimension;
            int kept = state.Count - doomed.Count;
            int capacity = Math.Max(16, kept);
            var newIds = new long[capacity];
            var newData = new float[(long)capacity * dim];
            _rowOf.Clear();
            int to = 0;
            for (int row = 0; row < state.Count; row++)
            {
                if (doomed.Contains(row))
                {
                    continue;
                }
                newIds[to] = state.Ids[row];
                _rowOf.Add(newIds[to], to);
                Array.Copy(state.Vectors, (long)row * dim, newData, (long)to * dim, dim);
                to++;
            }
            Volatile.Write(ref _state, new State(newData, newIds, kept, state.NextId));
        }
    }

    /// <summary>True when the index holds a vector with this id.</summary>
    public bool Contains(long id)
    {
        lock (_writeLock)
        {
            return _rowOf.ContainsKey(id);
        }
    }

    /// <summary>
    /// The best <c>min(ids.Length, Count)</c> vectors for <paramref name="query"/>, best first,
    /// written to <paramref name="ids"/> and <paramref name="scores"/>; returns how many.
    /// Equal scores keep insertion order. Allocates nothing (buffers on the stack, or pooled
    /// for a dimension above 1024 or k above 256).
    /// </summary>
    /// <exception cref="ArgumentException">a query of the wrong length, non-finite, or zero (cosine).</exception>
    public int Search(ReadOnlySpan<float> query, Span<long> ids, Span<float> scores) =>
        Search(query, ids, scores, AllowedIds.All);

    /// <summary>
    /// <see cref="Search(ReadOnlySpan{float}, Span{long}, Span{float})"/> restricted to the ids in
    /// <paramref name="allowed"/>: other rows are skipped before they can enter the top k, so up to
    /// min(ids.Length, allowed rows) results come back. Allocates nothing.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, Span<long> ids, Span<float> scores, AllowedIds allowed)
    {
        if (query.Length != Dimension)
        {
            throw new ArgumentException($"query has {query.Length} values, the index has dimension {Dimension}");
        }
        if (scores.Length < ids.Length)
        {
            throw new ArgumentException("scores must have room for as many results as ids");
        }
        CheckVector(query, "query", -1);
        return SearchChecked(Volatile.Read(ref _state), query, ids, scores, allowed);
    }

    /// <summary>
    /// Searches <c>queries.Length / Dimension</c> queries (row-major) against one snapshot of the
    /// index, spread over <paramref name="threads"/> threads (0 = one per processor; never more
    /// threads than processors or queries). Row q of
    /// the results is <c>ids[q*k .. q*k+k)</c>; rows with fewer than k hits are padded with id −1
    /// and score NaN. Each row equals what <see cref="Search(ReadOnlySpan{float}, Span{long}, Span{float})"/> returns for that query.
    /// </summary>
    public void SearchMany(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> scores, int threads) =>
        SearchMany(queries, k, ids, scores, threads, null);

    /// <summary>
    /// <see cref="SearchMany(ReadOnlySpan{float}, int, Span{long}, Span{float}, int)"/> that every
    /// thread stops early when <paramref name="cancelled"/> returns true: it is asked before each
    /// block of rows (about 64 KB of vectors, a millisecond or so of work), and then
    /// <see cref="OperationCanceledException"/> is thrown once all threads have stopped, with the
    /// results unspecified. This is how a caller interrupts a long batch (Ctrl-C in Python) on a
    /// large index, where one group of queries scans all the vectors. Null = never cancelled.
    /// </summary>
    public unsafe void SearchMany(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> scores, int threads,
        Func<bool>? cancelled)
    {
        int dim = Dimension;
        if (queries.Length % dim != 0)
        {
            throw new ArgumentException($"queries has {queries.Length} values, not a multiple of the dimension {dim}");
        }
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be at least 1, got {k}");
        }
        if (threads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, $"threads must be 0 (all processors) or more, got {threads}");
        }
        int n = queries.Length / dim;
        if ((long)n * k > ids.Length || (long)n * k > scores.Length)
        {
            throw new ArgumentException($"ids and scores need room for {(long)n * k} results");
        }
        for (int q = 0; q < n; q++)
        {
            CheckVector(queries.Slice(q * dim, dim), "queries", q);
        }
        State state = Volatile.Read(ref _state);
        int workers = Workers.Count(threads, n);
        if (workers <= 1)
        {
            SearchBlocked(state, queries, k, ids, scores, cancelled);
            return;
        }
        fixed (float* queryBase = queries)
        fixed (long* idBase = ids)
        fixed (float* scoreBase = scores)
        {
            nint qp = (nint)queryBase, ip = (nint)idBase, sp = (nint)scoreBase;
            // Contiguous blocks of queries per worker: every query costs the same.
            Workers.Run(workers, w =>
            {
                (long first, long last) = Workers.Range(n, w, workers);
                SearchBlocked(state,
                    new ReadOnlySpan<float>((float*)qp + first * dim, (int)(last - first) * dim), k,
                    new Span<long>((long*)ip + first * k, (int)(last - first) * k),
                    new Span<float>((float*)sp + first * k, (int)(last - first) * k), cancelled);
            });
        }
    }

    // Queries scanned together over one block of rows: the block stays in cache while every
    // query of the group reads it, so a batch is not limited by memory bandwidth (10,000 x 384
    // floats are 15 MB, more than the caches). Per query, rows are still offered in increasing
    // order with the same scores, so each result equals Search's.
    private const int QueryGroup = 64;
    private const int BlockBytes = 64 * 1024;

    private void SearchBlocked(State state, ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> scores,
        Func<bool>? cancelled)
    {
        int dim = Dimension;
        int n = queries.Length / dim;
        int count = state.Count;
        int kept = Math.Min(k, count);
        int blockRows = Math.Max(4, BlockBytes / (dim * sizeof(float)));
        int group = Math.Min(QueryGroup, Math.Max(n, 1));
        float[] prepared = Metric == VectorMetric.Cosine ? new float[group * dim] : [];
        var heapScores = new float[Math.Max(1, group * kept)];
        var heapRows = new int[Math.Max(1, group * kept)];
        var heapCounts = new int[group];
        bool l2 = Metric == VectorMetric.L2;
        ReadOnlySpan<float> data = state.Vectors;
        for (int groupStart = 0; groupStart < n; groupStart += group)
        {
            int size = Math.Min(group, n - groupStart);
            ReadOnlySpan<float> groupQueries = queries.Slice(groupStart * dim, size * dim);
            if (Metric == VectorMetric.Cosine)
            {
                for (int q = 0; q < size; q++)
                {
                    Normalize(groupQueries.Slice(q * dim, dim), prepared.AsSpan(q * dim, dim));
                }
                groupQueries = prepared.AsSpan(0, size * dim);
            }
            Array.Clear(heapCounts);
            for (int blockStart = 0; kept > 0 && blockStart < count; blockStart += blockRows)
            {
                if (cancelled is not null && cancelled())
                {
                    throw new OperationCanceledException("search_many was cancelled");
                }
                int blockEnd = Math.Min(count, blockStart + blockRows);
                for (int q = 0; q < size; q++)
                {
                    ReadOnlySpan<float> query = groupQueries.Slice(q * dim, dim);
                    var top = new TopK(heapScores.AsSpan(q * kept, kept), heapRows.AsSpan(q * kept, kept), heapCounts[q]);
                    float threshold = top.Threshold;
                    for (int row = blockStart; row < blockEnd; row++)
                    {
                        ReadOnlySpan<float> x = data.Slice(row * dim, dim);
                        float score = l2 ? -TensorPrimitives.Distance(query, x) : TensorPrimitives.Dot(query, x);
                        if (float.IsNaN(score))
                        {
                            score = float.NegativeInfinity;
                        }
                        if (score > threshold || top.Count < kept)
                        {
                            top.Offer(score, row);
                            threshold = top.Threshold;
                        }
                    }
                    heapCounts[q] = top.Count;
                }
            }
            for (int q = 0; q < size; q++)
            {
                Span<long> outIds = ids.Slice((groupStart + q) * k, k);
                Span<float> outScores = scores.Slice((groupStart + q) * k, k);
                int found = 0;
                if (kept > 0)
                {
                    Span<float> topScores = heapScores.AsSpan(q * kept, kept);
                    Span<int> topRows = heapRows.AsSpan(q * kept, kept);
                    var top = new TopK(topScores, topRows, heapCounts[q]);
                    found = top.SortBestFirst();
                    for (int i = 0; i < found; i++)
                    {
                        outIds[i] = state.Ids[topRows[i]];
                        outScores[i] = topScores[i];
                    }
                }
                outIds[found..].Fill(-1);
                outScores[found..].Fill(float.NaN);
            }
        }
    }

    [SkipLocalsInit] // the stack buffers are written before they are read
    private int SearchChecked(State state, ReadOnlySpan<float> query, Span<long> ids, Span<float> scores, AllowedIds allowed)
    {
        int dim = Dimension;
        int k = Math.Min(ids.Length, state.Count);
        if (k == 0)
        {
            return 0;
        }
        float[]? rentedQuery = null;
        int[]? rentedRows = null;
        try
        {
            scoped ReadOnlySpan<float> q = query;
            if (Metric == VectorMetric.Cosine)
            {
                Span<float> unit = dim <= StackDimension
                    ? stackalloc float[StackDimension]
                    : (rentedQuery = ArrayPool<float>.Shared.Rent(dim));
                unit = unit[..dim];
                Normalize(query, unit);
                q = unit;
            }
            Span<int> rows = k <= StackK ? stackalloc int[StackK] : (rentedRows = ArrayPool<int>.Shared.Rent(k));
            var top = new TopK(scores[..k], rows[..k]);
            ReadOnlySpan<float> data = state.Vectors;
            int count = state.Count;
            bool l2 = Metric == VectorMetric.L2;
            float threshold = float.NegativeInfinity;
            for (int row = 0, offset = 0; row < count; row++, offset += dim)
            {
                ReadOnlySpan<float> x = data.Slice(offset, dim);
                float score = l2 ? -TensorPrimitives.Distance(q, x) : TensorPrimitives.Dot(q, x);
                if (float.IsNaN(score))
                {
                    // Only finite inputs are stored, but huge ones can overflow to ∞ − ∞.
                    score = float.NegativeInfinity;
                }
                if ((score > threshold || top.Count < k) && (!allowed.IsActive || allowed.Contains(state.Ids[row])))
                {
                    top.Offer(score, row);
                    threshold = top.Threshold;
                }
            }
            int found = top.SortBestFirst();
            for (int i = 0; i < found; i++)
            {
                ids[i] = state.Ids[rows[i]];
            }
            return found;
        }
        finally
        {
            if (rentedQuery is not null)
            {
                ArrayPool<float>.Shared.Return(rentedQuery);
            }
            if (rentedRows is not null)
            {
                ArrayPool<int>.Shared.Return(rentedRows);
            }
        }
    }

    private void CheckVector(ReadOnlySpan<float> vector, string name, int index)
    {
        string what = index < 0 ? name : $"{name}[{index}]";
        double squares = 0.0;
        foreach (float value in vector)
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentException($"{what} contains NaN or infinity");
            }
            squares += (double)value * value;
        }
        if (Metric == VectorMetric.Cosine && squares == 0.0)
        {
            throw new ArgumentException($"{what} has zero norm; cosine similarity needs a non-zero vector");
        }
    }

    private void CheckNewIds(ReadOnlySpan<long> ids)
    {
        var seen = new HashSet<long>(ids.Length);
        foreach (long id in ids)
        {
            if (id < 0 || id > MaxId)
            {
                throw new ArgumentException($"id {id} is out of range (0 to {MaxId})");
            }
            if (!seen.Add(id))
            {
                throw new ArgumentException($"id {id} appears twice in ids");
            }
            if (_rowOf.ContainsKey(id))
            {
                throw new ArgumentException($"id {id} is already in the index");
            }
        }
    }

    private void Store(ReadOnlySpan<float> vector, Span<float> destination)
    {
        if (Metric == VectorMetric.Cosine)
        {
            Normalize(vector, destination);
        }
        else
        {
            vector.CopyTo(destination);
        }
    }

    /// <summary>x / ‖x‖ computed in float64 and rounded once to float32. Each square of a float32
    /// is exact in float64 and the sum's error is far below float32 resolution, so the Python
    /// twin (numpy, another summation order) almost always produces the same bits.</summary>
    internal static void Normalize(ReadOnlySpan<float> vector, Span<float> destination)
    {
        double squares = 0.0;
        foreach (float value in vector)
        {
            squares += (double)value * value;
        }
        double norm = Math.Sqrt(squares);
        for (int i = 0; i < vector.Length; i++)
        {
            destination[i] = (float)(vector[i] / norm);
        }
    }

    /// <summary>Builds an index from stored rows (already normalised for cosine), as read from a file.</summary>
    internal static VectorIndex FromStored(int dimension, VectorMetric metric, long[] ids, float[] vectors, int count, long nextId)
    {
        var index = new VectorIndex(dimension, metric);
        for (int row = 0; row < count; row++)
        {
            if (!index._rowOf.TryAdd(ids[row], row))
            {
                throw new System.IO.InvalidDataException($"corrupt vector index file: id {ids[row]} appears twice");
            }
        }
        index._state = new State(vectors, ids, count, nextId);
        return index;
    }
}
