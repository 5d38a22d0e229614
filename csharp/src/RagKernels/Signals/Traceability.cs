using System;

namespace RagKernels.Signals;

/// <summary>
/// traceability: the share of the claim's distinct content words (wtokens minus stop and
/// negation words) that appear among the source's words; 1.0 when the claim has none.
/// Semantics: shared/spec/signals.md.
/// </summary>
/// <remarks>
/// Usually only the claim's content words go into a set; the source's words are looked up in it
/// and marked when found, so the source (usually the longer text) costs a probe per word and no
/// insert, and the scan stops once every claim word is traced. When several claims in a row meet
/// one source (PairReuse), the source's words go into a set once instead, and each claim costs
/// a probe per content word.
/// <para>Where the time goes, measured on the 10,000 rotated reference pairs of
/// traceability_batch (one thread, 3.7-3.8 ms): with the sets taken out the same scan costs 2.9 ms,
/// so splitting, keying and classifying the words is three quarters of it and the sets one
/// quarter. Two ways to drop the sets' mispredicted branches gained nothing: a probe of the
/// source's word with no branch on found-or-not (4.1 ms), and a per-thread dictionary from word
/// to a small integer (stop words all mapping to one) with per-pair stamps in place of the sets
/// (3.75 ms).</para>
/// </remarks>
public static unsafe class Traceability
{
    public static double Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source) => Compute(claim, source, PairReuse.None);

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>;
    /// <paramref name="reuse"/>: what the previous Compute on this thread shared with this one
    /// (a claim or source with these same bytes, whose sets are then still in the scratch and
    /// are reused), and whether the next has the same source.</summary>
    public static double Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source, PairReuse reuse)
    {
        SignalScratch scratch = SignalScratch.Current;
        ByteSpanSet content = scratch.A;
        if ((reuse & PairReuse.SameClaim) == 0 && (reuse & (PairReuse.SameSource | PairReuse.SourceRepeats)) != 0)
        {
            return AgainstSourceWords(scratch, claim, source, (reuse & PairReuse.SameSource) != 0);
        }
        scratch.SourceWordsReady = false; // set B is not made here, and the lowered source is overwritten
        int distinct;
        if ((reuse & PairReuse.SameClaim) != 0)
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

    /// <summary>The claim's distinct content words looked up in the set of the source's words,
    /// made now unless <paramref name="sameSource"/> and already there. The claim's set is made as
    /// in Compute, so a next pair with the same claim can reuse it.</summary>
    private static double AgainstSourceWords(SignalScratch scratch, ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source, bool sameSource)
    {
        if (!sameSource || !scratch.SourceWordsReady)
        {
            scratch.AddSourceWords(source);
        }
        byte* c = scratch.LowerA(claim, out byte* cEnd, out bool cAscii);
        scratch.A.Reset(SignalScratch.MaxWords(cEnd - c));
        var claimWords = new AddContentTraced(scratch.A, scratch.B);
        WordScanner.Scan(c, cEnd, cEnd + SignalScratch.Slack, cAscii, ref claimWords);
        int distinct = scratch.ClaimCount = scratch.A.Count;
        // Exact integer counts: the division rounds once, as Python's int / int.
        return distinct == 0 ? 1.0 : (double)claimWords.Traced / distinct;
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

    private struct AddContentTraced(ByteSpanSet claim, ByteSpanSet source) : IWordVisitor
    {
        public int Traced;

        public readonly bool WantsKind => true;

        public readonly bool WantsLongKey => true;

        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            if (kind == WordLists.None && claim.Add(word, length, key) && source.Contains(word, length, key))
            {
                Traced++;
            }
            return true;
        }
    }
}
