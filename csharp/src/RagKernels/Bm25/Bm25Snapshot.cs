using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Threading;

namespace RagKernels.Bm25;

/// <summary>
/// An immutable state of a BM25 index: documents, a frozen vocabulary, postings with each
/// posting's term score precomputed. Writers build a new snapshot and publish it with one
/// reference write, so readers need no lock and always see one consistent corpus.
/// </summary>
/// <remarks>Precomputing every posting's score is what makes a query a sum of array reads. Every
/// add or remove changes N and the mean length, hence every score, so a write rebuilds this in
/// full (linear in the postings) whatever it changed.</remarks>
public sealed class Bm25Snapshot
{
    internal Bm25Snapshot(Bm25Scoring scoring, Bm25TokenizerKind tokenizer, bool stopWords, Bm25Vocabulary vocabulary, Bm25Document[] documents)
    {
        Scoring = scoring;
        Tokenizer = tokenizer;
        StopWords = stopWords;
        Vocabulary = vocabulary;
        Documents = documents;
        int n = documents.Length;
        int terms = vocabulary.Count;
        var df = new int[terms];
        long total = 0;
        foreach (Bm25Document doc in documents)
        {
            total += doc.Length;
            foreach (int term in doc.Terms)
            {
                df[term]++;
            }
        }
        AverageLength = n == 0 ? 0.0 : (double)total / n;
        TotalLength = total;
        var starts = new int[terms + 1];
        for (int t = 0; t < terms; t++)
        {
            starts[t + 1] = checked(starts[t] + df[t]);
        }
        var idf = new double[terms];
        double floor = scoring.Method == Bm25Method.Okapi ? OkapiFloor(scoring, n, df) : 0.0;
        var absent = new double[terms];
        for (int t = 0; t < terms; t++)
        {
            if (df[t] > 0)
            {
                double w = scoring.Idf(n, df[t]);
                if (scoring.Method == Bm25Method.Okapi && w < 0.0)
                {
                    w = floor;
                }
                idf[t] = w;
                absent[t] = scoring.AbsentScore(w);
            }
        }
        var postingDocs = new int[starts[terms]];
        var postingScores = new double[starts[terms]];
        var fill = starts.AsSpan(0, terms).ToArray();
        var maxScores = new double[terms];
        bool nonNegative = true;
        double avgdl = AverageLength;
        for (int d = 0; d < n; d++)
        {
            Bm25Document doc = documents[d];
            int[] docTerms = doc.Terms;
            int[] tfs = doc.Frequencies;
            for (int i = 0; i < docTerms.Length; i++)
            {
                int t = docTerms[i];
                int at = fill[t]++;
                postingDocs[at] = d;
                double score = scoring.TermScore(idf[t], tfs[i], doc.Length, avgdl);
                postingScores[at] = score;
                // `!(score >= 0)` also catches NaN: such an index is never pruned.
                nonNegative &= score >= 0.0;
                maxScores[t] = Math.Max(maxScores[t], score);
            }
        }
        // Terms in at least a quarter of the documents also get a dense row of scores (0 where
        // absent): adding a whole row with SIMD is cheaper than scattering that many postings,
        // and adding +0.0 leaves a sum unchanged, so results stay bit-identical. The rows cost at
        // most 8/12 × 4 = 2.7 times those terms' postings.
        var denseRow = new int[terms];
        Array.Fill(denseRow, -1);
        var dense = new List<double[]>();
        if (n >= DenseMinimumDocuments && !scoring.ScoresAbsentTerms)
        {
            for (int t = 0; t < terms; t++)
            {
                if (4L * df[t] >= n)
                {
                    var row = new double[n];
                    for (int p = starts[t]; p < starts[t + 1]; p++)
                    {
                        row[postingDocs[p]] = postingScores[p];
                    }
                    denseRow[t] = dense.Count;
                    dense.Add(row);
                }
            }
        }
        DenseRowOfTerm = denseRow;
        DenseRows = dense.ToArray();
        Prunable = nonNegative && !scoring.ScoresAbsentTerms;
        // A query's stop words need removing only when the vocabulary holds some (documents
        // given as tokens keep theirs); otherwise their lookups fail anyway, so the query reader
        // skips the check (~2% of an ArguAna query).
        bool queryStopWords = false;
        if (stopWords)
        {
            foreach (byte[] word in Bm25StopWords.English)
            {
                queryStopWords |= vocabulary.Find(word) >= 0;
            }
        }
        QueryStopWords = queryStopWords;
        // The long terms (summed last, see Bm25Scratch.SortTerms) of a prunable index get what
        // lets Bm25MaxScore skip them early: block maxima (a bound per 8 documents, far tighter
        // than one maximum per term) and a bitmap with rank counts (a document's posting in O(1)
        // instead of a galloping search). On ArguAna: 196 terms, the index 19.1 -> 20.4 MB.
        var blockOfTerm = new int[terms];
        var bitsOfTerm = new int[terms];
        Array.Fill(blockOfTerm, -1);
        Array.Fill(bitsOfTerm, -1);
        int groups = (n + BlockSize - 1) / BlockSize, words = (n + 63) / 64;
        int blockTerms = 0, bitmapTerms = 0;
        if (Prunable && n >= Bm25Scratch.LongMinimumDocuments)
        {
            for (int t = 0; t < terms; t++)
            {
                if ((long)Bm25Scratch.LongFraction * df[t] >= n)
                {
                    blockOfTerm[t] = checked(blockTerms++ * groups);
                    if (denseRow[t] < 0)
                    {
                        bitsOfTerm[t] = checked(bitmapTerms++ * words);
                    }
                }
            }
        }
        var blockMax = new float[checked(blockTerms * groups)];
        var bits = new ulong[checked(bitmapTerms * words)];
        var ranks = new int[bits.Length];
        for (int t = 0; t < terms; t++)
        {
            int block = blockOfTerm[t], word = bitsOfTerm[t];
            if (block < 0)
            {
                continue;
            }
            for (int p = starts[t]; p < starts[t + 1]; p++)
            {
                int d = postingDocs[p];
                ref float max = ref blockMax[block + d / BlockSize];
                max = Math.Max(max, RoundUp(postingScores[p]));
                if (word >= 0)
                {
                    bits[word + (d >> 6)] |= 1UL << (d & 63);
                }
            }
            if (word >= 0)
            {
                for (int w = 1; w < words; w++)
                {
                    ranks[word + w] = ranks[word + w - 1] + System.Numerics.BitOperations.PopCount(bits[word + w - 1]);
                }
            }
        }
        BlockOfTerm = blockOfTerm;
        BlockMax = blockMax;
        BitsOfTerm = bitsOfTerm;
        Bits = bits;
        Ranks = ranks;
        DocumentFrequencies = df;
        PostingStarts = starts;
        PostingDocuments = postingDocs;
        PostingScores = postingScores;
        Idf = idf;
        AbsentScores = absent;
        MaxScores = maxScores;
    }

