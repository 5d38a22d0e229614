using System;

namespace RagKernels.Signals;

/// <summary>
/// numerical_consistency: whether two UTF-8 texts share a number string (NumberMatcher), or
/// unknown when either has none. Semantics: shared/spec/signals.md.
/// </summary>
public static unsafe class NumericalConsistency
{
    /// <summary>1 = True (a shared number), 0 = False, -1 = None (a text without numbers).</summary>
    public static int Compute(ReadOnlySpan<byte> textA, ReadOnlySpan<byte> textB) => Compute(textA, textB, false);

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>;
    /// <paramref name="ascii"/>: both texts are known to be ASCII (a batch checks its bytes
    /// once), so the scans skip their own check.</summary>
    public static int Compute(ReadOnlySpan<byte> textA, ReadOnlySpan<byte> textB, bool ascii) => Compute(textA, textB, ascii, false);

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool)"/> for a
    /// batch's claim and source; <paramref name="reuse"/> says which of them the previous Compute
    /// on this thread had too, whose numbers are then reused (the answer does not mind the order).</summary>
    public static int Compute(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source, bool ascii, PairReuse reuse)
    {
        SignalScratch scratch = SignalScratch.Current;
        return scratch.SymmetricOrder(reuse, out bool reuseA)
            ? Compute(scratch, source, claim, ascii, reuseA)
            : Compute(scratch, claim, source, ascii, reuseA);
    }

    /// <summary>As <see cref="Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool)"/>;
    /// <paramref name="sameA"/>: the previous Compute on this thread had a first text with these
    /// same bytes, still readable where it was (the set points into it); its numbers are then still
    /// in the scratch and are reused.</summary>
    public static int Compute(ReadOnlySpan<byte> textA, ReadOnlySpan<byte> textB, bool ascii, bool sameA) =>
        Compute(SignalScratch.Current, textA, textB, ascii, sameA);

    private static int Compute(SignalScratch scratch, ReadOnlySpan<byte> textA, ReadOnlySpan<byte> textB, bool ascii, bool sameA)
    {
        fixed (byte* a = textA, b = textB)
        {
            if (!sameA)
            {
                scratch.A.Reset(SignalScratch.MaxWords(textA.Length));
                var inA = new AddToSet(scratch.A);
                NumberMatcher.Scan(a, a + textA.Length, ref inA, ascii);
            }
            if (scratch.A.Count == 0)
            {
                return -1;
            }
            var inB = new FindShared(scratch.A);
            NumberMatcher.Scan(b, b + textB.Length, ref inB, ascii);
            return !inB.Any ? -1 : inB.Shared ? 1 : 0;
        }
    }

    private unsafe struct FindShared(ByteSpanSet a) : IMatchVisitor
    {
        public bool Any;
        public bool Shared;

        public bool Visit(byte* match, int length, ulong key)
        {
            Any = true;
            Shared = a.Contains(match, length, key);
            return !Shared;
        }
    }
}
