using System;
using System.Threading;

namespace RagKernels.Threading;

/// <summary>
/// Runs one call's work on several cores and returns only when all of it is done. The library
/// deliberately avoids the .NET thread pool (Parallel.For, tasks): inside a NativeAOT library
/// loaded by Python, the pool's workers retire and start on their own schedule and were seen to
/// crash the host process at exit (SIGSEGV). Instead a few threads of our own (one per extra
/// processor, background, started once) stay parked on a semaphore between calls: starting a
/// thread per call cost tens of microseconds plus sched_yield spinning in Thread.Start, and the
/// new thread's per-thread scratch had to be allocated again every time.
/// </summary>
/// <remarks>
/// Work is split into indices that whichever thread is free claims (the caller included, and it
/// starts at once without waiting for anyone to wake up). The caller then closes the job and
/// waits only for helpers that actually joined it, so a helper that never wakes (a busy machine,
/// or a child of fork() where the parked threads no longer exist) can delay nothing: the caller
/// simply does that share itself. A second call arriving while the helpers are busy (another
/// Python thread, or a nested call from inside a body) runs on its own thread only.
/// </remarks>
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
    /// <paramref name="chunk"/> that up to <paramref name="workers"/> threads take in turn
    /// (dynamic scheduling: items of unequal cost still keep every core busy).
    /// <paramref name="body"/> receives [first, last) and may run on any of the threads.</summary>
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

    /// <summary>Calls <paramref name="body"/>(worker) once for each worker = 0 .. workers-1, on the
    /// calling thread and the parked helper threads (whichever is free; two indices may run one
    /// after the other on the same thread), and returns when all have finished. The first
    /// exception thrown by any worker is rethrown after all have finished.</summary>
    public static void Run(int workers, Action<int> body)
    {
        if (workers <= 1)
        {
            body(0);
            return;
        }
        var job = new Job(body, workers);
        Pool pool = Pool.Instance;
        if (Interlocked.CompareExchange(ref pool.Current, job, null) is null)
        {
            pool.Wake(workers - 1);
            job.Work();
            if (!job.Close())
            {
                job.Done.Wait();
            }
            Volatile.Write(ref pool.Current, null);
        }
        else
        {
            job.Work();
        }
        if (job.Failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(job.Failure).Throw();
        }
    }

    /// <summary>One call's work: indices claimed one at a time, and the helpers inside it.</summary>
    private sealed class Job(Action<int> body, int workers)
    {
        private const int Closed = int.MinValue;
        private int _next;
        // Helpers inside the job; Closed is added once the caller has finished its own part, after
        // which nobody may join and the last helper out sets Done.
        private int _active;
        public Exception? Failure;
        public readonly ManualResetEventSlim Done = new(false);

        public void Work()
        {
            int index;
            while ((index = Interlocked.Increment(ref _next) - 1) < workers)
            {
                try
                {
                    body(index);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Failure, e, null);
                }
            }
        }

        /// <summary>A helper enters; false when the job is already closed.</summary>
        public bool TryJoin()
        {
            int seen;
            do
            {
                seen = Volatile.Read(ref _active);
                if (seen < 0)
                {
                    return false;
                }
            }
            while (Interlocked.CompareExchange(ref _active, seen + 1, seen) != seen);
            return true;
        }

        public void Leave()
        {
            if (Interlocked.Decrement(ref _active) == Closed)
            {
                Done.Set();
            }
        }

        /// <summary>The caller closes the job; true when no helper is still inside.</summary>
        public bool Close() => Interlocked.Add(ref _active, Closed) == Closed;
    }

    /// <summary>The parked helper threads, started on first use and never stopped (background
    /// threads: they do not keep the process alive, and exit() ends them while they wait).</summary>
    private sealed class Pool
    {
        public static readonly Pool Instance = new();

        public Job? Current;
        private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
        private readonly int _helpers = Math.Max(1, Environment.ProcessorCount - 1);

        private Pool()
        {
            for (int i = 0; i < _helpers; i++)
            {
                new Thread(Loop) { IsBackground = true, Name = "ragkernels worker" }.Start();
            }
        }

        /// <summary>Wakes up to <paramref name="wanted"/> helpers (counting wake-ups not yet taken,
        /// so helpers that never wake cannot make the count grow without bound).</summary>
        public void Wake(int wanted)
        {
            int extra = Math.Min(wanted, _helpers) - _wake.CurrentCount;
            if (extra > 0)
            {
                _wake.Release(extra);
            }
        }

        private void Loop()
        {
            while (true)
            {
                _wake.Wait();
                Job? job = Volatile.Read(ref Current);
                if (job is not null && job.TryJoin())
                {
                    job.Work();
                    job.Leave();
                }
            }
        }
    }
}
