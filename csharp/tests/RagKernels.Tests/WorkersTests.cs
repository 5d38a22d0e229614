using System;
using System.Threading;
using RagKernels.Threading;
using Xunit;

namespace RagKernels.Tests;

public class WorkersTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 10)]
    [InlineData(3, 7)]
    [InlineData(4, 4)]
    public void RangesCoverEveryItemOnceAcrossWorkers(int workers, long items)
    {
        var hits = new int[items];
        Workers.Run(workers, w =>
        {
            (long first, long last) = Workers.Range(items, w, workers);
            for (long i = first; i < last; i++)
            {
                Interlocked.Increment(ref hits[i]);
            }
        });
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void CountNeverExceedsItemsOrProcessorsAndIsAtLeastOne()
    {
        Assert.Equal(1, Workers.Count(0, 0));
        Assert.Equal(1, Workers.Count(8, 1));
        Assert.True(Workers.Count(0, 1000) <= Environment.ProcessorCount);
        Assert.Equal(1, Workers.Count(1, 1000));
    }

    [Fact]
    public void AWorkersExceptionReachesTheCallerAfterAllFinish()
    {
        int finished = 0;
        var error = Assert.Throws<InvalidOperationException>(() => Workers.Run(3, w =>
        {
            if (w == 2)
            {
                throw new InvalidOperationException("worker 2 failed");
            }
            Thread.Sleep(20);
            Interlocked.Increment(ref finished);
        }));
        Assert.Equal("worker 2 failed", error.Message);
        Assert.Equal(2, finished);
    }
}
