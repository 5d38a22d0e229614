using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Unicode;

using RagKernels.Filtering;
using RagKernels.Threading;

namespace RagKernels.Bm25;

/// <summary>
/// Queries against a snapshot: term-at-a-time accumulation of precomputed posting scores into a
/// per-thread score array, then a top-k selection. A query's distinct terms are each taken once,
/// weighted by how often they occur, in the canonical order of <see cref="Bm25Scratch.SortTerms"/>
/// (first occurrence, the long postings last by document frequency): the order the Python twin
/// sums in. Top-k searches on a prunable snapshot skip the longest postings for documents that
/// cannot reach the top k (<see cref="Bm25MaxScore"/>).
/// </summary>
public static class Bm25Search
{
    /// <summary>A query: UTF-8 text to tokenize (<c>Tokens</c> empty), or pre-tokenized, token j
    /// being <c>Text[Tokens[j]..Tokens[j + 1]]</c>.</summary>
    public readonly ref struct Query
    {
        public Query(ReadOnlySpan<byte> text, ReadOnlySpan<long> tokens)
        {
            Text = text;
            Tokens = tokens;
        }

        public ReadOnlySpan<byte> Text { get; }
        public ReadOnlySpan<long> Tokens { get; }
    }

    [ThreadStatic]
    private static Bm25Scratch? t_scratch;

    private static Bm25Scratch Scratch => t_scratch ??= new Bm25Scratch();

    /// <summary>Checks a query's text and token offsets; throws before any work.</summary>
    public static void Validate(in Query query)
    {
        ReadOnlySpan<byte> bytes = query.Text;
        if (!query.Tokens.IsEmpty)
        {
            Bm25Ranges.CheckOffsets(query.Tokens, query.Text.Length, "token offsets");
            // Only the bytes of this query's tokens: the queries of a search_many share one
            // buffer, and checking all of it for every query made a batch quadratic.
            bytes = bytes[(int)query.Tokens[0]..(int)query.Tokens[^1]];
        }
        if (!Utf8.IsValid(bytes))
        {
            throw new Bm25InvalidUtf8Exception("the query is not valid UTF-8");
        }
    }

    /// <summary>Top <paramref name="k"/> documents (score &gt; 0, best first, ties in insertion
    /// order) into <paramref name="docs"/>/<paramref name="scores"/> (length ≥ min(k, N));
    /// returns how many. The query must have passed <see cref="Validate"/>.</summary>
    public static int Search(Bm25Snapshot snapshot, in Query query, int k, Span<int> docs, Span<double> scores) =>
        Search(snapshot, query, k, docs, scores, AllowedIds.All);

    /// <summary><see cref="Search(Bm25Snapshot, in Query, int, Span{int}, Span{double})"/> over the
    /// documents whose integer id is in <paramref name="allowed"/> (the others are skipped before
    /// the top k). A filter needs integer ids (<see cref="Bm25Snapshot.IntegerIds"/>).</summary>
    /// <exception cref="ArgumentException">a filter on an index with a non-integer id.</exception>
    public static int Search(Bm25Snapshot snapshot, in Query query, int k, Span<int> docs, Span<double> scores, AllowedIds allowed)
    {
        ReadOnlySpan<long> docIds = allowed.IsActive ? snapshot.RequireIntegerIds() : default;
        Bm25Scratch scratch = Scratch;
        int n = snapshot.Count;
        if (k <= 0 || n == 0 || CollectTerms(snapshot, query, scratch) == 0)
        {
            return 0;
        }
        Span<double> acc = scratch.Accumulator(n);
        if (!allowed.IsActive && snapshot.Prunable && k < n)
        {
            return Bm25MaxScore.Search(snapshot, scratch, acc, k, docs, scores);
        }
        Accumulate(snapshot, scratch, acc);
        return scratch.Select(acc, Math.Min(k, n), docs, scores, docIds, allowed);
    }

    /// <summary>Every document's score into <paramref name="output"/> (length ≥ N).</summary>
    public static void Scores(Bm25Snapshot snapshot, in Query query, Span<double> output)
    {
        Bm25Scratch scratch = Scratch;
        Span<double> acc = output[..snapshot.Count];
        acc.Clear();
        if (snapshot.Count > 0 && CollectTerms(snapshot, query, scratch) > 0)
        {
            Accumulate(snapshot, scratch, acc);
        }
    }

