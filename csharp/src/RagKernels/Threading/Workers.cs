using System;
using System.Threading;

namespace RagKernels.Threading;

/// <summary>
/// Runs one call's work on several cores with explicit threads that are joined before the call
/// returns. The library deliberately avoids the .NET thread pool (Parallel.For, tasks): inside a
/// NativeAOT library loaded by Python, idle pool workers outlive the call and were seen to crash
/// the host process at exit (SIGSEGV), and pool threads do not exist in a child after fork() while
/// the pool believes they do. Threads made per call cost tens of microseconds, which only calls
/// doing milliseconds of work pay.
/// </summary>
public static class Workers
{
    /// <summary>How many workers to use for <paramref name="items"/> independent items:
    /// <paramref name="requested"/> (0 = one per processor), never more than the processors or
    /// the items, never fewer than 1.</summary>
    public static int Count(int requested, long items)
    {
        int processors = Math.Max(1, Environment.ProcessorCount);
        int wanted = requested <= 0 ? processors : Math.Min(requested, processors);
        return (int)Math.Max(1, Math.Min(wanted, items));
    }

    /// <summary>The half-open range [first, last) of <paramref name="items"/> that worker
    /// <paramref name="worker"/> of <paramref name="workers"/> takes (contiguous, balanced).</summary>
    public static (long First, long Last) Range(long items, int worker, int workers) =>
        (items * worker / workers, items * (worker + 1) / workers);

    /// <summary>Processes items 0 .. <paramref name="count"/>-1 in chunks of
    /// <paramref name="chunk"/> that <paramref name="workers"/> threads take in turn (dynamic
    /// scheduling: items of unequal cost still keep every core busy). <paramref name="body"/>
    /// receives [first, last) and may run on any of the threads.</summary>
    public static void ForChunks(int workers, long count, long chunk, Action<long, long> body)
    {
        chunk = Math.Max(1, chunk);
        long next = 0;
        Run(workers, _ =>
        {
            long first;
            while ((first = Interlocked.Add(ref next, chunk) - chunk) < count)
            {
                body(first, Math.Min(count, first + chunk));
            }
        });
    }

    /// <summary>Calls <paramref name="body"/>(worker) for worker = 0 .. workers-1, worker 0 on the
    /// calling thread and the others on new threads, and returns when all have finished. The
    /// first exception thrown by any worker is rethrown after all have finished.</summary>
    public static void Run(int workers, Action<int> body)
    {
        if (workers <= 1)
        {
            body(0);
            return;
        }
        var helpers = new Thread[workers - 1];
        Exception? failure = null;
        int started = 0;
        try
        {
            for (int w = 1; w < workers; w++)
            {
                int worker = w;
                helpers[w - 1] = new Thread(() =>
                {
                    try
                    {
                        body(worker);
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref failure, e, null);
                    }
                })
                { IsBackground = true, Name = "ragkernels worker" };
                helpers[w - 1].Start();
                started++;
            }
            body(0);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref failure, e, null);
        }
        finally
        {
            for (int i = 0; i < started; i++)
            {
                helpers[i].Join();
            }
        }
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }
}
