using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RagKernels.Fusion;

namespace RagKernels.Native.Exports;

/// <summary>Reciprocal rank fusion (RagKernels.Fusion.ReciprocalRankFusion).</summary>
internal static unsafe class FusionExports
{
    // One workspace per thread: after it has grown to the largest input seen, a fusion
    // allocates nothing. A C# HybridIndex owns its own ReciprocalRankFusion instead.
    [ThreadStatic]
    private static ReciprocalRankFusion? t_fusion;

    /// <summary>
    /// <c>int32_t rk_rrf_fuse(const int64_t* ids, const int64_t* offsets, int64_t ranking_count,
    /// const double* weights, double k, int64_t* out_ids, double* out_scores, int64_t capacity,
    /// int64_t* count)</c>: fuses ranking j = <c>ids[offsets[j] .. offsets[j+1])</c> (best first;
    /// offsets has ranking_count + 1 entries, from 0 to the total) with score Σ w_j / (k + rank),
    /// ranks from 1; <c>weights</c> has ranking_count finite entries ≥ 0, or is NULL for all 1.
    /// Writes the best min(capacity, distinct ids) into out_ids/out_scores, best first, equal
    /// scores in order of first appearance; <c>*count</c> = how many. All buffers are borrowed.
    /// Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT (bad offsets, weights or k; an id
    /// twice in one ranking).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_rrf_fuse", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkRrfFuse(long* ids, long* offsets, long rankingCount, double* weights, double k,
        long* outIds, double* outScores, long capacity, long* count)
    {
        try
        {
            if (offsets == null || count == null)
            {
                return LastError.NullPointer(offsets == null ? "offsets" : "count");
            }
            if (rankingCount < 0 || rankingCount >= int.MaxValue)
            {
                return LastError.InvalidArgument($"ranking_count must be between 0 and {int.MaxValue - 1}, got {rankingCount}");
            }
            if (capacity < 0 || capacity > int.MaxValue)
            {
                return LastError.InvalidArgument($"capacity must be between 0 and {int.MaxValue}, got {capacity}");
            }
            if (capacity > 0 && (outIds == null || outScores == null))
            {
                return LastError.NullPointer(outIds == null ? "out_ids" : "out_scores");
            }
            long total = offsets[rankingCount];
            if (total < 0 || total > int.MaxValue)
            {
                return LastError.InvalidArgument($"offsets[ranking_count] must be between 0 and {int.MaxValue}, got {total}");
            }
            if (ids == null && total > 0)
            {
                return LastError.NullPointer("ids");
            }
            t_fusion ??= new ReciprocalRankFusion();
            *count = t_fusion.Fuse(new ReadOnlySpan<long>(ids, (int)total),
                new ReadOnlySpan<long>(offsets, (int)rankingCount + 1),
                weights == null ? default : new ReadOnlySpan<double>(weights, (int)rankingCount),
                k, new Span<long>(outIds, (int)capacity), new Span<double>(outScores, (int)capacity));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }
}
