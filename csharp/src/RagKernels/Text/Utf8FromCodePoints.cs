using System;
using System.Buffers;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;

namespace RagKernels.Text;

/// <summary>
/// UTF-8 from text held as one fixed-width number per code point: the three forms a Python str
/// keeps its characters in (PEP 393): Latin-1 (8 bits, code points up to U+00FF), UCS-2
/// (16 bits, up to U+FFFF) and UCS-4 (32 bits). The result equals Python's
/// <c>str.encode("utf-8")</c>, and fails where that raises: on a surrogate code point
/// (U+D800–U+DFFF; in UCS-2 two of them in a row are still two code points, not a pair) and, in
/// UCS-4, above U+10FFFF.
/// </summary>
/// <remarks>Why here: a batch of Python str can then cross the C ABI as the str objects' own
/// storage, and each worker converts its texts in parallel, instead of the caller encoding every
/// non-ASCII text first on one thread while it holds the GIL.</remarks>
public static unsafe class Utf8FromCodePoints
{
    /// <summary>The most UTF-8 bytes <paramref name="count"/> code points of
    /// <paramref name="width"/> bytes each (1, 2 or 4) can take.</summary>
    public static long MaxBytes(long count, int width) => count * (width == 1 ? 2 : width == 2 ? 3 : 4);

    /// <summary>Writes the UTF-8 of the <paramref name="count"/> code points at
    /// <paramref name="data"/> (each <paramref name="width"/> bytes: 1, 2 or 4) to
    /// <paramref name="destination"/>, which has room for <see cref="MaxBytes"/>; returns the bytes
    /// written, or -1 when a code point has no UTF-8 form (nothing meaningful is then written).</summary>
    public static int Convert(void* data, int count, int width, byte* destination) => width switch
    {
        1 => FromLatin1((byte*)data, count, destination),
        2 => FromUcs2((char*)data, count, destination),
        4 => FromUcs4((uint*)data, count, destination),
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, "a code point is 1, 2 or 4 bytes wide"),
    };

    // By hand: .NET converts Latin-1 to UTF-16 or UTF-8 to UTF-16, but not Latin-1 to UTF-8 in
    // one step. Runs of ASCII (most of any text) are copied 16 bytes at a time.
    private static int FromLatin1(byte* source, int count, byte* destination)
    {
        byte* p = destination;
        int i = 0;
        while (i < count)
        {
            if (Vector128.IsHardwareAccelerated && count - i >= 16)
            {
                Vector128<byte> block = Vector128.Load(source + i);
                if (block.ExtractMostSignificantBits() == 0)
                {
                    block.Store(p);
                    p += 16;
                    i += 16;
                    continue;
                }
            }
            byte c = source[i++];
            if (c < 0x80)
            {
                *p++ = c;
            }
            else
            {
                *p++ = (byte)(0xC0 | (c >> 6));
                *p++ = (byte)(0x80 | (c & 0x3F));
            }
        }
        return (int)(p - destination);
    }

    // UCS-2 without surrogates is UTF-16 without surrogates, which .NET's vectorised converter
    // takes; the surrogate test comes first because that converter would join a high and a low
    // surrogate into one code point, where Python refuses both.
    private static int FromUcs2(char* source, int count, byte* destination)
    {
        if (HasSurrogate((ushort*)source, count))
        {
            return -1;
        }
        var text = new ReadOnlySpan<char>(source, count);
        var output = new Span<byte>(destination, (int)MaxBytes(count, 2));
        OperationStatus status = Utf8.FromUtf16(text, output, out _, out int written, replaceInvalidSequences: false);
        return status == OperationStatus.Done ? written : -1;
    }

    // By hand: span.IndexOfAnyInRange('\uD800', '\uDFFF') does the same, but allocated 96 bytes
    // per call (measured on .NET 10), and the batches must allocate nothing per text.
    private static bool HasSurrogate(ushort* units, int count)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<ushort> first = Vector128.Create((ushort)0xD800), span = Vector128.Create((ushort)0x800);
            for (; i + 8 <= count; i += 8)
            {
                if (Vector128.LessThan(Vector128.Load(units + i) - first, span) != Vector128<ushort>.Zero)
                {
                    return true;
                }
            }
        }
        for (; i < count; i++)
        {
            if ((uint)(units[i] - 0xD800) < 0x800)
            {
                return true;
            }
        }
        return false;
    }

    // Python keeps a str as UCS-4 only when it holds a code point above U+FFFF: rare, so one
    // code point at a time (Rune refuses surrogates and anything above U+10FFFF).
    private static int FromUcs4(uint* source, int count, byte* destination)
    {
        var output = new Span<byte>(destination, (int)MaxBytes(count, 4));
        int written = 0;
        for (int i = 0; i < count; i++)
        {
            if (!Rune.TryCreate(source[i], out Rune rune))
            {
                return -1;
            }
            written += rune.EncodeToUtf8(output[written..]);
        }
        return written;
    }
}
