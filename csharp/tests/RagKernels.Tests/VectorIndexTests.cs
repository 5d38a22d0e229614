using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using RagKernels.Hashing;
using RagKernels.Vectors;
using Xunit;

namespace RagKernels.Tests;

public class VectorIndexTests
{
    private static float[] Random(int seed, int count)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return values;
    }

    // A plain scalar reference in float64, independent of TensorPrimitives.
    private static double Reference(VectorMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> q)
    {
        double dot = 0, xx = 0, qq = 0, dd = 0;
        for (int i = 0; i < x.Length; i++)
        {
            dot += (double)x[i] * q[i];
            xx += (double)x[i] * x[i];
            qq += (double)q[i] * q[i];
            dd += ((double)x[i] - q[i]) * ((double)x[i] - q[i]);
        }
        return metric switch
        {
            VectorMetric.Dot => dot,
            VectorMetric.Cosine => dot / Math.Sqrt(xx) / Math.Sqrt(qq),
            _ => -Math.Sqrt(dd),
        };
    }

    [Theory]
    [InlineData(VectorMetric.Dot)]
    [InlineData(VectorMetric.Cosine)]
    [InlineData(VectorMetric.L2)]
    public void EveryDimensionHitsTheReference(VectorMetric metric)
    {
        // Dimensions 1..70 cover every SIMD tail length for 128-, 256- and 512-bit vectors.
        for (int dim = 1; dim <= 70; dim++)
        {
            const int n = 40;
            float[] data = Random(dim, n * dim);
            float[] query = Random(1000 + dim, dim);
            var index = new VectorIndex(dim, metric);
            index.Add(data, default, default);
            var ids = new long[n];
            var scores = new float[n];
            Assert.Equal(n, index.Search(query, ids, scores));
            for (int i = 0; i < n; i++)
            {
                double expected = Reference(metric, data.AsSpan((int)ids[i] * dim, dim), query);
                Assert.True(Math.Abs(scores[i] - expected) <= 1e-5 * Math.Max(1, dim / 4.0), $"dim {dim}: {scores[i]} vs {expected}");
                if (i > 0)
                {
                    Assert.True(scores[i - 1] >= scores[i]);
                }
            }
            Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), ids.OrderBy(i => i));
        }
    }

    [Fact]
    public void EqualScoresKeepInsertionOrder()
    {
        var index = new VectorIndex(1, VectorMetric.Dot);
        index.Add([1f, 2f, 1f, 2f, 1f], [50, 40, 30, 20, 10], default);
        var ids = new long[5];
        var scores = new float[5];
        index.Search([1f], ids, scores);
        Assert.Equal([40L, 20, 50, 30, 10], ids);
        var three = new long[3];
        index.Search([1f], three, scores);
        Assert.Equal([40L, 20, 50], three);
    }

    [Fact]
    public void SearchAllocatesNothing()
    {
        var index = new VectorIndex(384, VectorMetric.Cosine);
        index.Add(Random(1, 200 * 384), default, default);
        float[] query = Random(2, 384);
        var ids = new long[10];
        var scores = new float[10];
        index.Search(query, ids, scores); // warm up
        Allocations.AssertSteadyStateAllocatesNothing(() => index.Search(query, ids, scores), calls: 20);
    }

    [Theory]
    [InlineData(VectorMetric.L2, 9, 500)]
    [InlineData(VectorMetric.Cosine, 150, 700)] // several query groups and row blocks
    [InlineData(VectorMetric.Dot, 3, 2)] // fewer rows than k: padding
    public void SearchManyEqualsSearchOnAnyThreadCount(VectorMetric metric, int queryCount, int rows)
    {
        const int dim = 33, k = 5;
        var index = new VectorIndex(dim, metric);
        index.Add(Random(3, rows * dim), default, default);
        float[] queries = Random(4, queryCount * dim);
        foreach (int threads in new[] { 0, 1, 2, 4 })
        {
            var ids = new long[queryCount * k];
            var scores = new float[queryCount * k];
            index.SearchMany(queries, k, ids, scores, threads);
            for (int q = 0; q < queryCount; q++)
            {
                var one = new long[k];
                var oneScores = new float[k];
                int found = index.Search(queries.AsSpan(q * dim, dim), one, oneScores);
                one.AsSpan(found).Fill(-1);
                oneScores.AsSpan(found).Fill(float.NaN);
                Assert.Equal(one, ids.AsSpan(q * k, k).ToArray());
                Assert.Equal(oneScores, scores.AsSpan(q * k, k).ToArray());
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void SearchManyStopsWhenCancelledAndIsUnchangedOtherwise(int threads)
    {
        const int dim = 16, k = 3, queryCount = 130, rows = 5000;
        var index = new VectorIndex(dim, VectorMetric.Cosine);
        index.Add(Random(5, rows * dim), default, default);
        float[] queries = Random(6, queryCount * dim);
        var expectedIds = new long[queryCount * k];
        var expectedScores = new float[queryCount * k];
        index.SearchMany(queries, k, expectedIds, expectedScores, threads);

        // Never cancelled: the same results, and the flag is asked once per block per group.
        int asked = 0;
        var ids = new long[queryCount * k];
        var scores = new float[queryCount * k];
        index.SearchMany(queries, k, ids, scores, threads, () => { Interlocked.Increment(ref asked); return false; });
        Assert.Equal(expectedIds, ids);
        Assert.Equal(expectedScores, scores);
        int blockRows = 64 * 1024 / (dim * sizeof(float));
        int blocks = (rows + blockRows - 1) / blockRows;
        Assert.True(asked >= blocks * 3, $"asked {asked} times"); // at least 3 groups of 64 queries

        // Cancelled after the 3rd question: every thread stops at its next block.
        asked = 0;
        Assert.Throws<OperationCanceledException>(() =>
            index.SearchMany(queries, k, ids, scores, threads, () => Interlocked.Increment(ref asked) > 3));
        int workers = threads == 1 ? 1 : Math.Min(threads == 0 ? Environment.ProcessorCount : threads, Environment.ProcessorCount);
        Assert.True(asked <= 3 + workers, $"asked {asked} times after cancelling");

        // The index is unchanged and usable.
        Array.Clear(ids);
        index.SearchMany(queries, k, ids, scores, threads);
        Assert.Equal(expectedIds, ids);
        Assert.Equal(expectedScores, scores);
    }

    [Fact]
    public void BadInputsAreRefusedBeforeAnythingChanges()
    {
        var index = new VectorIndex(2, VectorMetric.Cosine);
        index.Add([1f, 1f], [7], default);
        Assert.Equal("vectors[1] contains NaN or infinity",
            Assert.Throws<ArgumentException>(() => index.Add([1f, 0f, float.NaN, 0f], default, default)).Message);
        Assert.Equal("vectors[0] has zero norm; cosine similarity needs a non-zero vector",
            Assert.Throws<ArgumentException>(() => index.Add([0f, 0f], default, default)).Message);
        Assert.Equal("id 7 is already in the index",
            Assert.Throws<ArgumentException>(() => index.Add([1f, 0f], [7], default)).Message);
        Assert.Equal("id 3 appears twice in ids",
            Assert.Throws<ArgumentException>(() => index.Add([1f, 0f, 0f, 1f], [3, 3], default)).Message);
        Assert.Equal("id 9 is not in the index",
            Assert.Throws<KeyNotFoundException>(() => index.Remove([7, 9])).Message);
        Assert.Equal(1, index.Count);
        Assert.Throws<ArgumentException>(() => index.Search([1f], new long[1], new float[1]));
    }

    [Fact]
    public void RemoveKeepsOrderAndIdsAreNotReused()
    {
        var index = new VectorIndex(1, VectorMetric.Dot);
        index.Add([1f, 1f, 1f, 1f], default, default);
        index.Remove([1, 2]);
        var assigned = new long[1];
        index.Add([1f], default, assigned);
        Assert.Equal(4, assigned[0]);
        var ids = new long[3];
        index.Search([1f], ids, new float[3]);
        Assert.Equal([0L, 3, 4], ids);
    }

    [Fact]
    public void FilesRoundTripAndCorruptionIsNamed()
    {
        var index = new VectorIndex(3, VectorMetric.Cosine);
        index.Add(Random(5, 30), default, default);
        string path = Path.Combine(Path.GetTempPath(), $"rk-vector-{Guid.NewGuid():N}.idx");
        try
        {
            VectorIndexFile.Save(index, path);
            VectorIndex loaded = VectorIndexFile.Load(path);
            Assert.Equal(10, loaded.Count);
            Assert.Equal(10, loaded.NextId);
            var a = new long[4];
            var b = new long[4];
            index.Search([1f, 2f, 3f], a, new float[4]);
            loaded.Search([1f, 2f, 3f], b, new float[4]);
            Assert.Equal(a, b);

            byte[] bytes = File.ReadAllBytes(path);
            byte[] flipped = (byte[])bytes.Clone();
            flipped[60] ^= 1;
            Assert.Equal("corrupt vector index file: data checksum mismatch",
                Assert.Throws<InvalidDataException>(() => VectorIndexFile.Read(flipped)).Message);
            Assert.StartsWith("truncated vector index file",
                Assert.Throws<InvalidDataException>(() => VectorIndexFile.Read(bytes.AsSpan(0, 100))).Message);
            Assert.Equal("not a ragkernels vector index file (wrong magic bytes)",
                Assert.Throws<InvalidDataException>(() => VectorIndexFile.Read("PK\u0003\u0004 zip file"u8)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Crc32MatchesZlib()
    {
        // zlib.crc32(b"123456789") == 0xCBF43926, the standard check value.
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
    }
}
