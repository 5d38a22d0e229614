using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RagKernels.Bm25;

/// <summary>
/// Exact dynamic pruning (MaxScore, term-at-a-time) of a top-k search: the same documents, in the
/// same order, with bit-identical scores as the full evaluation, doing less of the work.
/// </summary>
/// <remarks>
/// The query's terms are in canonical order (the long postings last, by ascending document
/// frequency, see <see cref="Bm25Scratch.SortTerms"/>). At a check, with some terms still to add,
/// the search takes θ = the k-th largest partial sum and, for every block of 8 documents, B = the
/// most the remaining terms can add to one of them (Σ count × the term's largest score in that
/// block, <see cref="Bm25Snapshot.BlockMax"/>; Σ count × the term's largest score overall when a
/// remaining term has no block maxima). Every posting score is ≥ 0 (<see cref="Bm25Snapshot.Prunable"/>),
/// and adding a non-negative double never lowers a sum, so partial sums are lower bounds of the
/// totals: at least k documents end ≥ θ. A document whose partial sum plus B is below θ can
/// therefore never be in the top k (not even on a tie). The others, the candidates, get the
/// remaining terms added one by one in the same canonical order (so their sums are exactly the
/// full evaluation's) by looking each candidate up (a bitmap with rank counts, a dense row, or a
/// galloping search), and the top k is taken among them. <see cref="Margin"/> keeps a document
/// whose bound is within rounding of θ a candidate. The first check comes when the last
/// <see cref="EarlyTerms"/> terms (all long) remain; if it leaves too many candidates, another when
/// <see cref="RemainingTerms"/> remain; where pruning cannot pay the search goes on with the full
/// evaluation.
/// Measured on ArguAna (word2 + stop words, 1,406 queries of ~97 distinct terms, ~54,000 postings
/// per query, k = 11): the block maxima leave ~1/3 of a single bound's candidates, which made
/// the check with 10 terms left pay (~25,000 postings skipped instead of ~16,000). θ and the
/// candidates come from each block's largest partial sum (<see cref="Bm25Scratch.GroupMaxima"/>),
/// so the two scans over all the sums became one: that, and the O(1) lookups, gave ~5% per query
/// (in-process A/B, rounds alternating). Checking with 7, 14 or 18 terms left was no better; a θ
/// from the block maxima alone (no pass over the documents) is ~23% lower on ArguAna (simulated), whose
/// best documents for a query often sit in the same blocks (arguments of one debate are
/// numbered together), and left too many candidates.
/// </remarks>
internal static class Bm25MaxScore
{
    /// <summary>Relative slack on θ: float rounding of the bound and of the sums is ~1e-14.</summary>
    private const double Margin = 1e-9;

    /// <summary>Finishing costs about this many posting additions per candidate and remaining term
    /// (a lookup in a bitmap, a dense row, or a galloping search).</summary>
    private const int LookupCost = 3;

    /// <summary>The last check, when this many terms remain (with one bound per term, 4 to 6
    /// were best on ArguAna).</summary>
    private const int RemainingTerms = 5;

    /// <summary>The first check, when at most this many terms remain, all with block maxima.</summary>
    private const int EarlyTerms = 10;

    /// <summary>Searches this thread finished by pruning (for tests: the path is taken).</summary>
    [ThreadStatic]
    internal static long t_pruned;

    /// <summary>Top k into docs/scores, as <see cref="Bm25Scratch.Select(Span{double}, int, Span{int}, Span{double})"/>
    /// after a full accumulation gives; <paramref name="acc"/> is all zero before and after.
    /// Needs a prunable snapshot, no filter, 0 &lt; k &lt; N, terms collected.</summary>
    public static int Search(Bm25Snapshot snapshot, Bm25Scratch scratch, Span<double> acc, int k, Span<int> docs, Span<double> scores)
    {
        int count = scratch.TermCount;
        int[] terms = scratch.Terms;
        // The first check comes where only terms with block maxima and O(1) lookups remain (the
        // long ones), at most EarlyTerms of them; if it leaves too many candidates, a second one
        // RemainingTerms before the end.
        int longFrom = count;
        while (longFrom > 0 && count - longFrom < EarlyTerms && snapshot.BlockOfTerm[terms[longFrom - 1]] >= 0)
        {
            longFrom--;
        }
        int done = 0;
        foreach (int at in (ReadOnlySpan<int>)[count - longFrom > RemainingTerms ? longFrom : count, count - RemainingTerms])
        {
            if (at <= done || at >= count)
            {
                continue;
            }
            Bm25Search.AccumulateTerms(snapshot, scratch, acc, done, at);
            done = at;
            int found = TryFinish(snapshot, scratch, acc, at, k, docs, scores);
            if (found >= 0)
            {
                t_pruned++;
                return found;
            }
        }
        Bm25Search.AccumulateTerms(snapshot, scratch, acc, done, count);
        return scratch.Select(acc, k, docs, scores);
    }

