using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RagKernels.Text;

/// <summary>
/// One table lookup per UTF-8 byte answers every question the scanners ask about ASCII
/// (Python's definitions: isspace incl. \x1c–\x1f, word character, decimal digit, [A-Z],
/// [a-z], ',' or '.'), and flags the bytes that need a closer look above ASCII.
/// </summary>
public static class ByteClass
{
    public const byte Space = 1;
    public const byte Word = 2;
    public const byte Digit = 4;
    public const byte Upper = 8;
    public const byte Lower = 16;
    /// <summary>Any byte ≥ 0x80 (part of a multi-byte code point).</summary>
    public const byte NonAscii = 32;
    /// <summary>Lead bytes C2, E1, E2, E3: the only ones that can start a non-ASCII whitespace.</summary>
    public const byte MaybeSpace = 64;
    /// <summary>',' or '.' (the non-digits of the number pattern).</summary>
    public const byte Punct = 128;

    // Generated from Python's str methods on chr(0)..chr(127); stored as RVA data (no allocation,
    // no static constructor).
    private static ReadOnlySpan<byte> Table =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, // 0x00
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, // 0x10
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 0, 128, 0, // 0x20
        6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 0, 0, // 0x30
        0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, // 0x40
        10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 0, 0, 0, 0, 2, // 0x50
        0, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, // 0x60
        18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 0, 0, 0, 0, 0, // 0x70
        32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, // 0x80
        32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, // 0x90
        32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, // 0xA0
        32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, // 0xB0
        32, 32, 96, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, // 0xC0
        32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, // 0xD0
        32, 96, 96, 96, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, // 0xE0
        32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, // 0xF0
    ];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Of(byte b) => Unsafe.Add(ref MemoryMarshal.GetReference(Table), b);
}
