using System;
using System.Linq;
using System.Text;

using RagKernels.Bm25;
using RagKernels.Filtering;
using RagKernels.Fusion;
using RagKernels.Vectors;

using Xunit;

namespace RagKernels.Tests;

public class HybridSearchTests
{
    // The golden corpus of tests/test_hybrid.py: BM25 order for "alpha" is 5, 3, 9 (more
    // occurrences in equally long chunks); dot products with (1, 0) order the vectors 9, 7, 5, 3.
    private static readonly long[] ChunkIds = [5, 3, 9, 7];
    private static readonly string[] Texts = ["alpha alpha alpha x", "alpha alpha x x", "alpha x x x", "x x x x"];

    private static (Bm25Index Bm25, VectorIndex Vectors) Build()
    {
        var bm25 = new Bm25Index(Bm25Scoring.Default(Bm25Method.Lucene), Bm25TokenizerKind.Word, false);
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Texts));
        var starts = new long[Texts.Length + 1];
        var idOffsets = new long[Texts.Length + 1];
        var ids = new StringBuilder();
        for (int i = 0; i < Texts.Length; i++)
        {
            starts[i + 1] = starts[i] + Texts[i].Length;
            ids.Append('i').Append(ChunkIds[i]);
            idOffsets[i + 1] = ids.Length;
        }
        bm25.Add(text, starts, default, Encoding.ASCII.GetBytes(ids.ToString()), idOffsets, [0, 1, 2, 3]);
        var vectors = new VectorIndex(2, VectorMetric.Dot);
        vectors.Add([1, 0, 0, 1, 3, 0, 2, 0], ChunkIds, default);
        return (bm25, vectors);
    }

    private static int Search(HybridSearch search, Bm25Index bm25, VectorIndex? vectors, int fetchK, AllowedIds allowed,
        long[] ids, double[] scores, int[] bm25Ranks, int[] vectorRanks) =>
        search.Search(bm25, new Bm25Search.Query("alpha"u8, default), vectors, vectors is null ? default : [1f, 0f],
            fetchK, 1.0, 1.0, 60.0, allowed, ids, scores, bm25Ranks, vectorRanks);

    [Fact]
    public void GoldenFusionWithRanks()
    {
        var (bm25, vectors) = Build();
        var ids = new long[10];
        var scores = new double[10];
        var bm25Ranks = new int[10];
        var vectorRanks = new int[10];
        int n = Search(new HybridSearch(), bm25, vectors, 50, AllowedIds.All, ids, scores, bm25Ranks, vectorRanks);
        Assert.Equal(4, n);
        Assert.Equal([5L, 9, 3, 7], ids[..n]);
        Assert.Equal([1.0 / 61 + 1.0 / 63, 1.0 / 63 + 1.0 / 61, 1.0 / 62 + 1.0 / 64, 1.0 / 62], scores[..n]);
        Assert.Equal([1, 3, 2, 0], bm25Ranks[..n]);
        Assert.Equal([3, 1, 4, 2], vectorRanks[..n]);
    }

    [Fact]
    public void FilterActsBeforeTopK()
    {
        var (bm25, vectors) = Build();
        var ids = new long[10];
        var scores = new double[10];
        var bm25Ranks = new int[10];
        var vectorRanks = new int[10];
        long[] allowed = [3, 7];
        int n = Search(new HybridSearch(), bm25, vectors, 1, new AllowedIds(allowed), ids, scores, bm25Ranks, vectorRanks);
        // fetch_k 1: BM25's best allowed chunk is 3, the vectors' best allowed is 7.
        Assert.Equal([3L, 7], ids[..n]);
        Assert.Equal([1, 0], bm25Ranks[..n]);
        Assert.Equal([0, 1], vectorRanks[..n]);
    }

    [Fact]
    public void SteadyStateSearchAllocatesNothing()
    {
        var (bm25, vectors) = Build();
        var search = new HybridSearch();
        var ids = new long[10];
        var scores = new double[10];
        var bm25Ranks = new int[10];
        var vectorRanks = new int[10];
        long[] allowed = [3, 5, 7, 9];
        Search(search, bm25, vectors, 50, new AllowedIds(allowed), ids, scores, bm25Ranks, vectorRanks); // warm up
        Search(search, bm25, vectors, 50, AllowedIds.All, ids, scores, bm25Ranks, vectorRanks);
        Allocations.AssertSteadyStateAllocatesNothing(() =>
        {
            Search(search, bm25, vectors, 50, AllowedIds.All, ids, scores, bm25Ranks, vectorRanks);
            Search(search, bm25, vectors, 50, new AllowedIds(allowed), ids, scores, bm25Ranks, vectorRanks);
        }, calls: 20);
    }

    [Fact]
    public void AllowedIdsMustBeSorted()
    {
        Assert.Throws<ArgumentException>(() => AllowedIds.Validate([1, 3, 3]));
        AllowedIds.Validate([-4, 0, 9]);
        Assert.True(AllowedIds.All.Contains(42));
        Assert.False(new AllowedIds([]).Contains(42));
        Assert.Equal(new[] { 1L, 3 }, new long[] { 0, 1, 2, 3 }.Where(id => new AllowedIds([1, 3]).Contains(id)));
    }
}