    /// <summary>The top k when terms <paramref name="at"/>.. (not yet added) can be finished for a
    /// few candidates, else -1 with <paramref name="acc"/> unchanged.</summary>
    private static int TryFinish(Bm25Snapshot snapshot, Bm25Scratch scratch, Span<double> acc, int at, int k, Span<int> docs, Span<double> scores)
    {
        int count = scratch.TermCount;
        int[] terms = scratch.Terms;
        long restPostings = 0;
        bool blocks = true;
        for (int i = at; i < count; i++)
        {
            restPostings += snapshot.DocumentFrequencies[terms[i]];
            blocks &= snapshot.BlockOfTerm[terms[i]] >= 0;
        }
        // A check costs about two passes over the documents: not worth it for fewer postings.
        if (restPostings < acc.Length)
        {
            return -1;
        }
        ReadOnlySpan<double> maxima = scratch.GroupMaxima(acc);
        double theta = scratch.KthLargest(acc, maxima, k) * (1.0 - Margin);
        if (!(theta > 0.0))
        {
            return -1;
        }
        int limit = (int)Math.Min(int.MaxValue - 8, restPostings / (LookupCost * (count - at)));
        int candidates;
        if (blocks)
        {
            // bound[j] = the most the remaining terms can add to a document of block j.
            Span<double> bound = scratch.BlockBounds(maxima.Length);
            bound.Clear();
            for (int i = at; i < count; i++)
            {
                AddBlockMaxima(bound, snapshot.BlockMax.AsSpan(snapshot.BlockOfTerm[terms[i]], bound.Length), scratch.Counts[i]);
            }
            candidates = scratch.CollectCandidates(acc, maxima, theta, bound, 0.0, limit);
        }
        else
        {
            double bound = 0.0;
            for (int i = at; i < count; i++)
            {
                bound += scratch.Counts[i] * snapshot.MaxScores[terms[i]];
            }
            if (!(bound < theta))
            {
                return -1;
            }
            candidates = scratch.CollectCandidates(acc, maxima, theta, default, bound, limit);
        }
        if (candidates < 0)
        {
            return -1;
        }
        Finish(snapshot, scratch, acc, at, scratch.Candidates(candidates));
        return scratch.SelectCandidates(acc, candidates, k, docs, scores);
    }

    /// <summary>bound[j] += m × maxima[j], four at a time (floats widened to doubles: exact).</summary>
    private static void AddBlockMaxima(Span<double> bound, ReadOnlySpan<float> maxima, double m)
    {
        ref double b = ref MemoryMarshal.GetReference(bound);
        ref float x = ref MemoryMarshal.GetReference(maxima);
        Vector128<double> factor = Vector128.Create(m);
        int j = 0;
        for (; j + 4 <= bound.Length; j += 4)
        {
            (Vector128<double> low, Vector128<double> high) = Vector128.Widen(Vector128.LoadUnsafe(ref x, (nuint)j));
            (Vector128.LoadUnsafe(ref b, (nuint)j) + factor * low).StoreUnsafe(ref b, (nuint)j);
            (Vector128.LoadUnsafe(ref b, (nuint)(j + 2)) + factor * high).StoreUnsafe(ref b, (nuint)(j + 2));
        }
        for (; j < bound.Length; j++)
        {
            bound[j] += m * maxima[j];
        }
    }

