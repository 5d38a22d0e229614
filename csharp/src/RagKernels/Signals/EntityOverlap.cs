using System;

namespace RagKernels.Signals;

/// <summary>
/// entity_overlap: Jaccard overlap of the sets of capitalised phrases (EntityMatcher) of two
/// UTF-8 texts; 1.0 when neither has one. Semantics: shared/spec/signals.md.
/// </summary>
public static unsafe class EntityOverlap
{
    public static double Compute(ReadOnlySpan<byte> textA, ReadOnlySpan<byte> textB) => Compute(textA, textB, 0, 0);

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, where
    /// <paramref name="slackA"/> / <paramref name="slackB"/> bytes after each text may be read
    /// (a batch's texts lie back to back; see EntityMatcher.Scan).</summary>
    public static double Compute(ReadOnlySpan<byte> textA, ReadOnlySpan<byte> textB, int slackA, int slackB) =>
        Compute(textA, textB, slackA, slackB, 0);

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte}, int, int)"/>, within
    /// batch call <paramref name="batchCall"/> (BatchCall.Next; 0 for none): when the
    /// previous pair on this thread had this same first text, its entities are reused.</summary>
    public static double Compute(ReadOnlySpan<byte> textA, ReadOnlySpan<byte> textB, int slackA, int slackB, long batchCall)
    {
        SignalScratch scratch = SignalScratch.Current;
        fixed (byte* a = textA, b = textB)
        {
            if (!scratch.HasClaim(textA, batchCall, SignalScratch.EntityOverlapClaim))
            {
                scratch.A.Reset(SignalScratch.MaxWords(textA.Length));
                var inA = new AddToSet(scratch.A);
                EntityMatcher.Scan(a, a + textA.Length, ref inA, slackA);
                scratch.KeepClaim(textA, batchCall, SignalScratch.EntityOverlapClaim, scratch.A.Count);
            }
            scratch.B.Reset(SignalScratch.MaxWords(textB.Length));
            var inB = new CountCommon(scratch.B, scratch.A);
            EntityMatcher.Scan(b, b + textB.Length, ref inB, slackB);
            int union = scratch.A.Count + scratch.B.Count - inB.Common;
            // Exact integer counts: the division rounds once, as Python's int / int.
            return union == 0 ? 1.0 : (double)inB.Common / union;
        }
    }
}
