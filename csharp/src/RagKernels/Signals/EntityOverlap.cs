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
        Compute(textA, textB, slackA, slackB, false);

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte}, int, int)"/> for a
    /// batch's claim and source; <paramref name="reuse"/> says which of them the previous Compute
    /// on this thread had too, whose entities are then reused (Jaccard does not mind the order).</summary>
    public static double Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source, int claimSlack, int sourceSlack, PairReuse reuse)
    {
        SignalScratch scratch = SignalScratch.Current;
        return scratch.SymmetricOrder(reuse, out bool reuseA)
            ? Compute(scratch, source, claim, sourceSlack, claimSlack, reuseA)
            : Compute(scratch, claim, source, claimSlack, sourceSlack, reuseA);
    }

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte}, int, int)"/>;
    /// <paramref name="sameA"/>: the previous Compute on this thread had a first text with these
    /// same bytes, still readable where it was (the set points into it); its entities are then still
    /// in the scratch and are reused.</summary>
    public static double Compute(ReadOnlySpan<byte> textA, ReadOnlySpan<byte> textB, int slackA, int slackB, bool sameA) =>
        Compute(SignalScratch.Current, textA, textB, slackA, slackB, sameA);

    private static double Compute(SignalScratch scratch, ReadOnlySpan<byte> textA, ReadOnlySpan<byte> textB, int slackA, int slackB, bool sameA)
    {
        fixed (byte* a = textA, b = textB)
        {
            if (!sameA)
            {
                scratch.A.Reset(SignalScratch.MaxWords(textA.Length));
                var inA = new AddToSet(scratch.A);
                EntityMatcher.Scan(a, a + textA.Length, ref inA, slackA);
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
