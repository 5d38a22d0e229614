using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using RagKernels.Text;

namespace RagKernels.Signals;

/// <summary>
/// Per-thread working memory of the pairwise signals: lower-cased copies of both texts (pinned,
/// so the sets can hold pointers into them) and two sets. Grown on demand and kept, so calls in
/// the steady state allocate nothing; batch workers each get their own.
/// </summary>
internal sealed unsafe class SignalScratch
{
    /// <summary>Bytes readable past the end of a lowered text: ByteSpanSet.Key reads 8 at once,
    /// WordScanner's ASCII path 64.</summary>
    public const int Slack = 64;

    [ThreadStatic]
    private static SignalScratch? t_current;

    public static SignalScratch Current => t_current ??= new SignalScratch();

    private byte[] _lowerA = GC.AllocateUninitializedArray<byte>(1024, pinned: true);
    private byte[] _lowerB = GC.AllocateUninitializedArray<byte>(1024, pinned: true);
    public readonly ByteSpanSet A = new();
    public readonly ByteSpanSet B = new();

    /// <summary>What a signal counted of the claim in set A (traceability: its distinct content
    /// words), for a next pair with the same claim (see TextArguments.IPairKernel).</summary>
    public int ClaimCount;

    /// <summary>Set A holds the last pair's source, not its claim (SymmetricOrder).</summary>
    private bool _setAHoldsSource;

    /// <summary>For a signal whose value does not change when its two texts swap places
    /// (entity_overlap, numerical_consistency), and which puts its first text's items into set A:
    /// true when the source should go first, as when it is the text this pair shares with the
    /// last one or the next; <paramref name="reuseA"/>: set A already holds that text.</summary>
    public bool SymmetricOrder(PairReuse reuse, out bool reuseA)
    {
        bool sourceFirst;
        if ((reuse & PairReuse.SameClaim) != 0 && !_setAHoldsSource)
        {
            (reuseA, sourceFirst) = (true, false);
        }
        else if ((reuse & PairReuse.SameSource) != 0 && _setAHoldsSource)
        {
            (reuseA, sourceFirst) = (true, true);
        }
        else
        {
            (reuseA, sourceFirst) = (false, (reuse & PairReuse.SourceRepeats) != 0);
        }
        _setAHoldsSource = sourceFirst;
        return sourceFirst;
    }

    /// <summary>Whether the last source negation_flip ran on has a negation word.</summary>
    public bool SourceNegated;

    /// <summary>Set B holds every word (wtokens) of the last source lowered into the second
    /// buffer (AddSourceWords). Read only with PairReuse.SameSource, that is when the call just
    /// before on this thread was the same signal's; every traceability and negation_flip call
    /// sets or clears it (other signals use B without a word about it).</summary>
    public bool SourceWordsReady;

    /// <summary>Lowers <paramref name="source"/> into the second buffer and puts all its words,
    /// stop and negation words too, into set B.</summary>
    public void AddSourceWords(ReadOnlySpan<byte> source)
    {
        byte* s = LowerB(source, out byte* end, out bool ascii);
        B.Reset(MaxWords(end - s));
        var words = new AddAllWords(B);
        WordScanner.Scan(s, end, end + Slack, ascii, ref words);
        SourceWordsReady = true;
    }

    private readonly struct AddAllWords(ByteSpanSet set) : IWordVisitor
    {
        public bool WantsKind => false;

        public bool WantsLongKey => true;

        public bool Visit(byte* word, int length, ulong key, byte kind)
        {
            set.Add(word, length, key);
            return true;
        }
    }

    /// <summary>Python's lower() of <paramref name="text"/> into the first buffer; returns its start
    /// and sets <paramref name="end"/> (valid until the next call on this thread) and whether the
    /// text is all ASCII.</summary>
    public byte* LowerA(ReadOnlySpan<byte> text, out byte* end, out bool ascii) => Lower(text, ref _lowerA, out end, out ascii);

    /// <summary>As <see cref="LowerA"/>, into the second buffer.</summary>
    public byte* LowerB(ReadOnlySpan<byte> text, out byte* end, out bool ascii) => Lower(text, ref _lowerB, out end, out ascii);

    private static byte* Lower(ReadOnlySpan<byte> text, ref byte[] buffer, out byte* end, out bool ascii)
    {
        int needed = PyLower.MaxLength(text.Length) + Slack;
        if (buffer.Length < needed)
        {
            buffer = GC.AllocateUninitializedArray<byte>(Math.Max(needed, buffer.Length * 2), pinned: true);
        }
        // The array is pinned (allocated on the pinned object heap), so its address is stable.
        byte* start = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref buffer[0]);
        int prefix = LowerAscii(text, start);
        ascii = prefix == text.Length;
        end = start + (ascii ? prefix : PyLower.LowerFrom(text, buffer, prefix));
        return start;
    }

    /// <summary>Lower-cases ASCII <paramref name="text"/> into <paramref name="destination"/>, 16
    /// bytes at a time, up to its first non-ASCII block; returns how many bytes from the start are
    /// ASCII and lowered (the text's length when all are).</summary>
    /// <remarks>Ascii.ToLower does the same, but its general entry (overlap and size checks, a
    /// status) cost a few ns per call more than the pass itself on sentence-sized texts.</remarks>
    private static int LowerAscii(ReadOnlySpan<byte> text, byte* destination)
    {
        int n = text.Length;
        if (n < 16 || !Vector128.IsHardwareAccelerated)
        {
            return System.Text.Ascii.ToLower(text, new Span<byte>(destination, n + Slack), out _) == System.Buffers.OperationStatus.Done ? n : 0;
        }
        fixed (byte* source = text)
        {
            int i = 0;
            for (; i <= n - 16; i += 16)
            {
                if (!LowerBlock(source + i, destination + i))
                {
                    return i; // PyLower goes on from this block
                }
            }
            // The last 16 bytes, overlapping the ones already done (same result for them).
            return i == n || LowerBlock(source + n - 16, destination + n - 16) ? n : i;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool LowerBlock(byte* source, byte* destination)
    {
        var v = Vector128.Load(source);
        PyLower.LowerAsciiLanes(v).Store(destination);
        return v.ExtractMostSignificantBits() == 0;
    }

    /// <summary>An upper bound on the words (or entities, numbers) of a text of this many bytes.</summary>
    public static int MaxWords(long bytes) => (int)Math.Min(int.MaxValue / 4, bytes / 2 + 1);
}
