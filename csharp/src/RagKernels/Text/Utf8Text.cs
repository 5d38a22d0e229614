using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace RagKernels.Text;

/// <summary>Small helpers for scanning UTF-8 bytes without decoding to strings.</summary>
/// <remarks>Decoding uses <see cref="Rune.DecodeFromUtf8"/>; invalid sequences read as
/// U+FFFD (the exports reject invalid UTF-8 before a kernel sees it).</remarks>
public static class Utf8Text
{
    /// <summary>True when <paramref name="text"/> is well-formed UTF-8 (ASCII checked first,
    /// both vectorised by the runtime).</summary>
    public static bool IsValid(ReadOnlySpan<byte> text) =>
        System.Text.Ascii.IsValid(text) || System.Text.Unicode.Utf8.IsValid(text);

    /// <summary>The code point starting at <paramref name="index"/> and its length in bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Decode(ReadOnlySpan<byte> text, int index, out int length)
    {
        byte b = text[index];
        if (b < 0x80)
        {
            length = 1;
            return b;
        }
        Rune.DecodeFromUtf8(text.Slice(index), out Rune rune, out length);
        return rune.Value;
    }

    /// <summary>The code point that ends just before <paramref name="index"/>, and where it starts.</summary>
    public static int DecodeBefore(ReadOnlySpan<byte> text, int index, out int start)
    {
        Rune.DecodeLastFromUtf8(text.Slice(0, index), out Rune rune, out int length);
        start = index - length;
        return rune.Value;
    }

    /// <summary>
    /// The byte length of the Python whitespace character (str.isspace) that starts at
    /// <paramref name="index"/>, or 0 when the character there is not whitespace.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SpaceLength(ReadOnlySpan<byte> text, int index)
    {
        byte b = text[index];
        if (b < 0x80)
        {
            return PyUnicode.IsAsciiSpace(b) ? 1 : 0;
        }
        return MultiByteSpaceLength(text, index);
    }

    /// <summary>SpaceLength for a non-ASCII lead byte: whitespace above ASCII is only ever
    /// encoded with lead byte C2 (U+0085, U+00A0), E1 (U+1680), E2 (U+2000–U+205F) or E3 (U+3000).</summary>
    public static int MultiByteSpaceLength(ReadOnlySpan<byte> text, int index)
    {
        byte b = text[index];
        if (b == 0xC2)
        {
            if (index + 1 < text.Length)
            {
                byte c = text[index + 1];
                return c == 0x85 || c == 0xA0 ? 2 : 0;
            }
            return 0;
        }
        if (b < 0xE1 || b > 0xE3 || index + 2 >= text.Length)
        {
            return 0;
        }
        byte c1 = text[index + 1];
        byte c2 = text[index + 2];
        bool space = b switch
        {
            0xE1 => c1 == 0x9A && c2 == 0x80,                                         // U+1680
            0xE2 => (c1 == 0x80 && (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) // U+2000–200A, 2028, 2029, 202F
                    || (c1 == 0x81 && c2 == 0x9F),                                    // U+205F
            _ => c1 == 0x80 && c2 == 0x80,                                            // U+3000
        };
        return space ? 3 : 0;
    }
}

/// <summary>Pointer forms of the <see cref="Utf8Text"/> helpers for the scanners' inner loops
/// (the callers keep <c>p &lt; end</c>).</summary>
public static unsafe class Utf8Pointer
{
    /// <summary>The code point at <paramref name="p"/> and its byte length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Decode(byte* p, byte* end, out int length)
    {
        if (*p < 0x80)
        {
            length = 1;
            return *p;
        }
        Rune.DecodeFromUtf8(new ReadOnlySpan<byte>(p, (int)(end - p)), out Rune rune, out length);
        return rune.Value;
    }

    /// <summary>Byte length of the Python whitespace at <paramref name="p"/>, 0 if none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SpaceLength(byte* p, byte* end)
    {
        byte c = ByteClass.Of(*p);
        if ((c & ByteClass.Space) != 0)
        {
            return 1;
        }
        return (c & ByteClass.MaybeSpace) != 0 ? Utf8Text.MultiByteSpaceLength(new ReadOnlySpan<byte>(p, (int)(end - p)), 0) : 0;
    }
}
