using System;

namespace RagKernels.Fusion;

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009) with reusable buffers: an id
/// at rank r (counted from 1) of ranking j adds <c>weights[j] / (k + r)</c> to its score, and the
/// fused list is sorted by descending score, equal scores in order of first appearance (reading
/// ranking 0 from best to worst, then ranking 1, …). One instance serves one thread at a time;
/// after its buffers have grown to the largest input seen, a fusion allocates nothing.
/// </summary>
/// <remarks>
/// Bit-exact with the Python twin: each score starts at 0.0 and receives its terms in the same
/// order, each term computed as <c>w / (k + r)</c> in float64.
/// </remarks>
public sealed class ReciprocalRankFusion
{
    // Open-addressing hash table (linear probing) from id to its slot in first-appearance order.
    // A bucket is live only when its stamp equals the current generation: clearing is O(1).
    private long[] _bucketIds = new long[64];
    private int[] _bucketSlots = new int[64];
    private uint[] _bucketStamps = new uint[64];
    private uint _generation;

    // Per slot (distinct id, in first-appearance order).
    private long[] _ids = new long[32];
    private double[] _scores = new double[32];
    private int[] _lastRanking = new int[32];
    private int[] _lastRank = new int[32];
    private int[] _order = new int[32];

    /// <summary>
    /// Fuses the rankings <c>ids[offsets[j] .. offsets[j+1])</c>, j = 0 … offsets.Length − 2, and
    /// writes the best <c>min(outIds.Length, distinct ids)</c> ids and scores, best first.
    /// Returns how many were written.
    /// </summary>
    /// <param name="ids">every ranking's ids, best first, one ranking after the other.</param>
    /// <param name="offsets">rankings + 1 entries: 0, the end of ranking 0, …, ids.Length.</param>
    /// <param name="weights">one finite weight ≥ 0 per ranking, or empty for all 1.0.</param>
    /// <param name="k">the rank constant, finite and ≥ 0 (60 in the paper).</param>
    /// <param name="outIds">receives the fused ids; its length is the limit.</param>
    /// <param name="outScores">receives their scores (at least as long as outIds).</param>
    /// <exception cref="ArgumentException">bad offsets, weights or k; an id listed twice in one
    /// ranking (the message gives both ranks).</exception>
    public int Fuse(ReadOnlySpan<long> ids, ReadOnlySpan<long> offsets, ReadOnlySpan<double> weights, double k,
        Span<long> outIds, Span<double> outScores)
    {
        Validate(ids.Length, offsets, weights, k);
        if (outScores.Length < outIds.Length)
        {
            throw new ArgumentException("outScores must have room for as many results as outIds");
        }
        int rankings = offsets.Length - 1;
        EnsureCapacity(ids.Length);
        NextGeneration();
        int distinct = 0;
        int mask = _bucketIds.Length - 1;
        for (int j = 0; j < rankings; j++)
        {
            double weight = weights.IsEmpty ? 1.0 : weights[j];
            int start = (int)offsets[j];
            int length = (int)offsets[j + 1] - start;
            for (int i = 0; i < length; i++)
            {
                long id = ids[start + i];
                int rank = i + 1;
                int bucket = Hash(id) & mask;
                int slot = -1;
                while (_bucketStamps[bucket] == _generation)
                {
                    if (_bucketIds[bucket] == id)
                    {
                        slot = _bucketSlots[bucket];
                        break;
                    }
                    bucket = (bucket + 1) & mask;
                }
                if (slot < 0)
                {
                    slot = distinct++;
                    _bucketStamps[bucket] = _generation;
                    _bucketIds[bucket] = id;
                    _bucketSlots[bucket] = slot;
                    _ids[slot] = id;
                    _scores[slot] = 0.0;
                }
                else if (_lastRanking[slot] == j)
                {
                    throw new ArgumentException($"rrf: rankings[{j}] lists the same id at ranks {_lastRank[slot]} and {rank}");
                }
                _lastRanking[slot] = j;
                _lastRank[slot] = rank;
                _scores[slot] += weight / (k + rank);
            }
        }

        int take = Math.Min(outIds.Length, distinct);
        int kept = SelectBest(distinct, take);
        for (int i = 0; i < kept; i++)
        {
            outIds[i] = _ids[_order[i]];
            outScores[i] = _scores[_order[i]];
        }
        return kept;
    }

