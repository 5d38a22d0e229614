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

public class WorkersPoolTests
{
    [Fact]
    public void ManyCallsInARowEachRunEveryIndexOnce()
    {
        for (int call = 0; call < 2000; call++)
        {
            int workers = 2 + call % 3;
            var hits = new int[workers];
            Workers.Run(workers, w => Interlocked.Increment(ref hits[w]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void CallsFromSeveralThreadsAtOnceAndNestedCallsAllComplete()
    {
        const int Callers = 4, Items = 10_000;
        var totals = new long[Callers];
        var threads = new Thread[Callers];
        for (int t = 0; t < Callers; t++)
        {
            int caller = t;
            threads[t] = new Thread(() =>
            {
                for (int round = 0; round < 50; round++)
                {
                    long sum = 0;
                    Workers.ForChunks(2, Items, 100, (first, last) =>
                    {
                        // A nested call from inside a body (runs on the calling thread when the
                        // helpers are taken) must neither deadlock nor lose items.
                        long inner = 0;
                        Workers.ForChunks(2, last - first, 7, (a, b) => Interlocked.Add(ref inner, b - a));
                        Assert.Equal(last - first, inner);
                        for (long i = first; i < last; i++)
                        {
                            Interlocked.Add(ref sum, i);
                        }
                    });
                    Assert.Equal((long)Items * (Items - 1) / 2, sum);
                    totals[caller]++;
                }
            });
            threads[t].Start();
        }
        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromMinutes(2)), "a caller hung");
        }
        Assert.All(totals, n => Assert.Equal(50, n));
    }

    [Fact]
    public void AFailureInOneCallDoesNotLeakIntoTheNext()
    {
        Assert.Throws<InvalidOperationException>(() => Workers.Run(2, w => throw new InvalidOperationException("boom")));
        int ran = 0;
        Workers.Run(2, w => Interlocked.Increment(ref ran));
        Assert.Equal(2, ran);
    }
}
