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
        // The source's words first. Its stop and negation words may stay in the set: the claim
        // side has none left to match them, so the word-list lookup is saved on this side.
        byte* s = scratch.LowerB(source, out byte* sEnd, out bool sAscii);
        scratch.B.Reset(SignalScratch.MaxWords(sEnd - s));
        var sourceWords = new AddAll(scratch.B);
        WordScanner.Scan(s, sEnd, sEnd + SignalScratch.Slack, sAscii, ref sourceWords);

        byte* c = scratch.LowerA(claim, out byte* cEnd, out bool cAscii);
        scratch.A.Reset(SignalScratch.MaxWords(cEnd - c));
        var claimWords = new CountTraced(scratch.A, scratch.B);
        WordScanner.Scan(c, cEnd, cEnd + SignalScratch.Slack, cAscii, ref claimWords);
        // Distinct and traced counts are exact integers: the division rounds once, as Python's.
        return claimWords.Distinct == 0 ? 1.0 : (double)claimWords.Traced / claimWords.Distinct;
    }

    private readonly struct AddAll(ByteSpanSet set) : IWordVisitor
    {
        public bool WantsKind => false;

        public bool WantsLongKey => true;

        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            set.Add(word, length, key);
            return true;
        }
    }

    private struct CountTraced(ByteSpanSet claim, ByteSpanSet source) : IWordVisitor
    {
        public int Distinct;
        public int Traced;

        public readonly bool WantsKind => true;

        public readonly bool WantsLongKey => true;

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
