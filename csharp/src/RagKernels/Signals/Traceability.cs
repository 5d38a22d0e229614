using System;

namespace RagKernels.Signals;

/// <summary>
/// traceability: the share of the claim's distinct content words (wtokens minus stop and
/// negation words) that appear among the source's words; 1.0 when the claim has none.
/// Semantics: shared/spec/signals.md.
/// </summary>
public static unsafe class Traceability
{
    public static double Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source)
    {
        SignalScratch scratch = SignalScratch.Current;
        // The source's content words first; its stop and negation words can be left out since the
        // claim side has none left to match them.
        byte* s = scratch.LowerB(source, out byte* sEnd);
        scratch.B.Reset(SignalScratch.MaxWords(sEnd - s));
        var sourceWords = new AddContent(scratch.B);
        WordScanner.Scan(s, sEnd, sEnd + SignalScratch.Slack, ref sourceWords);

        byte* c = scratch.LowerA(claim, out byte* cEnd);
        scratch.A.Reset(SignalScratch.MaxWords(cEnd - c));
        var claimWords = new CountTraced(scratch.A, scratch.B);
        WordScanner.Scan(c, cEnd, cEnd + SignalScratch.Slack, ref claimWords);
        // Distinct and traced counts are exact integers: the division rounds once, as Python's.
        return claimWords.Distinct == 0 ? 1.0 : (double)claimWords.Traced / claimWords.Distinct;
    }

    private readonly struct AddContent(ByteSpanSet set) : IWordVisitor
    {
        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            if (kind == WordLists.None)
            {
                set.Add(word, length, key);
            }
            return true;
        }
    }

    private struct CountTraced(ByteSpanSet claim, ByteSpanSet source) : IWordVisitor
    {
        public int Distinct;
        public int Traced;

        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            if (kind == WordLists.None && claim.Add(word, length, key))
            {
                Distinct++;
                if (source.Contains(word, length, key))
                {
                    Traced++;
                }
            }
            return true;
        }
    }
}
