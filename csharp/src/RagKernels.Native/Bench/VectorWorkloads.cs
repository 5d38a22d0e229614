using System;
using System.Collections.Generic;
using RagKernels.Fusion;
using RagKernels.Vectors;

namespace RagKernels.Native.Bench;

/// <summary>Vector search and fusion workloads, the same shapes as python/ragkernels/bench/cases_vector.py.</summary>
internal static class VectorWorkloads
{
    private const int Count = 10_000;
    private const int Dim = 384;
    private const int K = 10;
    private const int Batch = 64;

    private static float[] Gaussian(int seed, int n)
    {
        var random = new Random(seed);
        var values = new float[n];
        for (int i = 0; i < n; i++)
        {
            // Box-Muller: the same distribution as the Python rows' standard_normal.
            double u = 1.0 - random.NextDouble(), v = random.NextDouble();
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }
        return values;
    }

    private static VectorIndex BuildIndex()
    {
        var index = new VectorIndex(Dim, VectorMetric.Cosine);
        index.Add(Gaussian(6, Count * Dim), default, default);
        return index;
    }

    public static void Register(Dictionary<string, Func<Func<double>>> factories)
    {
        factories["VectorIndex.search"] = static () =>
        {
            VectorIndex index = BuildIndex();
            float[] query = Gaussian(7, Dim);
            var ids = new long[K];
            var scores = new float[K];
            return () => index.Search(query, ids, scores);
        };
        foreach (int threads in new[] { 1, 2 })
        {
            string name = threads == 1 ? "VectorIndex.search_many (1 thread)" : $"VectorIndex.search_many ({threads} threads)";
            factories[name] = () =>
            {
                VectorIndex index = BuildIndex();
                float[] queries = Gaussian(7, Batch * Dim);
                var ids = new long[Batch * K];
                var scores = new float[Batch * K];
                return () =>
                {
                    index.SearchMany(queries, K, ids, scores, threads);
                    return ids[0];
                };
            };
        }
        foreach (int limit in new[] { 150, 10 })
        {
            factories[limit == 150 ? "rrf" : "rrf (limit 10)"] = () =>
            {
                var random = new Random(8);
                var ids = new long[200];
                for (int i = 0; i < 100; i++)
                {
                    ids[i] = i;
                    ids[100 + i] = 50 + i;
                }
                random.Shuffle(ids.AsSpan(0, 100));
                random.Shuffle(ids.AsSpan(100, 100));
                long[] offsets = [0, 100, 200];
                var fusion = new ReciprocalRankFusion();
                var outIds = new long[limit];
                var outScores = new double[limit];
                return () => fusion.Fuse(ids, offsets, default, 60, outIds, outScores);
            };
        }
    }
}
