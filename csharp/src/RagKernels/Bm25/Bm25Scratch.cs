using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using RagKernels.Filtering;

namespace RagKernels.Bm25;

/// <summary>
/// One thread's reusable buffers for queries, grown on demand and kept, so a query allocates
/// nothing once a thread has run one of the same size.
/// </summary>
internal sealed class Bm25Scratch
{
    private byte[] _tokens = new byte[256];
    private double[] _accumulator = [];
    private double[] _saved = [];
    private int[] _stampOfTerm = [];
    private int[] _slotOfTerm = [];
    private int _stamp;
    private int[] _heapDocs = new int[16];
    private double[] _heapScores = new double[16];

    private int[] _candidates = new int[256];
    private int[] _sortTerms = new int[64];
    private int[] _sortCounts = new int[64];
    private long[] _sortKeys = [];

    public int[] Terms = new int[64];
    public int[] Counts = new int[64];
    public int TermCount;

    public Span<byte> TokenBuffer(int size)
    {
        if (_tokens.Length < size)
        {
            _tokens = new byte[Math.Max(size, 2 * _tokens.Length)];
        }
        return _tokens;
    }

    /// <summary>An all-zero score array of <paramref name="n"/> entries; <see cref="Select(Span{double}, int, Span{int}, Span{double})"/>
    /// leaves it zeroed again.</summary>
    public Span<double> Accumulator(int n)
    {
        if (_accumulator.Length < n)
        {
            _accumulator = new double[Math.Max(n, _accumulator.Length + _accumulator.Length / 2)];
        }
        return _accumulator.AsSpan(0, n);
    }

    private byte[] _queryTokens = new byte[256];

    /// <summary>A query's tokens back to back (token j at TokenStarts[j], TokenLengths[j] bytes,
    /// hash TokenHashes[j]).</summary>
    public Span<byte> QueryTokens(int size)
    {
        if (_queryTokens.Length < size)
        {
            _queryTokens = new byte[Math.Max(size, 2 * _queryTokens.Length)];
        }
        return _queryTokens;
    }

    public int[] TokenStarts = new int[64];
    public int[] TokenLengths = new int[64];
    public int[] TokenHashes = new int[64];

    public void AddQueryToken(int j, int start, int length, int hash)
    {
        if (j == TokenStarts.Length)
        {
            Array.Resize(ref TokenStarts, 2 * j);
            Array.Resize(ref TokenLengths, 2 * j);
            Array.Resize(ref TokenHashes, 2 * j);
        }
        TokenStarts[j] = start;
        TokenLengths[j] = length;
        TokenHashes[j] = hash;
    }

    public Span<double> Saved(int n)
    {
        if (_saved.Length < n)
        {
            _saved = new double[Math.Max(n, 2 * _saved.Length)];
        }
        return _saved.AsSpan(0, n);
    }

