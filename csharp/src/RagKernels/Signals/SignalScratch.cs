using System;
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
        int written = PyLower.Lower(text, buffer, out ascii);
        // The array is pinned (allocated on the pinned object heap), so its address is stable.
        byte* start = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref buffer[0]);
        end = start + written;
        return start;
    }

    /// <summary>An upper bound on the words (or entities, numbers) of a text of this many bytes.</summary>
    public static int MaxWords(long bytes) => (int)Math.Min(int.MaxValue / 4, bytes / 2 + 1);
}
