using System;
using RagKernels.Fusion;
using Xunit;

namespace RagKernels.Tests;

public class ReciprocalRankFusionTests
{
    [Fact]
    public void GoldenTwoRankings()
    {
        // Ranking 0: 1 2 3; ranking 1: 2 3 4 (k = 60), worked out by hand.
        var fusion = new ReciprocalRankFusion();
        var ids = new long[4];
        var scores = new double[4];
        int n = fusion.Fuse([1, 2, 3, 2, 3, 4], [0, 3, 6], default, 60, ids, scores);
        Assert.Equal(4, n);
        Assert.Equal([2L, 3, 1, 4], ids);
        Assert.Equal([1.0 / 62 + 1.0 / 61, 1.0 / 63 + 1.0 / 62, 1.0 / 61, 1.0 / 63], scores);
    }

    [Fact]
    public void TiesKeepFirstAppearanceAndWeightsApply()
    {
        var fusion = new ReciprocalRankFusion();
        var ids = new long[2];
        var scores = new double[2];
        fusion.Fuse([8, 9, 9, 8], [0, 2, 4], default, 60, ids, scores);
        Assert.Equal([8L, 9], ids);
        fusion.Fuse([8, 9, 9, 8], [0, 2, 4], [1.0, 2.0], 60, ids, scores);
        Assert.Equal([9L, 8], ids);
        Assert.Equal(1.0 / 62 + 2.0 / 61, scores[0]);
    }

    [Fact]
    public void DuplicatesAndBadArgumentsAreRefused()
    {
        var fusion = new ReciprocalRankFusion();
        Assert.Equal("rrf: rankings[1] lists the same id at ranks 1 and 3",
            Assert.Throws<ArgumentException>(() => fusion.Fuse([1, 5, 6, 5], [0, 1, 4], default, 60, new long[4], new double[4])).Message);
        Assert.Throws<ArgumentException>(() => fusion.Fuse([1], [0, 1], default, double.NaN, new long[1], new double[1]));
        Assert.Throws<ArgumentException>(() => fusion.Fuse([1], [0, 1], [-1.0], 60, new long[1], new double[1]));
        Assert.Throws<ArgumentException>(() => fusion.Fuse([1], [0, 2], default, 60, new long[1], new double[1]));
        // The workspace is still usable after a failed call.
        var ids = new long[1];
        Assert.Equal(1, fusion.Fuse([5], [0, 1], default, 60, ids, new double[1]));
        Assert.Equal(5, ids[0]);
    }

    [Fact]
    public void FusionAllocatesNothingOnceWarm()
    {
        var fusion = new ReciprocalRankFusion();
        var all = new long[200];
        for (int i = 0; i < 100; i++)
        {
            all[i] = i * 7;
            all[100 + i] = (199 - i) * 3;
        }
        long[] offsets = [0, 100, 200];
        var ids = new long[10];
        var scores = new double[10];
        fusion.Fuse(all, offsets, default, 60, ids, scores);
        Allocations.AssertSteadyStateAllocatesNothing(() => fusion.Fuse(all, offsets, default, 60, ids, scores), calls: 50);
    }

    [Fact]
    public void ManyGenerationsStayCorrect()
    {
        var fusion = new ReciprocalRankFusion();
        var ids = new long[3];
        var scores = new double[3];
        for (int round = 0; round < 2000; round++)
        {
            Assert.Equal(3, fusion.Fuse([round, round + 1, round + 2, round + 2], [0, 3, 4], default, 60, ids, scores));
            Assert.Equal([(long)round + 2, round, round + 1], ids);
        }
    }
}
