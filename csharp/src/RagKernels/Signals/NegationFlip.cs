using System;

namespace RagKernels.Signals;

/// <summary>
/// negation_flip: claim and source share at least three distinct non-negation words
/// (wtokens) and exactly one of them contains a negation word. Semantics: shared/spec/signals.md.
/// </summary>
public static unsafe class NegationFlip
{
    public static bool Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source) => Compute(claim, source, 0, 0);

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, where
    /// <paramref name="claimSlack"/> / <paramref name="sourceSlack"/> bytes after each text may
    /// be read (a batch's texts lie back to back; see NegationSearch.Find).</summary>
    public static bool Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source, int claimSlack, int sourceSlack)
    {
        // Equal negation on both sides decides the answer before any copy or set is made.
        if (HasNegation(claim, claimSlack) == HasNegation(source, sourceSlack))
        {
            return false;
        }
        SignalScratch scratch = SignalScratch.Current;
        byte* c = scratch.LowerA(claim, out byte* cEnd, out bool cAscii);
        byte* s = scratch.LowerB(source, out byte* sEnd, out bool sAscii);
        scratch.B.Reset(SignalScratch.MaxWords(sEnd - s));
        var sourceWords = new AddAll(scratch.B);
        WordScanner.Scan(s, sEnd, sEnd + SignalScratch.Slack, sAscii, ref sourceWords);
        scratch.A.Reset(SignalScratch.MaxWords(cEnd - c));
        var overlap = new CountShared(scratch.A, scratch.B);
        WordScanner.Scan(c, cEnd, cEnd + SignalScratch.Slack, cAscii, ref overlap);
        return overlap.Shared >= 3;
    }

    /// <summary>Whether the text's wtokens include a negation word: NegationSearch on ASCII
    /// text, else a word-by-word scan of the lower-cased text.</summary>
    private static bool HasNegation(ReadOnlySpan<byte> text, int slack)
    {
        int found = NegationSearch.Find(text, slack);
        if (found != NegationSearch.NotAscii)
        {
            return found == 1;
        }
        // LowerA's buffer is free here: Compute lowers both texts again after both searches.
        byte* lower = SignalScratch.Current.LowerA(text, out byte* end, out bool ascii);
        var negation = new FindNegation();
        WordScanner.Scan(lower, end, end + SignalScratch.Slack, ascii, ref negation);
        return negation.Found;
    }

    private struct FindNegation : IWordVisitor
    {
        public bool Found;

        public readonly bool WantsKind => true;

        public readonly bool WantsLongKey => false;

        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            Found = kind == WordLists.Negation;
            return !Found;
        }
    }

    // Negation words may stay in the source's set: the claim side never looks them up.
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

    private struct CountShared(ByteSpanSet claim, ByteSpanSet source) : IWordVisitor
    {
        public int Shared;

        public readonly bool WantsKind => true;

        public readonly bool WantsLongKey => true;

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