    public void BeginQuery(int vocabulary)
    {
        TermCount = 0;
        if (_stampOfTerm.Length < vocabulary)
        {
            int size = Math.Max(vocabulary, _stampOfTerm.Length + _stampOfTerm.Length / 2);
            _stampOfTerm = new int[size];
            _slotOfTerm = new int[size];
            _stamp = 0;
        }
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_stampOfTerm);
            _stamp = 1;
        }
    }

    /// <summary>Puts the terms in the canonical summation order both twins use: first the terms
    /// in fewer than 1/<see cref="LongFraction"/> of the <paramref name="documents"/>, in order of
    /// first occurrence, then the others (the long postings) by ascending document frequency,
    /// ties in order of first occurrence. Below <see cref="LongMinimumDocuments"/> documents no
    /// term is long: the order of first occurrence (the spec's golden values are bit-exact in
    /// it). With the longest postings last, a search can stop adding them for documents that
    /// cannot reach the top k (<see cref="Bm25MaxScore"/>) and still sum every other document
    /// exactly as the full evaluation does. Only the long terms are sorted (a few dozen on
    /// ArguAna), which keeps this cheap for long queries.</summary>
    public void SortTerms(int[] df, int documents)
    {
        if (documents < LongMinimumDocuments)
        {
            return;
        }
        int n = TermCount;
        if (_sortTerms.Length < n)
        {
            _sortTerms = new int[Terms.Length];
            _sortCounts = new int[Terms.Length];
        }
        int shortCount = 0, longCount = 0;
        for (int i = 0; i < n; i++)
        {
            int term = Terms[i];
            if ((long)LongFraction * df[term] >= documents)
            {
                _sortTerms[longCount] = term;
                _sortCounts[longCount++] = Counts[i];
            }
            else
            {
                Terms[shortCount] = term;
                Counts[shortCount++] = Counts[i];
            }
        }
        if (longCount <= 64)
        {
            // Stable insertion sort by document frequency: cheapest for a few dozen.
            for (int i = shortCount, j = 0; j < longCount; j++)
            {
                int term = _sortTerms[j], f = df[term], at = i + j;
                while (at > i && df[Terms[at - 1]] > f)
                {
                    Terms[at] = Terms[at - 1];
                    Counts[at] = Counts[at - 1];
                    at--;
                }
                Terms[at] = term;
                Counts[at] = _sortCounts[j];
            }
            return;
        }
        // Many long terms: sort (df, position) keys, which keeps ties in order of first occurrence.
        if (_sortKeys.Length < longCount)
        {
            _sortKeys = new long[Math.Max(longCount, 2 * _sortKeys.Length)];
        }
        Span<long> keys = _sortKeys.AsSpan(0, longCount);
        for (int j = 0; j < longCount; j++)
        {
            keys[j] = ((long)df[_sortTerms[j]] << 32) | (uint)j;
        }
        keys.Sort();
        for (int j = 0; j < longCount; j++)
        {
            int from = (int)(keys[j] & 0xFFFF_FFFF);
            Terms[shortCount + j] = _sortTerms[from];
            Counts[shortCount + j] = _sortCounts[from];
        }
    }

    /// <summary>A term is "long" when its document frequency is at least 1/LongFraction of the
    /// documents (the Python twin has the same constant).</summary>
    public const int LongFraction = 16;

    /// <summary>Smaller indexes keep the order of first occurrence (pruning stays exact in any
    /// order, it only skips less).</summary>
    public const int LongMinimumDocuments = 128;

    /// <summary>Counts one occurrence of a term; new terms keep their first-occurrence order.</summary>
    public void CountTerm(int term)
    {
        if (_stampOfTerm[term] == _stamp)
        {
            Counts[_slotOfTerm[term]]++;
            return;
        }
        if (TermCount == Terms.Length)
        {
            Array.Resize(ref Terms, 2 * Terms.Length);
            Array.Resize(ref Counts, 2 * Counts.Length);
        }
        _stampOfTerm[term] = _stamp;
        _slotOfTerm[term] = TermCount;
        Terms[TermCount] = term;
        Counts[TermCount++] = 1;
    }

    /// <summary>
    /// The k best documents of <paramref name="acc"/> with score &gt; 0, best first, ties by lower
    /// document number; clears <paramref name="acc"/>. A heap keeps the k best seen so far with
    /// the worst at the root; documents arrive in ascending order, so a later document with an
    /// equal score never displaces an earlier one. Once the heap is full few scores beat its
    /// root, so the scan tests eight at a time with SIMD compares and looks closer only at a
    /// group with a candidate.
    /// </summary>
    public int Select(Span<double> acc, int k, Span<int> docs, Span<double> scores) =>
        Select(acc, k, docs, scores, default, AllowedIds.All);

    /// <summary><see cref="Select(Span{double}, int, Span{int}, Span{double})"/> over the documents
    /// whose id (<paramref name="docIds"/>, by document number) is in <paramref name="allowed"/>:
    /// the others never enter the heap.</summary>
    public int Select(Span<double> acc, int k, Span<int> docs, Span<double> scores, ReadOnlySpan<long> docIds, AllowedIds allowed)
    {
        if (k >= 1 && k <= SmallK && !allowed.IsActive)
        {
            return SelectSmall(acc, k, docs, scores);
        }
        int size = FillHeap(acc, k, docIds, allowed);
        acc.Clear();
        return PopHeap(size, docs, scores);
    }

    private double[] _blockBounds = [];

    /// <summary>A scratch array of <paramref name="n"/> doubles (contents undefined).</summary>
    public Span<double> BlockBounds(int n)
    {
        if (_blockBounds.Length < n)
        {
            _blockBounds = new double[Math.Max(n, _blockBounds.Length + _blockBounds.Length / 2)];
        }
        return _blockBounds.AsSpan(0, n);
    }

    private double[] _groupMaxima = [];

    /// <summary>The largest score of each block of <see cref="Bm25Snapshot.BlockSize"/> (8)
    /// documents of <paramref name="acc"/>, in one SIMD pass: the k-th largest of these is a lower
    /// bound of the k-th largest score (they are k scores of different documents), found among 8×
    /// fewer values, and a block whose largest score misses its floor has no candidate.</summary>
    public ReadOnlySpan<double> GroupMaxima(ReadOnlySpan<double> acc)
    {
        int groups = (acc.Length + 7) / 8;
        if (_groupMaxima.Length < groups)
        {
            _groupMaxima = new double[Math.Max(groups, _groupMaxima.Length + _groupMaxima.Length / 2)];
        }
        Span<double> maxima = _groupMaxima.AsSpan(0, groups);
        ref double first = ref MemoryMarshal.GetReference(acc);
        int d = 0, j = 0;
        for (; d + 8 <= acc.Length; d += 8, j++)
        {
            // MaxNative: one maxpd (the scores are never NaN; Max's IEEE rules cost several).
            Vector128<double> m = Vector128.MaxNative(
                Vector128.MaxNative(Vector128.LoadUnsafe(ref first, (nuint)d), Vector128.LoadUnsafe(ref first, (nuint)(d + 2))),
                Vector128.MaxNative(Vector128.LoadUnsafe(ref first, (nuint)(d + 4)), Vector128.LoadUnsafe(ref first, (nuint)(d + 6))));
            // The larger lane without a branch (a compare and jump here mispredicted half the time).
            maxima[j] = (Sse2.IsSupported ? Sse2.MaxScalar(m, Sse2.UnpackHigh(m, m)) : Vector128.Create(Math.Max(m.ToScalar(), m.GetElement(1)))).ToScalar();
        }
        if (d < acc.Length)
        {
            double m = 0.0;
            for (; d < acc.Length; d++)
            {
                m = Math.Max(m, acc[d]);
            }
            maxima[j] = m;
        }
        return maxima;
    }

    /// <summary>The k-th largest score of <paramref name="acc"/> (0 when fewer than k are &gt; 0),
    /// given its <see cref="GroupMaxima"/>: their k-th largest is a lower bound of it, so only the
    /// blocks whose largest score exceeds that bound are looked into (~100 of ArguAna's 1,085).</summary>
    public double KthLargest(ReadOnlySpan<double> acc, ReadOnlySpan<double> maxima, int k)
    {
        // The k-th largest of the maxima, from a heap that only takes values above a first lower
        // bound: the smallest of the largest maxima of k slices (k values of different blocks).
        // It spares most of the heap's replacements (ArguAna's best documents sit together).
        double seed = 0.0;
        int slice = maxima.Length / k;
        if (slice >= 8)
        {
            seed = double.MaxValue;
            for (int s = 0; s < k; s++)
            {
                seed = Math.Min(seed, Largest(maxima.Slice(s * slice, slice)));
            }
        }
        double floor = FillHeap(maxima, k, default, AllowedIds.All, seed) == k ? _heapScores[0] : seed;
        EnsureHeap(k);
        Span<int> heapDocs = _heapDocs.AsSpan(0, k);
        Span<double> heapScores = _heapScores.AsSpan(0, k);
        int size = 0;
        double threshold = floor;
        ref double largest = ref MemoryMarshal.GetReference(maxima);
        for (int j = 0; j < maxima.Length; j += 4)
        {
            if (j + 4 <= maxima.Length)
            {
                Vector128<double> limit = Vector128.Create(threshold);
                if ((Vector128.GreaterThan(Vector128.LoadUnsafe(ref largest, (nuint)j), limit)
                    | Vector128.GreaterThan(Vector128.LoadUnsafe(ref largest, (nuint)(j + 2)), limit)) == Vector128<double>.Zero)
                {
                    continue;
                }
            }
            for (int g = j; g < j + 4 && g < maxima.Length; g++)
            {
                if (maxima[g] > threshold)
                {
                    int end = Math.Min(8 * g + 8, acc.Length);
                    for (int d = 8 * g; d < end; d++)
                    {
                        Offer(acc[d], d, heapDocs, heapScores, k, ref size, ref threshold);
                    }
                }
            }
        }
        // Fewer than k scores above the bound: the k-th largest is the bound itself.
        return size == k ? heapScores[0] : floor;
    }

    /// <summary>The largest of <paramref name="values"/> (≥ 0), two lanes at a time.</summary>
    private static double Largest(ReadOnlySpan<double> values)
    {
        ref double first = ref MemoryMarshal.GetReference(values);
        Vector128<double> m = Vector128<double>.Zero;
        int i = 0;
        for (; i + 2 <= values.Length; i += 2)
        {
            m = Vector128.MaxNative(m, Vector128.LoadUnsafe(ref first, (nuint)i));
        }
        double largest = Math.Max(m.ToScalar(), m.GetElement(1));
        for (; i < values.Length; i++)
        {
            largest = Math.Max(largest, values[i]);
        }
        return largest;
    }

    /// <summary>The documents d (ascending) whose acc[d] + bound reaches <paramref name="theta"/>
    /// (acc[d] ≥ theta − bound; the bound of d is <paramref name="blockBounds"/>[d / 8], or
    /// <paramref name="bound"/> when there are none) into <see cref="Candidates"/>, looking only
    /// into the blocks whose <paramref name="maxima"/> (<see cref="GroupMaxima"/>) reach it;
    /// returns how many, or -1 as soon as there are more than <paramref name="limit"/>.</summary>
    public int CollectCandidates(ReadOnlySpan<double> acc, ReadOnlySpan<double> maxima, double theta,
        ReadOnlySpan<double> blockBounds, double bound, int limit)
    {
        if (_candidates.Length < limit + 32)
        {
            _candidates = new int[Math.Max(limit + 32, 2 * _candidates.Length)];
        }
        int[] found = _candidates;
        int count = 0;
        bool blocks = !blockBounds.IsEmpty;
        ref double largest = ref MemoryMarshal.GetReference(maxima);
        ref double bounds = ref MemoryMarshal.GetReference(blockBounds);
        Vector128<double> thetas = Vector128.Create(theta), floors = Vector128.Create(theta - bound);
        for (int j = 0; j < maxima.Length; j += 4)
        {
            if (j + 4 <= maxima.Length)
            {
                // Four blocks at a time with SIMD compares (the same subtraction as below, lane by
                // lane): most blocks have no candidate.
                Vector128<double> low = blocks ? thetas - Vector128.LoadUnsafe(ref bounds, (nuint)j) : floors;
                Vector128<double> high = blocks ? thetas - Vector128.LoadUnsafe(ref bounds, (nuint)(j + 2)) : floors;
                if ((Vector128.GreaterThanOrEqual(Vector128.LoadUnsafe(ref largest, (nuint)j), low)
                    | Vector128.GreaterThanOrEqual(Vector128.LoadUnsafe(ref largest, (nuint)(j + 2)), high)) == Vector128<double>.Zero)
                {
                    continue;
                }
            }
            for (int g = j; g < j + 4 && g < maxima.Length; g++)
            {
                double floor = blocks ? theta - blockBounds[g] : theta - bound;
                if (maxima[g] < floor)
                {
                    continue;
                }
                int end = Math.Min(8 * g + 8, acc.Length);
                for (int d = 8 * g; d < end; d++)
                {
                    // Without a branch: which of the eight pass is unpredictable.
                    found[count] = d;
                    count += acc[d] >= floor ? 1 : 0;
                }
            }
            if (count > limit)
            {
                return -1;
            }
        }
        return count;
    }

    /// <summary>Up to this k, <see cref="SelectSmall"/> replaces the heap.</summary>
    internal const int SmallK = 16;

    /// <summary>
    /// <see cref="Select(Span{double}, int, Span{int}, Span{double})"/> for a small k without a
    /// filter: the k best so far are kept sorted, best first, directly in the output, and a new
    /// document is put in place by moving the worse ones down one step. For the few entries of a
    /// small k that costs less than the heap's sifts and its final pops (on the 100-document
    /// reference query, k = 3, the heap was ~17% of a search's time). Same order as the heap: a
    /// document enters only with a score above the k-th best, and as documents arrive in
    /// ascending order an equal score stays behind the earlier ones.
    /// </summary>
    private static int SelectSmall(Span<double> acc, int k, Span<int> docs, Span<double> scores)
    {
        int size = 0;
        double threshold = 0.0;
        ref double first = ref MemoryMarshal.GetReference(acc);
        int d = 0;
        for (; d + 8 <= acc.Length; d += 8)
        {
            if (!AnyAbove(ref first, d, threshold))
            {
                continue;
            }
            for (int j = d; j < d + 8; j++)
            {
                if (acc[j] > threshold)
                {
                    Insert(acc[j], j, docs, scores, k, ref size, ref threshold);
                }
            }
        }
        for (; d < acc.Length; d++)
        {
            if (acc[d] > threshold)
            {
                Insert(acc[d], d, docs, scores, k, ref size, ref threshold);
            }
        }
        acc.Clear();
        return size;
    }

    /// <summary>Whether any of the 8 scores from <paramref name="d"/> on is above
    /// <paramref name="threshold"/>: four SIMD compares, so the top-k scans look closer only at a
    /// group with a candidate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AnyAbove(ref double first, int d, double threshold)
    {
        Vector128<double> limit = Vector128.Create(threshold);
        Vector128<double> any = Vector128.GreaterThan(Vector128.LoadUnsafe(ref first, (nuint)d), limit)
            | Vector128.GreaterThan(Vector128.LoadUnsafe(ref first, (nuint)(d + 2)), limit)
            | Vector128.GreaterThan(Vector128.LoadUnsafe(ref first, (nuint)(d + 4)), limit)
            | Vector128.GreaterThan(Vector128.LoadUnsafe(ref first, (nuint)(d + 6)), limit);
        return any != Vector128<double>.Zero;
    }

    /// <summary>Puts document <paramref name="d"/> (score above the threshold) into the sorted
    /// best-first list; when the list is full its last entry drops out.</summary>
    private static void Insert(double s, int d, Span<int> docs, Span<double> scores, int k, ref int size, ref double threshold)
    {
        int i = size < k ? size : k - 1;
        while (i > 0 && scores[i - 1] < s)
        {
            docs[i] = docs[i - 1];
            scores[i] = scores[i - 1];
            i--;
        }
        docs[i] = d;
        scores[i] = s;
        if (size < k)
        {
            size++;
        }
        if (size == k)
        {
            threshold = scores[k - 1];
        }
    }

    /// <summary>The candidates found by CollectCandidates.</summary>
    public ReadOnlySpan<int> Candidates(int count) => _candidates.AsSpan(0, count);

    /// <summary><see cref="Select(Span{double}, int, Span{int}, Span{double})"/> restricted to the
    /// first <paramref name="count"/> candidates (ascending document numbers, so ties keep the
    /// same order); clears <paramref name="acc"/>.</summary>
    public int SelectCandidates(Span<double> acc, int count, int k, Span<int> docs, Span<double> scores)
    {
        EnsureHeap(k);
        Span<int> heapDocs = _heapDocs.AsSpan(0, k);
        Span<double> heapScores = _heapScores.AsSpan(0, k);
        int size = 0;
        double threshold = 0.0;
        foreach (int d in _candidates.AsSpan(0, count))
        {
            Offer(acc[d], d, heapDocs, heapScores, k, ref size, ref threshold);
        }
        acc.Clear();
        return PopHeap(size, docs, scores);
    }

    private void EnsureHeap(int k)
    {
        if (_heapDocs.Length < k)
        {
            _heapDocs = new int[k];
            _heapScores = new double[k];
        }
    }

    /// <summary>Fills the heap with the k best documents of <paramref name="acc"/> (score &gt; 0,
    /// allowed); returns how many. Its worst is at the root.</summary>
    private int FillHeap(ReadOnlySpan<double> acc, int k, ReadOnlySpan<long> docIds, AllowedIds allowed, double floor = 0.0)
    {
        bool filtered = allowed.IsActive;
        EnsureHeap(k);
        Span<int> heapDocs = _heapDocs.AsSpan(0, k);
        Span<double> heapScores = _heapScores.AsSpan(0, k);
        int size = 0;
        double threshold = floor;
        ref double first = ref MemoryMarshal.GetReference(acc);
        int d = 0;
        for (; d + 8 <= acc.Length; d += 8)
        {
            if (!AnyAbove(ref first, d, threshold))
            {
                continue;
            }
            for (int j = d; j < d + 8; j++)
            {
                if (!filtered || (acc[j] > threshold && allowed.Contains(docIds[j])))
                {
                    Offer(acc[j], j, heapDocs, heapScores, k, ref size, ref threshold);
                }
            }
        }
        for (; d < acc.Length; d++)
        {
            if (!filtered || (acc[d] > threshold && allowed.Contains(docIds[d])))
            {
                Offer(acc[d], d, heapDocs, heapScores, k, ref size, ref threshold);
            }
        }
        return size;
    }

    /// <summary>Pops the heap's <paramref name="size"/> entries, the worst into the last free
    /// place, so the output ends up best first; returns <paramref name="size"/>.</summary>
    private int PopHeap(int size, Span<int> docs, Span<double> scores)
    {
        Span<int> heapDocs = _heapDocs.AsSpan(0, size);
        Span<double> heapScores = _heapScores.AsSpan(0, size);
        for (int last = size - 1; last >= 0; last--)
        {
            docs[last] = heapDocs[0];
            scores[last] = heapScores[0];
            heapDocs[0] = heapDocs[last];
            heapScores[0] = heapScores[last];
            SiftDown(heapDocs, heapScores, 0, last);
        }
        return size;
    }

    private static void Offer(double s, int d, Span<int> heapDocs, Span<double> heapScores, int k, ref int size, ref double threshold)
    {
        if (!(s > threshold))
        {
            return;
        }
        if (size < k)
        {
            heapDocs[size] = d;
            heapScores[size] = s;
            SiftUp(heapDocs, heapScores, size++);
            if (size == k)
            {
                threshold = heapScores[0];
            }
        }
        else
        {
            heapDocs[0] = d;
            heapScores[0] = s;
            SiftDown(heapDocs, heapScores, 0, size);
            threshold = heapScores[0];
        }
    }

    // a is worse than b: lower score, or the same score and a later document.
    private static bool Worse(double sa, int da, double sb, int db) => sa < sb || (sa == sb && da > db);

    private static void SiftUp(Span<int> docs, Span<double> scores, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Worse(scores[i], docs[i], scores[parent], docs[parent]))
            {
                break;
            }
            Swap(docs, scores, i, parent);
            i = parent;
        }
    }

    private static void SiftDown(Span<int> docs, Span<double> scores, int i, int size)
    {
        while (true)
        {
            int left = 2 * i + 1;
            if (left >= size)
            {
                return;
            }
            int worst = left;
            int right = left + 1;
            if (right < size && Worse(scores[right], docs[right], scores[left], docs[left]))
            {
                worst = right;
            }
            if (!Worse(scores[worst], docs[worst], scores[i], docs[i]))
            {
                return;
            }
            Swap(docs, scores, i, worst);
            i = worst;
        }
    }

    private static void Swap(Span<int> docs, Span<double> scores, int a, int b)
    {
        (docs[a], docs[b]) = (docs[b], docs[a]);
        (scores[a], scores[b]) = (scores[b], scores[a]);
    }
}