    /// <summary>Where <see cref="SearchMany"/> finds query q (a struct, so the call inlines).</summary>
    public interface IQueries
    {
        Query At(int q);
    }

    /// <summary>Queries as one UTF-8 buffer: query q is <c>text[queryStarts[q]..queryStarts[q + 1]]</c>,
    /// or, when <c>tokenOffsets</c> is not null, tokens queryStarts[q]..queryStarts[q + 1] of it
    /// (rk_bm25_search_many).</summary>
    public readonly unsafe struct PackedQueries(byte* text, long textLength, long* queryStarts, long* tokenOffsets, long tokenCount)
        : IQueries
    {
        public Query At(int q)
        {
            if (tokenOffsets == null)
            {
                return new Query(new ReadOnlySpan<byte>(text + queryStarts[q], checked((int)(queryStarts[q + 1] - queryStarts[q]))), default);
            }
            long first = queryStarts[q], last = queryStarts[q + 1];
            if (first < 0 || last < first || last > tokenCount)
            {
                throw new ArgumentException($"query {q}: token range {first}..{last} is outside 0..{tokenCount}");
            }
            return new Query(new ReadOnlySpan<byte>(text, checked((int)textLength)),
                new ReadOnlySpan<long>(tokenOffsets + first, checked((int)(last - first + 1))));
        }
    }

    /// <summary>
    /// Top-k of <paramref name="count"/> queries into row-major (count, k) arrays, rows padded
    /// with document -1 and score 0, on up to <paramref name="threads"/> threads (0 = all cores).
    /// </summary>
    public static unsafe void SearchMany<TQueries>(Bm25Snapshot snapshot, TQueries queries, int count, int k, int threads,
        long* outDocs, double* outScores)
        where TQueries : struct, IQueries
    {
        nint docsAddress = (nint)outDocs, scoresAddress = (nint)outScores;
        // Check every query first, so a bad one fails the call before any work or partial output.
        for (int q = 0; q < count; q++)
        {
            Validate(queries.At(q));
        }
        int workers = Workers.Count(threads, count);
        // Queries differ in cost (postings lengths), so they are handed out in small chunks: at
        // most 16 (~1 ms of ArguAna queries), so the workers finish within about a chunk of each
        // other (chunks of 64 left one worker up to ~3 ms, ~9% of a 2-thread ArguAna batch, alone).
        Workers.ForChunks(workers, count, Math.Max(1, Math.Min(16, count / (workers * 8))), (first, last) =>
        {
            var docs = new int[Math.Max(k, 0)];
            for (int q = (int)first; q < last; q++)
            {
                var rowDocs = new Span<long>((long*)docsAddress + (long)q * k, k);
                var rowScores = new Span<double>((double*)scoresAddress + (long)q * k, k);
                int found = Search(snapshot, queries.At(q), k, docs, rowScores);
                for (int i = 0; i < found; i++)
                {
                    rowDocs[i] = docs[i];
                }
                rowDocs[found..].Fill(-1);
                rowScores[found..].Clear();
            }
        });
    }

    /// <summary>The most tokens, and bytes of them, looked up in one batch of a longer query.</summary>
    private const int BatchTokens = 256, BatchBytes = 4096;

    /// <summary>Looks up the first <paramref name="count"/> tokens of a batch (token j at
    /// TokenStarts[j] in <paramref name="batch"/>) and counts the known ones in order.</summary>
    private static void LookUp(Bm25Vocabulary vocabulary, int[] df, Bm25Scratch scratch, ReadOnlySpan<byte> batch, int count)
    {
        for (int j = 0; j < count; j++)
        {
            CountKnown(vocabulary.FindHashed(batch[scratch.TokenStarts[j]..], scratch.TokenLengths[j], scratch.TokenHashes[j]), df, scratch);
        }
    }

    private static void CountKnown(int term, int[] df, Bm25Scratch scratch)
    {
        if (term >= 0 && df[term] > 0)
        {
            scratch.CountTerm(term);
        }
    }

    /// <summary>Queries up to this long (a few words) are looked up token by token: the two passes
    /// of a long query cost more than their few lookups could overlap.</summary>
    private const int ShortQueryBytes = 64;

