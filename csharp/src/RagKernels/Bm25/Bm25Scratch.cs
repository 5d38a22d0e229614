using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    private int[] _cursors = new int[64];

    public Span<int> Cursors(int n)
    {
        if (_cursors.Length < n)
        {
            _cursors = new int[Math.Max(n, 2 * _cursors.Length)];
        }
        return _cursors.AsSpan(0, n);
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
        int size = FillHeap(acc, k, docIds, allowed);
        acc.Clear();
        return PopHeap(size, docs, scores);
    }

    /// <summary>The k-th largest score of <paramref name="acc"/> (0 when fewer than k are &gt; 0);
    /// leaves <paramref name="acc"/> as it is.</summary>
    public double KthLargest(Span<double> acc, int k)
    {
        int size = FillHeap(acc, k, default, AllowedIds.All);
        return size == k ? _heapScores[0] : 0.0;
    }

    /// <summary>The documents d (ascending) with acc[d] ≥ <paramref name="floor"/> &gt; 0 into
    /// <see cref="Candidates"/>; returns how many, or -1 as soon as there are more than
    /// <paramref name="limit"/>. Eight documents at a time with SIMD compares (most fail).</summary>
    public int CollectCandidates(Span<double> acc, double floor, int limit)
    {
        if (_candidates.Length < limit + 8)
        {
            _candidates = new int[Math.Max(limit + 8, 2 * _candidates.Length)];
        }
        int[] found = _candidates;
        int count = 0;
        ref double first = ref MemoryMarshal.GetReference(acc);
        Vector128<double> bound = Vector128.Create(floor);
        int d = 0;
        for (; d + 8 <= acc.Length; d += 8)
        {
            Vector128<double> any = Vector128.GreaterThanOrEqual(Vector128.LoadUnsafe(ref first, (nuint)d), bound)
                | Vector128.GreaterThanOrEqual(Vector128.LoadUnsafe(ref first, (nuint)(d + 2)), bound)
                | Vector128.GreaterThanOrEqual(Vector128.LoadUnsafe(ref first, (nuint)(d + 4)), bound)
                | Vector128.GreaterThanOrEqual(Vector128.LoadUnsafe(ref first, (nuint)(d + 6)), bound);
            if (any == Vector128<double>.Zero)
            {
                continue;
            }
            for (int j = d; j < d + 8; j++)
            {
                if (acc[j] >= floor)
                {
                    found[count++] = j;
                }
            }
            if (count > limit)
            {
                return -1;
            }
        }
        for (; d < acc.Length; d++)
        {
            if (acc[d] >= floor)
            {
                found[count++] = d;
            }
        }
        return count > limit ? -1 : count;
    }

    /// <summary>The candidates found by <see cref="CollectCandidates"/>.</summary>
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
    private int FillHeap(Span<double> acc, int k, ReadOnlySpan<long> docIds, AllowedIds allowed)
    {
        bool filtered = allowed.IsActive;
        EnsureHeap(k);
        Span<int> heapDocs = _heapDocs.AsSpan(0, k);
        Span<double> heapScores = _heapScores.AsSpan(0, k);
        int size = 0;
        double threshold = 0.0;
        ref double first = ref MemoryMarshal.GetReference(acc);
        int d = 0;
        for (; d + 8 <= acc.Length; d += 8)
        {
            Vector128<double> limit = Vector128.Create(threshold);
            Vector128<double> any = Vector128.GreaterThan(Vector128.LoadUnsafe(ref first, (nuint)d), limit)
                | Vector128.GreaterThan(Vector128.LoadUnsafe(ref first, (nuint)(d + 2)), limit)
                | Vector128.GreaterThan(Vector128.LoadUnsafe(ref first, (nuint)(d + 4)), limit)
                | Vector128.GreaterThan(Vector128.LoadUnsafe(ref first, (nuint)(d + 6)), limit);
            if (any == Vector128<double>.Zero)
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
