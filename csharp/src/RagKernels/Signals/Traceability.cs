using System;

namespace RagKernels.Signals;

/// <summary>
/// traceability: the share of the claim's distinct content words (wtokens minus stop and
/// negation words) that appear among the source's words; 1.0 when the claim has none.
/// Semantics: shared/spec/signals.md.
/// </summary>
/// <remarks>
/// Only the claim's content words go into a set; the source's words are looked up in it and
/// marked when found, so the source (usually the longer text) costs a probe per word and no
/// insert, and the scan stops once every claim word is traced.
/// </remarks>
public static unsafe class Traceability
{
    public static double Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source) => Compute(claim, source, false);

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>;
    /// <paramref name="sameClaim"/>: the previous Compute on this thread had a claim with these
    /// same bytes, whose set of content words is then still in the scratch and is reused.</summary>
    public static double Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source, bool sameClaim)
    {
        SignalScratch scratch = SignalScratch.Current;
        ByteSpanSet content = scratch.A;
        int distinct;
        if (sameClaim)
        {
            distinct = scratch.ClaimCount;
            content.ClearMarks();
        }
        else
        {
            byte* c = scratch.LowerA(claim, out byte* cEnd, out bool cAscii);
            content.Reset(SignalScratch.MaxWords(cEnd - c));
            var claimWords = new AddContent(content);
            WordScanner.Scan(c, cEnd, cEnd + SignalScratch.Slack, cAscii, ref claimWords);
            distinct = scratch.ClaimCount = content.Count;
        }
        if (distinct == 0)
        {
            return 1.0;
        }
        byte* s = scratch.LowerB(source, out byte* sEnd, out bool sAscii);
        var sourceWords = new CountTraced(content, distinct);
        WordScanner.Scan(s, sEnd, sEnd + SignalScratch.Slack, sAscii, ref sourceWords);
        // Exact integer counts: the division rounds once, as Python's int / int.
        return (double)sourceWords.Traced / distinct;
    }

    private readonly struct AddContent(ByteSpanSet set) : IWordVisitor
    {
        public bool WantsKind => true;

        public bool WantsLongKey => true;

        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            if (kind == WordLists.None)
            {
                set.Add(word, length, key);
            }
            return true;
        }
    }

    // Stop and negation words of the source need no lookup: the set has none of them.
    private struct CountTraced(ByteSpanSet claim, int distinct) : IWordVisitor
    {
        public int Traced;

        public readonly bool WantsKind => false;

        public readonly bool WantsLongKey => true;

        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            if (claim.Mark(word, length, key))
            {
                Traced++;
            }
            return Traced < distinct;
        }
    }
}