    public Bm25Scoring Scoring { get; }
    public Bm25TokenizerKind Tokenizer { get; }
    public bool StopWords { get; }
    /// <summary>Whether text queries must drop stop words (see the constructor): the index
    /// removes them and some are in the vocabulary.</summary>
    public bool QueryStopWords { get; }
    public Bm25Vocabulary Vocabulary { get; }
    public Bm25Document[] Documents { get; }
    public int Count => Documents.Length;
    public double AverageLength { get; }
    public long TotalLength { get; }
    public int[] DocumentFrequencies { get; }
    /// <summary>Term t's postings are at [PostingStarts[t], PostingStarts[t + 1]), documents ascending.</summary>
    public int[] PostingStarts { get; }
    public int[] PostingDocuments { get; }
    public double[] PostingScores { get; }
    public double[] Idf { get; }
    /// <summary>Each term's largest posting score: the most one occurrence of the term in a query
    /// can add to a document's total (the bound of <see cref="Bm25Search"/>'s pruning).</summary>
    public double[] MaxScores { get; }
    /// <summary>Every posting score is ≥ 0 and documents without a term score 0 for it
    /// (lucene/okapi with a non-negative idf), so a partial sum is a lower bound of the total and
    /// <see cref="Bm25Search"/> may skip work for documents that cannot reach the top k.</summary>
    public bool Prunable { get; }
    /// <summary>Documents per block of <see cref="BlockMax"/>.</summary>
    public const int BlockSize = 8;
    /// <summary>Where term t's block maxima start in <see cref="BlockMax"/> (ceil(N / BlockSize)
    /// of them: the largest posting score among documents BlockSize·j ..), or -1 (only the long
    /// terms of a prunable index have them).</summary>
    public int[] BlockOfTerm { get; }
    public float[] BlockMax { get; }