    /// <summary>Adds terms <paramref name="from"/>.. to the candidates' sums, each candidate's in
    /// canonical order, each as the full evaluation adds it (count × score; a dense row's 0 where
    /// the term is absent, a posting's score where present). Candidate by candidate: the sum stays
    /// in a register and the lookups of one candidate's terms are independent loads.</summary>
    private static unsafe void Finish(Bm25Snapshot snapshot, Bm25Scratch scratch, Span<double> acc, int from, ReadOnlySpan<int> candidates)
    {
        int rest = scratch.TermCount - from;
        if (rest <= 0 || candidates.IsEmpty)
        {
            return;
        }
        int[] starts = snapshot.PostingStarts;
        bool simple = true;
        for (int i = from; i < scratch.TermCount; i++)
        {
            int term = scratch.Terms[i];
            simple &= snapshot.DenseRowOfTerm[term] >= 0 || snapshot.BitsOfTerm[term] >= 0;
        }
        if (!simple)
        {
            FinishGalloping(snapshot, scratch, acc, from, candidates);
            return;
        }
        fixed (double* a = acc)
        fixed (int* c = candidates)
        fixed (ulong* bits = snapshot.Bits)
        fixed (int* ranks = snapshot.Ranks)
        fixed (double* scores = snapshot.PostingScores)
        {
            for (int i = 0; i < rest; i++)
            {
                int term = scratch.Terms[from + i];
                int row = snapshot.DenseRowOfTerm[term];
                double m = scratch.Counts[from + i];
                if (row >= 0)
                {
                    fixed (double* dense = snapshot.DenseRows[row])
                    {
                        AddDense(a, c, candidates.Length, dense, m);
                    }
                }
                else
                {
                    int word = snapshot.BitsOfTerm[term];
                    AddByBitmap(a, c, candidates.Length, bits + word, ranks + word, scores + starts[term], m);
                }
            }
        }
    }

    private static unsafe void AddDense(double* a, int* candidates, int count, double* dense, double m)
    {
        for (int j = 0; j < count; j++)
        {
            int d = candidates[j];
            a[d] += m * dense[d];
        }
    }

    /// <summary>a[d] += m × (d's posting score) for the candidates d that have the term, found in
    /// its bitmap; no branch on whether d has it (that is unpredictable): the others add +0.0,
    /// which leaves a sum ≥ 0 unchanged, exactly as the posting loop that skips them.</summary>
    private static unsafe void AddByBitmap(double* a, int* candidates, int count, ulong* bits, int* ranks, double* scores, double m)
    {
        for (int j = 0; j < count; j++)
        {
            int d = candidates[j];
            // d's bit moved to the top: set when d has the term; the set bits up to it give d's
            // place among the term's postings (place 0 stands in when d has none below it).
            ulong upTo = bits[d >> 6] << (63 - (d & 63));
            int place = ranks[d >> 6] + BitOperations.PopCount(upTo) - 1;
            double add = m * scores[place < 0 ? 0 : place];
            long present = (long)upTo >> 63;
            a[d] += BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(add) & present);
        }
    }

    /// <summary><see cref="Finish"/> when some remaining term has neither a dense row nor a
    /// bitmap (small indexes): galloping searches in its postings.</summary>
    private static void FinishGalloping(Bm25Snapshot snapshot, Bm25Scratch scratch, Span<double> acc, int from, ReadOnlySpan<int> candidates)
    {
        int[] starts = snapshot.PostingStarts;
        int[] postingDocs = snapshot.PostingDocuments;
        double[] postingScores = snapshot.PostingScores;
        for (int i = from; i < scratch.TermCount; i++)
        {
            int term = scratch.Terms[i];
            double m = scratch.Counts[i];
            int row = snapshot.DenseRowOfTerm[term];
            if (row >= 0)
            {
                double[] dense = snapshot.DenseRows[row];
                foreach (int d in candidates)
                {
                    acc[d] += m * dense[d];
                }
                continue;
            }
            int p = starts[term], end = starts[term + 1];
            foreach (int d in candidates)
            {
                p = Gallop(postingDocs, p, end, d);
                if (p == end)
                {
                    break;
                }
                if (postingDocs[p] == d)
                {
                    acc[d] += m * postingScores[p];
                }
            }
        }
    }

    /// <summary>The first position in [p, end) whose document is ≥ <paramref name="doc"/>, or end:
    /// doubling steps from p, then a binary search (candidates are far apart in long postings).</summary>
    private static int Gallop(int[] postingDocs, int p, int end, int doc)
    {
        if (p >= end || postingDocs[p] >= doc)
        {
            return p;
        }
        // postingDocs[low] < doc throughout; high is end or a position with a document ≥ doc.
        int low = p, step = 1;
        int high = p + 1;
        while (high < end && postingDocs[high] < doc)
        {
            low = high;
            step <<= 1;
            high = low + step;
        }
        if (high > end)
        {
            high = end;
        }
        while (high - low > 1)
        {
            int mid = (low + high) >>> 1;
            if (postingDocs[mid] < doc)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }
        return high;
    }
}
