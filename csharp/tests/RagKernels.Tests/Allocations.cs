using System;
using System.Collections.Generic;
using Xunit;

namespace RagKernels.Tests;

/// <summary>
/// The steady-state "allocates nothing" check the kernel tests share.
/// </summary>
/// <remarks>
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> now and then charges the test thread with
/// bytes the code under test did not allocate: the runtime's own one-time work (tiering, on-stack
/// replacement, lazily built type data) can land inside the window, which is why the runtime's
/// own tests of this API are lenient (dotnet/runtime#63487, #13502). One of our CI runs saw 2,456
/// bytes charged to 20 calls of <c>VectorIndex.Search</c>, whose path has no allocation at all.
/// So the window is measured up to <see cref="Rounds"/> times and the first clean round passes:
/// code that allocates on every call (or every few calls) dirties every round and still fails,
/// with each round's byte count in the message.
/// </remarks>
internal static class Allocations
{
    private const int Rounds = 5;

    /// <summary>
    /// Asserts that <paramref name="calls"/> repetitions of <paramref name="call"/> allocate
    /// nothing in at least one of <see cref="Rounds"/> rounds. The caller warms up first (grown
    /// scratch, filled caches); the delegate is made before the window opens, so calling it
    /// allocates nothing of its own.
    /// </summary>
    public static void AssertSteadyStateAllocatesNothing(Action call, int calls)
    {
        var seen = new List<long>(Rounds);
        for (int round = 0; round < Rounds; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++)
            {
                call();
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0)
            {
                return;
            }
            seen.Add(allocated);
        }
        Assert.Fail($"{calls} calls allocated in every one of {Rounds} rounds; bytes per round: {string.Join(", ", seen)}");
    }
}
