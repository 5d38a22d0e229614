using System;
using System.Collections.Generic;
using System.Text;

using RagKernels.Bm25;
using RagKernels.Filtering;
using RagKernels.Fusion;
using RagKernels.Vectors;

namespace RagKernels.Native.Bench;

/// <summary>Hybrid search workloads, the same inputs as python/ragkernels/bench/cases_hybrid.py:
/// the same generated chunk texts and ids (splitmix64 word picks), random vectors of the same
/// shape.</summary>
internal static class HybridWorkloads
{
    private const int Count = 10_000;
    private const int Dim = 384;
    private const int K = 10;
    private const int FetchK = 50;
    private const int WordsPerChunk = 60;
    private const int Vocabulary = 5000;

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private static void AppendText(StringBuilder text, long i, int words)
    {
        for (int j = 0; j < words; j++)
        {
            double u = (SplitMix((ulong)(i * 1000 + j)) >> 11) * (1.0 / (1UL << 53));
            if (j > 0)
            {
                text.Append(' ');
            }
            text.Append('w').Append((int)(Vocabulary * u * u * u));
        }
    }

    private static float[] Gaussian(int seed, int n)
    {
        var random = new Random(seed);
        var values = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u = 1.0 - random.NextDouble(), v = random.NextDouble();
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }
        return values;
    }

    private static (Bm25Index Bm25, VectorIndex Vectors) Build()
    {
        var text = new StringBuilder();
        var ids = new StringBuilder();
        var starts = new long[Count + 1];
        var idOffsets = new long[Count + 1];
        var keys = new long[Count];
        for (int i = 0; i < Count; i++)
        {
            AppendText(text, i, WordsPerChunk);
            starts[i + 1] = text.Length; // ASCII: characters are bytes
            ids.Append('i').Append(i);
            idOffsets[i + 1] = ids.Length;
            keys[i] = i;
        }
        var bm25 = new Bm25Index(Bm25Scoring.Default(Bm25Method.Lucene), Bm25TokenizerKind.Word, false);
        bm25.Add(Encoding.ASCII.GetBytes(text.ToString()), starts, default, Encoding.ASCII.GetBytes(ids.ToString()), idOffsets, keys);
        var vectors = new VectorIndex(Dim, VectorMetric.Cosine);
        var vectorIds = new long[Count];
        for (int i = 0; i < Count; i++)
        {
            vectorIds[i] = i;
        }
        vectors.Add(Gaussian(16, Count * Dim), vectorIds, default);
        return (bm25, vectors);
    }

    public static void Register(Dictionary<string, Func<Func<double>>> factories)
    {
        foreach ((string name, bool withVector, bool filtered) in new[]
        {
            ("HybridIndex.search", true, false),
            ("HybridIndex.search (filter 10%)", true, true),
            ("HybridIndex.search (BM25 only)", false, false),
        })
        {
            factories[name] = () =>
            {
                var (bm25, vectors) = Build();
                var queryText = new StringBuilder();
                AppendText(queryText, 1_000_000, 6);
                byte[] query = Encoding.ASCII.GetBytes(queryText.ToString());
                float[] vector = Gaussian(17, Dim);
                long[] allowed = new long[Count / 10];
                for (int i = 0; i < allowed.Length; i++)
                {
                    allowed[i] = 10L * i;
                }
                var search = new HybridSearch();
                var ids = new long[K];
                var scores = new double[K];
                var bm25Ranks = new int[K];
                var vectorRanks = new int[K];
                return () => search.Search(bm25, new Bm25Search.Query(query, default), withVector ? vectors : null,
                    withVector ? vector : default, FetchK, 1.0, 1.0, 60.0,
                    filtered ? new AllowedIds(allowed) : AllowedIds.All, ids, scores, bm25Ranks, vectorRanks);
            };
        }
    }
}
