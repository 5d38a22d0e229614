using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using RagKernels.Text;

namespace RagKernels.Signals;

/// <summary>
/// Whether an ASCII text has a negation word among its wtokens, read straight from the
/// caller's bytes: no lower-cased copy, no split, no per-word work for ordinary words.
/// </summary>
/// <remarks>
/// Every one of the 24 negation words (WordLists.NegationWords) starts with "n" (not, no,
/// never, neither, nor, none, nobody) or contains "n't" (can't ... hadn't), "nnot" (cannot) or
/// "hout" (without). So a word without one of those four patterns, in any letter case, is no
/// negation word. Vector compares mark the patterns 64 bytes at a time; only the words holding
/// a mark (few in ordinary text) are lower-cased and looked up in WordLists. negation_flip
/// usually ends here: when both texts agree on negation the answer is false without any set.
/// Non-ASCII text is left to the general path (lower-casing can create or remove letters).
/// </remarks>
internal static unsafe class NegationSearch
{
    /// <summary>The answer for text that is not ASCII: the caller must use the general scan.</summary>
    public const int NotAscii = -1;

    // The block loop reads 64 bytes and 3 more (the pattern's later letters) from each start.
    private const int Reach = 64 + 3;

    /// <summary>1 when <paramref name="text"/> has a negation wtoken, 0 when it has none, or
    /// <see cref="NotAscii"/> when it has a non-ASCII byte before any negation word.
    /// <paramref name="slack"/>: how many bytes after the text may be read (their values do not
    /// matter); with 67 or more, the last block is read in place instead of copied.</summary>
    /// <remarks>A negation word found before a non-ASCII byte is a sure answer: it is ASCII and
    /// bounded by ASCII whitespace (or an end of the text), so it is a wtoken whatever follows.</remarks>
    public static int Find(ReadOnlySpan<byte> text, int slack = 0)
    {
        if (!Vector128.IsHardwareAccelerated)
        {
            return NotAscii;
        }
        fixed (byte* start = text)
        {
            byte* end = start + text.Length;
            byte* p = start;
            // Blocks in place while 67 bytes can be read. With slack that includes the last
            // (partial) blocks: bytes past the end are masked off by `valid`, and a pattern that
            // reaches into them only makes a candidate, which IsNegationWordAround checks
            // within the text.
            for (; p < end && (long)(end - p) + slack >= Reach; p += 64)
            {
                int found = Block(start, end, p, (int)Math.Min(64, end - p));
                if (found != 0)
                {
                    return found;
                }
            }
            if (p >= end)
            {
                return 0;
            }
            // The tail (under 67 bytes: one or two blocks), copied and padded with zeros (no
            // whitespace, no letter: no pattern crosses the end). Candidate positions found in
            // the copy are mapped back onto the text.
            byte* tail = stackalloc byte[2 * 64 + Reach];
            new Span<byte>(tail, 2 * 64 + Reach).Clear();
            int rest = (int)(end - p);
            new ReadOnlySpan<byte>(p, rest).CopyTo(new Span<byte>(tail, rest));
            for (int offset = 0; offset < rest; offset += 64)
            {
                int found = Block(start, end, tail + offset, Math.Min(64, rest - offset), p + offset);
                if (found != 0)
                {
                    return found;
                }
            }
            return 0;
        }
    }

    /// <summary>Looks at the <paramref name="valid"/> (≤ 64) bytes at <paramref name="block"/>,
    /// which is the text at <paramref name="origin"/> (itself when null).</summary>
    private static int Block(byte* start, byte* end, byte* block, int valid, byte* origin = null)
    {
        ulong letterN = 0, patterns = 0, nonAscii = 0;
        for (int i = 0; i < 64; i += 16)
        {
            Vector128<byte> b0 = Vector128.Load(block + i);
            Vector128<byte> b1 = Vector128.Load(block + i + 1);
            Vector128<byte> b2 = Vector128.Load(block + i + 2);
            Vector128<byte> b3 = Vector128.Load(block + i + 3);
            // ASCII letters are matched in either case by setting the 0x20 bit first.
            Vector128<byte> case0 = b0 | Vector128.Create((byte)0x20);
            Vector128<byte> case1 = b1 | Vector128.Create((byte)0x20);
            Vector128<byte> case2 = b2 | Vector128.Create((byte)0x20);
            Vector128<byte> case3 = b3 | Vector128.Create((byte)0x20);
            Vector128<byte> n0 = Vector128.Equals(case0, Vector128.Create((byte)'n'));
            Vector128<byte> t2 = Vector128.Equals(case2, Vector128.Create((byte)'t'));
            Vector128<byte> t3 = Vector128.Equals(case3, Vector128.Create((byte)'t'));
            Vector128<byte> nt = n0 & Vector128.Equals(b1, Vector128.Create((byte)'\'')) & t2;
            Vector128<byte> nnot = n0 & Vector128.Equals(case1, Vector128.Create((byte)'n'))
                & Vector128.Equals(case2, Vector128.Create((byte)'o')) & t3;
            Vector128<byte> hout = Vector128.Equals(case0, Vector128.Create((byte)'h')) & Vector128.Equals(case1, Vector128.Create((byte)'o'))
                & Vector128.Equals(case2, Vector128.Create((byte)'u')) & t3;
            letterN |= (ulong)n0.ExtractMostSignificantBits() << i;
            patterns |= (ulong)(nt | nnot | hout).ExtractMostSignificantBits() << i;
            nonAscii |= (ulong)b0.ExtractMostSignificantBits() << i;
        }
        ulong validBits = valid == 64 ? ~0UL : (1UL << valid) - 1;
        if ((nonAscii & validBits) != 0)
        {
            return NotAscii;
        }
        byte* text = origin == null ? block : origin;
        // An "n" starts a candidate only at the start of a word: the byte before it is looked
        // up for the few "n"s (a whitespace mask over every byte cost more).
        ulong candidates = (letterN & ~patterns) & validBits;
        while (candidates != 0)
        {
            byte* at = text + BitOperations.TrailingZeroCount(candidates);
            candidates &= candidates - 1;
            if ((at == start || (ByteClass.Of(at[-1]) & ByteClass.Space) != 0) && IsNegationWordAround(start, end, at))
            {
                return 1;
            }
        }
        candidates = patterns & validBits;
        while (candidates != 0)
        {
            byte* at = text + BitOperations.TrailingZeroCount(candidates);
            candidates &= candidates - 1;
            if (IsNegationWordAround(start, end, at))
            {
                return 1;
            }
        }
        return 0;
    }

    /// <summary>Whether the whitespace-delimited word holding <paramref name="at"/> is a
    /// negation word once lower-cased (ASCII text).</summary>
    private static bool IsNegationWordAround(byte* start, byte* end, byte* at)
    {
        byte* first = at;
        while (first > start && (ByteClass.Of(first[-1]) & ByteClass.Space) == 0)
        {
            first--;
        }
        byte* last = at;
        while (last < end && (ByteClass.Of(*last) & ByteClass.Space) == 0)
        {
            last++;
        }
        int length = (int)(last - first);
        if (length > 9)
        {
            return false; // the longest negation word, "shouldn't", has 9 bytes
        }
        byte* lower = stackalloc byte[16];
        System.Text.Ascii.ToLower(new ReadOnlySpan<byte>(first, length), new Span<byte>(lower, 16), out _);
        return WordLists.Classify(lower, length, ByteSpanSet.Key(lower, length, lower + 16)) == WordLists.Negation;
    }
}
