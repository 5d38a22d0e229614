using System;

namespace RagKernels.Signals;

/// <summary>
/// negation_flip: claim and source share at least three distinct non-negation words
/// (wtokens) and exactly one of them contains a negation word. Semantics: shared/spec/signals.md.
/// </summary>
public static unsafe class NegationFlip
{
    public static bool Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source) => Compute(claim, source, 0, 0, PairReuse.None);

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, where
    /// <paramref name="claimSlack"/> / <paramref name="sourceSlack"/> bytes after each text may
    /// be read (a batch's texts lie back to back; see NegationSearch.Find);
    /// <paramref name="reuse"/>: with SameSource, the previous Compute on this thread had a source
    /// with these same bytes, whose negation and set of words (when made) are reused.</summary>
    public static bool Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source, int claimSlack, int sourceSlack, PairReuse reuse)
    {
        SignalScratch scratch = SignalScratch.Current;
        bool sameSource = (reuse & PairReuse.SameSource) != 0;
        bool sourceNegated = scratch.SourceNegated = sameSource ? scratch.SourceNegated : HasNegation(source, sourceSlack);
        if (!sameSource)
        {
            scratch.SourceWordsReady = false; // set B, if made, holds another source
        }
        // Equal negation on both sides decides the answer before any copy or set is made.
        if (HasNegation(claim, claimSlack) == sourceNegated)
        {
            return false;
        }
        if (!scratch.SourceWordsReady)
        {
            scratch.AddSourceWords(source);
        }
        byte* c = scratch.LowerA(claim, out byte* cEnd, out bool cAscii);
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
        // LowerA's buffer is free here: Compute lowers the claim again after both searches.
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
