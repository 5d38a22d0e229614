using System.Threading;

namespace RagKernels.Signals;

/// <summary>
/// Ids of batch calls. A batch's pairs may pass one claim many times over (a guard scores each
/// claim against several sources); the pairwise signals then build the claim's side once per
/// thread and reuse it for the following pairs of the same call (SignalScratch.HasClaim). The id
/// tells calls apart: between two calls the same address may hold other text.
/// </summary>
public static class BatchCall
{
    private static long s_last;

    /// <summary>A new id (never 0, which stands for "not a batch").</summary>
    public static long Next() => Interlocked.Increment(ref s_last);
}