    // "Slot a ranks below slot b": lower score, or the same score and a later first appearance.
    // A total order, so the result is what a stable sort by descending score gives.
    private bool Worse(int a, int b)
    {
        double sa = _scores[a], sb = _scores[b];
        return sa < sb || (sa == sb && a > b);
    }

    /// <summary>Puts the best <paramref name="take"/> of the first <paramref name="distinct"/>
    /// slots into _order[0..take), best first: a bounded min-heap (worst at the root) over all
    /// slots, then a heap sort. Written by hand because Span.Sort with a comparer boxes it, and a
    /// fusion must not allocate.</summary>
    private int SelectBest(int distinct, int take)
    {
        if (take == 0)
        {
            return 0;
        }
        Span<int> heap = _order.AsSpan(0, take);
        int count = 0;
        for (int slot = 0; slot < distinct; slot++)
        {
            if (count < take)
            {
                heap[count] = slot;
                int i = count++;
                while (i > 0 && Worse(heap[i], heap[(i - 1) >> 1]))
                {
                    (heap[i], heap[(i - 1) >> 1]) = (heap[(i - 1) >> 1], heap[i]);
                    i = (i - 1) >> 1;
                }
            }
            else if (Worse(heap[0], slot))
            {
                heap[0] = slot;
                SiftDown(heap, 0, count);
            }
        }
        for (int end = count - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(heap, 0, end);
        }
        return count;
    }

    private void SiftDown(Span<int> heap, int i, int count)
    {
        while (true)
        {
            int worst = 2 * i + 1;
            if (worst >= count)
            {
                return;
            }
            if (worst + 1 < count && Worse(heap[worst + 1], heap[worst]))
            {
                worst++;
            }
            if (!Worse(heap[worst], heap[i]))
            {
                return;
            }
            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }

    /// <summary>Checks the arguments of <see cref="Fuse"/>; messages match the Python package's.</summary>
    public static void Validate(int idCount, ReadOnlySpan<long> offsets, ReadOnlySpan<double> weights, double k)
    {
        if (offsets.IsEmpty)
        {
            throw new ArgumentException("offsets must have one more entry than there are rankings");
        }
        int rankings = offsets.Length - 1;
        if (offsets[0] != 0 || offsets[rankings] != idCount)
        {
            throw new ArgumentException($"offsets must start at 0 and end at the number of ids ({idCount})");
        }
        for (int j = 0; j < rankings; j++)
        {
            if (offsets[j + 1] < offsets[j])
            {
                throw new ArgumentException($"offsets must not decrease (offsets[{j + 1}] < offsets[{j}])");
            }
        }
        if (!weights.IsEmpty)
        {
            if (weights.Length != rankings)
            {
                throw new ArgumentException($"weights has {weights.Length} entries for {rankings} rankings");
            }
            for (int j = 0; j < rankings; j++)
            {
                if (!double.IsFinite(weights[j]) || weights[j] < 0)
                {
                    throw new ArgumentException($"rrf: weights[{j}] must be a finite number >= 0, got {FormatDouble(weights[j])}");
                }
            }
        }
        if (!double.IsFinite(k) || k < 0)
        {
            throw new ArgumentException($"rrf: k must be a finite number >= 0, got {FormatDouble(k)}");
        }
    }

    // Python's repr of a float for the few values a message can show (nan, inf, negatives).
    private static string FormatDouble(double value) =>
        double.IsNaN(value) ? "nan" : double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static int Hash(long id)
    {
        // Fibonacci hashing: spreads sequential ids (the common case) across the table.
        return (int)((ulong)id * 0x9E3779B97F4A7C15UL >> 33);
    }

    private void NextGeneration()
    {
        if (++_generation == 0)
        {
            Array.Clear(_bucketStamps);
            _generation = 1;
        }
    }

    private void EnsureCapacity(int total)
    {
        if (total > _ids.Length)
        {
            int size = Math.Max(total, _ids.Length * 2);
            _ids = new long[size];
            _scores = new double[size];
            _lastRanking = new int[size];
            _lastRank = new int[size];
            _order = new int[size];
        }
        // Keep the table at most half full.
        if (2L * total > _bucketIds.Length)
        {
            int buckets = _bucketIds.Length;
            while (buckets < 2L * total)
            {
                buckets *= 2;
            }
            _bucketIds = new long[buckets];
            _bucketSlots = new int[buckets];
            _bucketStamps = new uint[buckets];
            _generation = 0;
        }
    }
}