    /// <summary>The smallest float ≥ <paramref name="score"/>: block maxima are bounds, kept as
    /// floats to halve what a check reads.</summary>
    private static float RoundUp(double score)
    {
        float f = (float)score;
        return f < score ? MathF.BitIncrement(f) : f;
    }
    /// <summary>Where term t's document bitmap starts in <see cref="Bits"/> (ceil(N / 64) words,
    /// bit d set when d is in the postings), or -1; <see cref="Ranks"/>[that + w] counts the set
    /// bits of the words before w, so document d's posting is at
    /// PostingStarts[t] + Ranks[w] + (set bits of word w below d). Long terms without a dense row.</summary>
    public int[] BitsOfTerm { get; }
    public ulong[] Bits { get; }
    public int[] Ranks { get; }
    /// <summary>Index into <see cref="DenseRows"/> of term t's dense score row, or -1.</summary>
    public int[] DenseRowOfTerm { get; }
    /// <summary>Dense score rows (one score per document) of the most frequent terms.</summary>
    public double[][] DenseRows { get; }

    /// <summary>The message when a filter or a hybrid search meets a non-integer id (the Python
    /// package raises the same ValueError).</summary>
    public const string IntegerIdsNeeded = "filters and hybrid search need int64 document ids in the BM25 index";

    // Parsed once per snapshot (a snapshot never changes), on the first filtered or hybrid query.
    private long[]? _integerIds;
    private bool _integerIdsKnown;

    /// <summary>Each document's id as an int64, by document number, or null when some id is a
    /// string or does not fit (ids are stored as b"i" + decimal digits or b"s" + UTF-8).</summary>
    public long[]? IntegerIds
    {
        get
        {
            if (!Volatile.Read(ref _integerIdsKnown))
            {
                var ids = new long[Documents.Length];
                bool ok = true;
                for (int d = 0; d < ids.Length && ok; d++)
                {
                    ReadOnlySpan<byte> id = Documents[d].Id;
                    ok = id.Length > 1 && id[0] == (byte)'i'
                        && Utf8Parser.TryParse(id[1..], out ids[d], out int used) && used == id.Length - 1;
                }
                _integerIds = ok ? ids : null;
                Volatile.Write(ref _integerIdsKnown, true);
            }
            return _integerIds;
        }
    }

    /// <summary><see cref="IntegerIds"/>, or an ArgumentException with <see cref="IntegerIdsNeeded"/>.</summary>
    public long[] RequireIntegerIds() => IntegerIds ?? throw new ArgumentException(IntegerIdsNeeded);

    /// <summary>Below this many documents no term gets a dense row.</summary>
    public const int DenseMinimumDocuments = 16;
    public double[] AbsentScores { get; }

    /// <summary>Approximate bytes held by this snapshot (arrays, documents, vocabulary).</summary>
    public long MemoryBytes()
    {
        long bytes = Vocabulary.MemoryBytes + 12L * PostingDocuments.Length + 4L * PostingStarts.Length
            + 32L * Idf.Length + 8L * Documents.Length + 8L * DenseRows.Length * Count
            + 8L * BlockOfTerm.Length + 4L * BlockMax.Length + 12L * Bits.Length;
        foreach (Bm25Document doc in Documents)
        {
            bytes += 80 + doc.Id.Length + 8L * doc.Terms.Length;
        }
        return bytes;
    }

    /// <summary>epsilon × mean okapi idf over the terms present, summed per document frequency in
    /// ascending order (count × idf), so the value does not depend on the order terms arrived in.</summary>
    private static double OkapiFloor(Bm25Scoring scoring, int n, int[] df)
    {
        var perFrequency = new int[n + 1];
        int vocabulary = 0;
        foreach (int f in df)
        {
            if (f > 0)
            {
                perFrequency[f]++;
                vocabulary++;
            }
        }
        if (vocabulary == 0)
        {
            return 0.0;
        }
        double total = 0.0;
        for (int f = 1; f <= n; f++)
        {
            if (perFrequency[f] > 0)
            {
                total += perFrequency[f] * scoring.Idf(n, f);
            }
        }
        return scoring.Epsilon * (total / vocabulary);
    }
}