    /// <summary>The query's known distinct terms and counts into the scratch; returns how many.</summary>
    private static int CollectTerms(Bm25Snapshot snapshot, in Query query, Bm25Scratch scratch)
    {
        scratch.BeginQuery(snapshot.Vocabulary.Count);
        Bm25Vocabulary vocabulary = snapshot.Vocabulary;
        int[] df = snapshot.DocumentFrequencies;
        if (query.Tokens.IsEmpty && query.Text.Length <= ShortQueryBytes)
        {
            ReadOnlySpan<byte> text = query.Text;
            Span<byte> output = scratch.TokenBuffer(Bm25TokenReader.OutputCapacity(text.Length));
            var reader = new Bm25TokenReader(text, output, snapshot.Tokenizer, snapshot.QueryStopWords);
            while (reader.Next(out ReadOnlySpan<byte> token))
            {
                // Every token starts at output[0]; the padded lookup reads its tail as one integer.
                int term = vocabulary.FindPadded(output, token.Length);
                if (term >= 0 && df[term] > 0)
                {
                    scratch.CountTerm(term);
                }
            }
        }
        else if (query.Tokens.IsEmpty)
        {
            // Two passes over batches of tokens: tokenize a batch, asking for each token's table
            // entry ahead, then look the batch up, so the cache misses of the lookups overlap
            // instead of queueing. Batches are bounded (BatchTokens, BatchBytes), so a huge query
            // needs no more memory than before; a token longer than a batch is looked up alone.
            ReadOnlySpan<byte> text = query.Text;
            Span<byte> output = scratch.TokenBuffer(Bm25TokenReader.OutputCapacity(text.Length));
            Span<byte> batch = scratch.QueryTokens(BatchBytes + 8);
            var reader = new Bm25TokenReader(text, output, snapshot.Tokenizer, snapshot.QueryStopWords);
            int count = 0, used = 0;
            while (reader.Next(out ReadOnlySpan<byte> token))
            {
                // Every token starts at output[0]; the padded hash reads its tail as one integer.
                int hash = Bm25Vocabulary.HashOf(output, token.Length);
                if (count == BatchTokens || used + token.Length > BatchBytes)
                {
                    LookUp(vocabulary, df, scratch, batch, count);
                    count = used = 0;
                }
                if (token.Length > BatchBytes)
                {
                    CountKnown(vocabulary.FindHashed(output, token.Length, hash), df, scratch);
                    continue;
                }
                vocabulary.Prefetch(hash);
                token.CopyTo(batch[used..]);
                scratch.AddQueryToken(count++, used, token.Length, hash);
                used += token.Length;
            }
            LookUp(vocabulary, df, scratch, batch, count);
        }
        else
        {
            ReadOnlySpan<long> offsets = query.Tokens;
            for (int j = 0; j + 1 < offsets.Length; j++)
            {
                int term = vocabulary.Find(query.Text[(int)offsets[j]..(int)offsets[j + 1]]);
                if (term >= 0 && df[term] > 0)
                {
                    scratch.CountTerm(term);
                }
            }
        }
        scratch.SortTerms(df, snapshot.Count);
        return scratch.TermCount;
    }

    private static void Accumulate(Bm25Snapshot snapshot, Bm25Scratch scratch, Span<double> acc)
    {
        if (!snapshot.Scoring.ScoresAbsentTerms)
        {
            AccumulateTerms(snapshot, scratch, acc, 0, scratch.TermCount);
            return;
        }
        AccumulateAbsent(snapshot, scratch, acc);
    }

    /// <summary>Adds query terms <paramref name="from"/>..<paramref name="to"/> (canonical order)
    /// of a lucene/okapi query: each posting's score times the term's count.</summary>
    internal static unsafe void AccumulateTerms(Bm25Snapshot snapshot, Bm25Scratch scratch, Span<double> acc, int from, int to)
    {
        int[] starts = snapshot.PostingStarts;
        int[] postingDocs = snapshot.PostingDocuments;
        double[] postingScores = snapshot.PostingScores;
        // The hot loop of every query. Posting documents are < acc.Length by construction (the
        // snapshot built both), so it reads through pointers without bounds checks. (Blocking
        // the documents to keep the sums in L1 was measured on ArguAna: no faster.)
        int[] denseRowOfTerm = snapshot.DenseRowOfTerm;
        fixed (double* a = acc)
        fixed (int* docs = postingDocs)
        fixed (double* scores = postingScores)
        {
            for (int i = from; i < to; i++)
            {
                int term = scratch.Terms[i];
                int end = starts[term + 1];
                double m = scratch.Counts[i];
                int row = denseRowOfTerm[term];
                if (row >= 0)
                {
                    AddRow(acc, snapshot.DenseRows[row], m);
                }
                else if (m == 1.0)
                {
                    AddPostings(a, docs, scores, starts[term], end);
                }
                else
                {
                    AddPostings(a, docs, scores, starts[term], end, m);
                }
            }
        }
    }

