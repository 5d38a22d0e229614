using System;

namespace RagKernels.Signals;

/// <summary>
/// negation_flip: claim and source share at least three distinct non-negation words
/// (wtokens) and exactly one of them contains a negation word. Semantics: shared/spec/signals.md.
/// </summary>
public static unsafe class NegationFlip
{
    public static bool Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source)
    {
        SignalScratch scratch = SignalScratch.Current;
        byte* c = scratch.LowerA(claim, out byte* cEnd);
        byte* s = scratch.LowerB(source, out byte* sEnd);
        // Equal negation on both sides decides the answer before any set is built.
        var claimNegation = new FindNegation();
        WordScanner.Scan(c, cEnd, cEnd + SignalScratch.Slack, ref claimNegation);
        var sourceNegation = new FindNegation();
        WordScanner.Scan(s, sEnd, sEnd + SignalScratch.Slack, ref sourceNegation);
        if (claimNegation.Found == sourceNegation.Found)
        {
            return false;
        }
        scratch.B.Reset(SignalScratch.MaxWords(sEnd - s));
        var sourceWords = new AddNonNegation(scratch.B);
        WordScanner.Scan(s, sEnd, sEnd + SignalScratch.Slack, ref sourceWords);
        scratch.A.Reset(SignalScratch.MaxWords(cEnd - c));
        var overlap = new CountShared(scratch.A, scratch.B);
        WordScanner.Scan(c, cEnd, cEnd + SignalScratch.Slack, ref overlap);
        return overlap.Shared >= 3;
    }

    private struct FindNegation : IWordVisitor
    {
        public bool Found;

        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            Found = kind == WordLists.Negation;
            return !Found;
        }
    }

    private readonly struct AddNonNegation(ByteSpanSet set) : IWordVisitor
    {
        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            if (kind != WordLists.Negation)
            {
                set.Add(word, length, key);
            }
            return true;
        }
    }

    private struct CountShared(ByteSpanSet claim, ByteSpanSet source) : IWordVisitor
    {
        public int Shared;

        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            if (kind != WordLists.Negation && claim.Add(word, length, key) && source.Contains(word, length, key))
            {
                Shared++;
            }
            return Shared < 3;
        }
    }
}
