using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace RagKernels.Text;

/// <summary>Python's <c>str.lower()</c> from UTF-8 to UTF-8, without building strings.</summary>
/// <remarks>
/// Python applies full Unicode lower-casing: the simple mapping of each code point, except
/// U+0130 (İ → i + U+0307 COMBINING DOT ABOVE) and U+03A3 (Σ → ς when it ends a word, σ
/// otherwise, judged over the whole string with case-ignorable code points skipped). .NET's
/// invariant lower-casing maps neither of the two that way, so both are handled here.
/// </remarks>
public static class PyLower
{
    /// <summary>Enough destination bytes for any source of <paramref name="sourceLength"/> bytes:
    /// lower-casing at most grows a 2-byte code point into 3 bytes (İ, Ⱥ, Ⱦ).</summary>
    public static int MaxLength(int sourceLength) => sourceLength + (sourceLength >> 1) + 4;

    /// <summary>
    /// Writes Python's lower() of <paramref name="source"/> into <paramref name="destination"/>
    /// (at least <see cref="MaxLength"/> bytes) and returns the bytes written.
    /// </summary>
    public static int Lower(ReadOnlySpan<byte> source, Span<byte> destination) =>
        // All ASCII (the usual case): one vectorised pass that lowers and checks at once. The
        // runtime reports non-ASCII input as InvalidData; such text is redone (LowerFrom takes
        // its ASCII runs 16 bytes at a time).
        Ascii.ToLower(source, destination, out int written) == System.Buffers.OperationStatus.Done
            ? written
            : LowerFrom(source, destination, 0);

    /// <summary>
    /// Lower() of <paramref name="source"/> when its first <paramref name="start"/> bytes are ASCII
    /// and already lowered into <paramref name="destination"/>; returns the bytes written. May
    /// write scratch bytes past the returned length (within the destination).
    /// </summary>
    public static int LowerFrom(ReadOnlySpan<byte> source, Span<byte> destination, int start)
    {
        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        int i = start;
        int w = start;
        while (i < source.Length)
        {
            byte b = source[i];
            if (b < 0x80)
            {
                // Text that is not all ASCII is mostly ASCII with a curly quote or a dash here
                // and there: lower 16 bytes at once and keep those up to the next non-ASCII one
                // (the rest are written over by what follows).
                if (Vector128.IsHardwareAccelerated && source.Length - i >= 16 && destination.Length - w >= 16)
                {
                    Vector128<byte> v = Vector128.LoadUnsafe(ref from, (nuint)i);
                    LowerAsciiLanes(v).StoreUnsafe(ref to, (nuint)w);
                    uint nonAscii = v.ExtractMostSignificantBits();
                    int run = nonAscii == 0 ? 16 : BitOperations.TrailingZeroCount(nonAscii);
                    i += run;
                    w += run;
                    continue;
                }
                destination[w++] = (byte)((uint)(b - 'A') < 26u ? b + 32 : b);
                i++;
                continue;
            }
            int cp = Utf8Text.Decode(source, i, out int length);
            if (cp == 0x130)
            {
                destination[w++] = (byte)'i';
                destination[w++] = 0xCC; // U+0307
                destination[w++] = 0x87;
            }
            else
            {
                int lower = cp == 0x3A3 ? (IsFinalSigma(source, i, length) ? 0x3C2 : 0x3C3) : PyUnicode.ToLowerSimple(cp);
                w += new Rune(lower).EncodeToUtf8(destination.Slice(w));
            }
            i += length;
        }
        return w;
    }

    /// <summary>Each ASCII capital of <paramref name="v"/> made small; every other byte kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> LowerAsciiLanes(Vector128<byte> v) =>
        v + (Vector128.LessThan(v - Vector128.Create((byte)'A'), Vector128.Create((byte)26)) & Vector128.Create((byte)0x20));

    /// <summary>
    /// Python's Final_Sigma context for the Σ at <paramref name="index"/>: a cased code point
    /// before it and none after it, skipping case-ignorable code points both ways.
    /// </summary>
    private static bool IsFinalSigma(ReadOnlySpan<byte> source, int index, int length)
    {
        int j = index;
        bool foundBefore = false;
        int cp = 0;
        while (j > 0)
        {
            cp = Utf8Text.DecodeBefore(source, j, out int start);
            if (!PyUnicode.IsCaseIgnorable(cp))
            {
                foundBefore = true;
                break;
            }
            j = start;
        }
        if (!foundBefore || !PyUnicode.IsCased(cp))
        {
            return false;
        }
        j = index + length;
        while (j < source.Length)
        {
            cp = Utf8Text.Decode(source, j, out int next);
            if (!PyUnicode.IsCaseIgnorable(cp))
            {
                return !PyUnicode.IsCased(cp);
            }
            j += next;
        }
        return true;
    }
}
