using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using RagKernels.Text;

namespace RagKernels.Signals;

/// <summary>
/// All non-overlapping matches, left to right, of the Python regex
/// <c>\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b</c> on UTF-8 text, without a regex engine.
/// </summary>
/// <remarks>
/// Why a hand-written scan equals the backtracking engine: shortening a greedy <c>[a-z]+</c> or
/// <c>\s+</c> leaves a letter or a space where the pattern needs a boundary or a capital, so it
/// never helps; only the number of repetitions of the group backtracks. Every repetition but
/// the last ends before whitespace, where <c>\b</c> holds, so the match is the longest run of
/// words if a boundary follows it, else that run minus its last word, else no match here.
/// </remarks>
internal static unsafe class EntityMatcher
{
    // Each block of 64 bytes also reads the byte after it.
    private const int Reach = 64 + 1;

    /// <summary>
    /// Visits the matches left to right. A match can only start at an ASCII capital followed
    /// by [a-z] and not preceded by a word character; vector compares mark capitals followed by
    /// [a-z] 64 bytes at a time, so capitals of acronyms and words without a lower-case letter
    /// after the capital cost no call.
    /// <paramref name="slack"/>: how many bytes after the text may be read (their values do not
    /// matter); with 65 or more, the last block is read in place instead of copied.
    /// </summary>
    public static void Scan<TVisitor>(byte* start, byte* end, ref TVisitor visitor, int slack = 0)
        where TVisitor : struct, IMatchVisitor
    {
        var state = new BlockState { Resume = start };
        byte* block = start;
        for (; end - block >= Reach; block += 64)
        {
            if (!Block(start, end, block, block, 64, ref state, ref visitor))
            {
                return;
            }
        }
        if (block == end)
        {
            return;
        }
        if ((long)(end - block) + slack >= Reach)
        {
            // The last (partial) block in place: candidates past the end are masked off by
            // `valid`, and MatchAt reads nothing past `end` (a capital on the last byte, whose
            // next byte is not the text's, makes no match there: its [a-z]+ is empty).
            Block(start, end, block, block, (int)(end - block), ref state, ref visitor);
            return;
        }
        // The tail, copied and padded with zeros (neither capital nor letter) so that nothing
        // is read past the caller's text; positions are mapped back onto the text.
        byte* tail = stackalloc byte[2 * 64];
        new Span<byte>(tail, 2 * 64).Clear();
        int rest = (int)(end - block);
        new ReadOnlySpan<byte>(block, rest).CopyTo(new Span<byte>(tail, rest));
        Block(start, end, tail, block, rest, ref state, ref visitor);
    }

    private struct BlockState
    {
        /// <summary>Where the next match may start (the end of the last one).</summary>
        public byte* Resume;
    }

    /// <summary>The <paramref name="valid"/> (≤ 64) bytes at <paramref name="data"/>, which are
    /// the text's bytes at <paramref name="origin"/>. False when the visitor stopped the scan.</summary>
    /// <remarks>The vectors only find capitals followed by [a-z]; whether the character before
    /// such a capital is a word character is looked up for those few positions alone (a word
    /// mask over every byte cost more than the lookups: capitals are rare).</remarks>
    private static bool Block<TVisitor>(byte* start, byte* end, byte* data, byte* origin, int valid,
        ref BlockState state, ref TVisitor visitor)
        where TVisitor : struct, IMatchVisitor
    {
        ulong upper = 0, lowerNext = 0;
        for (int i = 0; i < 64; i += 16)
        {
            Vector128<byte> b = Vector128.Load(data + i);
            Vector128<byte> next = Vector128.Load(data + i + 1);
            upper |= (ulong)Vector128.LessThan(b - Vector128.Create((byte)'A'), Vector128.Create((byte)26)).ExtractMostSignificantBits() << i;
            lowerNext |= (ulong)Vector128.LessThan(next - Vector128.Create((byte)'a'), Vector128.Create((byte)26)).ExtractMostSignificantBits() << i;
        }
        ulong validBits = valid == 64 ? ~0UL : (1UL << valid) - 1;
        ulong candidates = upper & lowerNext & validBits;
        while (candidates != 0)
        {
            int bit = BitOperations.TrailingZeroCount(candidates);
            candidates &= candidates - 1;
            byte* p = origin + bit;
            if (p < state.Resume || p > start && PreviousIsWord(start, p))
            {
                continue; // inside the last match, or after a word character (\b fails)
            }
            byte* matchEnd = MatchAt(p, end);
            if (matchEnd == null)
            {
                continue;
            }
            if (!visitor.Visit(p, (int)(matchEnd - p), ByteSpanSet.Key(p, (int)(matchEnd - p), end)))
            {
                return false;
            }
            state.Resume = matchEnd;
        }
        return true;
    }

    // The small helpers below run a few times per match candidate: inlined, their ASCII paths
    // cost a table lookup instead of a call (perf: the calls were ~15% of entity_overlap).

    /// <summary>Whether the code point just before <paramref name="p"/> is a word character.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool PreviousIsWord(byte* start, byte* p)
    {
        byte b = p[-1];
        return b < 0x80 ? (ByteClass.Of(b) & ByteClass.Word) != 0 : PreviousIsWordAbove(start, p);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool PreviousIsWordAbove(byte* start, byte* p) =>
        PyUnicode.IsWord(Utf8Text.DecodeBefore(new ReadOnlySpan<byte>(start, (int)(p - start)), (int)(p - start), out _));

    /// <summary>The end of the match starting at <paramref name="p"/> (a capital preceded by a
    /// non-word character), or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* MatchAt(byte* p, byte* end)
    {
        byte* wordEnd = LowerRun(p + 1, end);
        if (wordEnd == p + 1)
        {
            return null;
        }
        byte* previousEnd = null;
        while (true)
        {
            byte* next = wordEnd;
            int space;
            while (next < end && (space = Utf8Pointer.SpaceLength(next, end)) != 0)
            {
                next += space;
            }
            if (next == wordEnd || next >= end || (ByteClass.Of(*next) & ByteClass.Upper) == 0)
            {
                break;
            }
            byte* nextEnd = LowerRun(next + 1, end);
            if (nextEnd == next + 1)
            {
                break;
            }
            previousEnd = wordEnd;
            wordEnd = nextEnd;
        }
        return BoundaryAfterWord(wordEnd, end) ? wordEnd : previousEnd;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* LowerRun(byte* p, byte* end)
    {
        while (p < end && (ByteClass.Of(*p) & ByteClass.Lower) != 0)
        {
            p++;
        }
        return p;
    }

    /// <summary>\b after a word character: the end of the text or a non-word character.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool BoundaryAfterWord(byte* p, byte* end)
    {
        if (p >= end)
        {
            return true;
        }
        byte c = ByteClass.Of(*p);
        return (c & ByteClass.NonAscii) == 0 ? (c & ByteClass.Word) == 0 : BoundaryAfterWordAbove(p, end);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool BoundaryAfterWordAbove(byte* p, byte* end) => !PyUnicode.IsWord(Utf8Pointer.Decode(p, end, out _));
}
