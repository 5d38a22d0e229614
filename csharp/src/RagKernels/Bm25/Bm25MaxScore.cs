using System;

namespace RagKernels.Bm25;

/// <summary>
/// Exact dynamic pruning (MaxScore, term-at-a-time) of a top-k search: the same documents, in the
/// same order, with bit-identical scores as the full evaluation, doing less of the work.
/// </summary>
/// <remarks>
/// The query's terms are in canonical order (the long postings last, by ascending document
/// frequency, see <see cref="Bm25Scratch.SortTerms"/>). When <see cref="RemainingTerms"/> terms
/// remain (the most common ones) the search takes θ = the k-th largest partial
/// sum and S = Σ count × max score over the remaining terms. Every posting score is ≥ 0
/// (<see cref="Bm25Snapshot.Prunable"/>), and adding a non-negative double never lowers a sum, so
/// partial sums are lower bounds of the totals: at least k documents end ≥ θ. A document whose
/// partial sum plus S is below θ can therefore never be in the top k (not even on a tie). The
/// others, the candidates, get the remaining terms added one by one in the same canonical order
/// (so their sums are exactly the full evaluation's) by looking each candidate up in the term's
/// sorted postings, and the top k is taken among them. <see cref="Margin"/> keeps a document whose
/// bound is within rounding of θ a candidate. Where pruning cannot pay (few long postings left,
/// too many candidates) the search just goes on with the full evaluation.
/// Measured on ArguAna (word2 + stop words, 1,406 queries of ~97 distinct terms, k = 11): 99% of
/// the queries are pruned, with ~44 candidates; a query takes ~10% less time. Checking earlier
/// skips more postings (a simulation: up to 30% of them with ~100 candidates) but costs more than
/// it saves here: a posting added in the stream costs ~1 ns, a candidate's lookup 10-20 ns.
/// </remarks>
internal static class Bm25MaxScore
{
    /// <summary>Relative slack on θ: float rounding of the bound and of the sums is ~1e-14.</summary>
    private const double Margin = 1e-9;

    /// <summary>Finishing costs about this many posting additions per candidate and remaining term
    /// (a galloping search in the postings, or a dense-row read).</summary>
    private const int LookupCost = 3;

    /// <summary>Pruning is tried once, when this many terms remain (measured on ArguAna: 4 to 6
    /// are best; earlier checks, or several, leave too many candidates to finish by lookups).</summary>
    private const int RemainingTerms = 5;

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
        int[] df = snapshot.DocumentFrequencies;
        double[] maxScores = snapshot.MaxScores;
        int at = count - RemainingTerms;
        if (at <= 0)
        {
            Bm25Search.AccumulateTerms(snapshot, scratch, acc, 0, count);
            return scratch.Select(acc, k, docs, scores);
        }
        Bm25Search.AccumulateTerms(snapshot, scratch, acc, 0, at);
        // bound = the most the remaining terms can add to any document.
        long restPostings = 0;
        double bound = 0.0;
        for (int i = at; i < count; i++)
        {
            restPostings += df[terms[i]];
            bound += scratch.Counts[i] * maxScores[terms[i]];
        }
        // A check costs about two passes over the documents: not worth it for fewer postings.
        if (restPostings >= acc.Length)
        {
            double theta = scratch.KthLargest(acc, k) * (1.0 - Margin);
            if (bound < theta)
            {
                int limit = (int)Math.Min(int.MaxValue - 8, restPostings / (LookupCost * RemainingTerms));
                int candidates = scratch.CollectCandidates(acc, theta - bound, limit);
                if (candidates >= 0)
                {
                    Finish(snapshot, scratch, acc, at, scratch.Candidates(candidates));
                    t_pruned++;
                    return scratch.SelectCandidates(acc, candidates, k, docs, scores);
                }
            }
        }
        Bm25Search.AccumulateTerms(snapshot, scratch, acc, at, count);
        return scratch.Select(acc, k, docs, scores);
    }

    /// <summary>Adds terms <paramref name="from"/>.. to the candidates' sums, term by term in
    /// canonical order, each as the full evaluation adds it (count × score; a dense row's 0 where
    /// the term is absent, a posting's score where present).</summary>
    private static void Finish(Bm25Snapshot snapshot, Bm25Scratch scratch, Span<double> acc, int from, ReadOnlySpan<int> candidates)
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