    /// <summary>a[docs[p]] += scores[p] for p in [begin, end), four per round. A method of its own
    /// on plain pointers: inside the loop over the terms, the pinned (fixed) arrays were written
    /// back to and reloaded from the stack on every posting, doubling the loop's instructions.</summary>
    private static unsafe void AddPostings(double* a, int* docs, double* scores, int begin, int end)
    {
        int p = begin;
        for (; p + 4 <= end; p += 4)
        {
            a[docs[p]] += scores[p];
            a[docs[p + 1]] += scores[p + 1];
            a[docs[p + 2]] += scores[p + 2];
            a[docs[p + 3]] += scores[p + 3];
        }
        for (; p < end; p++)
        {
            a[docs[p]] += scores[p];
        }
    }

    /// <summary>a[docs[p]] += m × scores[p] for p in [begin, end) (a term counted m times).</summary>
    private static unsafe void AddPostings(double* a, int* docs, double* scores, int begin, int end, double m)
    {
        int p = begin;
        for (; p + 4 <= end; p += 4)
        {
            a[docs[p]] += m * scores[p];
            a[docs[p + 1]] += m * scores[p + 1];
            a[docs[p + 2]] += m * scores[p + 2];
            a[docs[p + 3]] += m * scores[p + 3];
        }
        for (; p < end; p++)
        {
            a[docs[p]] += m * scores[p];
        }
    }

    private static void AccumulateAbsent(Bm25Snapshot snapshot, Bm25Scratch scratch, Span<double> acc)
    {
        int[] starts = snapshot.PostingStarts;
        int[] postingDocs = snapshot.PostingDocuments;
        double[] postingScores = snapshot.PostingScores;
        for (int i = 0; i < scratch.TermCount; i++)
        {
            int term = scratch.Terms[i];
            double m = scratch.Counts[i];
            int begin = starts[term], end = starts[term + 1];
            // bm25l/bm25+: every document scores for the term. Add the absent-term score to all and
            // the posting score to the term's documents, each exactly once, in the same per-document
            // order as the Python twin: compute the posting documents' new totals first, add the
            // absent score everywhere, then put the saved totals back.
            Span<double> saved = scratch.Saved(end - begin);
            for (int p = begin; p < end; p++)
            {
                saved[p - begin] = acc[postingDocs[p]] + m * postingScores[p];
            }
            double z = m * snapshot.AbsentScores[term];
            for (int d = 0; d < acc.Length; d++)
            {
                acc[d] += z;
            }
            for (int p = begin; p < end; p++)
            {
                acc[postingDocs[p]] = saved[p - begin];
            }
        }
    }

    /// <summary>acc[d] += m × row[d] for every document, two at a time (+0.0 where the term is
    /// absent changes nothing; m × s is what the posting loop adds, so sums are identical).</summary>
    private static void AddRow(Span<double> acc, double[] row, double m)
    {
        ref double a = ref MemoryMarshal.GetReference(acc);
        ref double r = ref MemoryMarshal.GetArrayDataReference(row);
        int n = acc.Length;
        int d = 0;
        if (m == 1.0)
        {
            for (; d + 2 <= n; d += 2)
            {
                (Vector128.LoadUnsafe(ref a, (nuint)d) + Vector128.LoadUnsafe(ref r, (nuint)d)).StoreUnsafe(ref a, (nuint)d);
            }
            for (; d < n; d++)
            {
                acc[d] += row[d];
            }
            return;
        }
        Vector128<double> factor = Vector128.Create(m);
        for (; d + 2 <= n; d += 2)
        {
            (Vector128.LoadUnsafe(ref a, (nuint)d) + factor * Vector128.LoadUnsafe(ref r, (nuint)d)).StoreUnsafe(ref a, (nuint)d);
        }
        for (; d < n; d++)
        {
            acc[d] += m * row[d];
        }
    }
}
