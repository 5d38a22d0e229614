using System;
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
    public static void Scan<TVisitor>(byte* start, byte* end, ref TVisitor visitor)
        where TVisitor : struct, IMatchVisitor
    {
        byte* p = start;
        while (p < end)
        {
            // A match can only start at an ASCII capital: jump there (vectorised search), then
            // look back one code point for the \b.
            int skip = new ReadOnlySpan<byte>(p, (int)(end - p)).IndexOfAnyInRange((byte)'A', (byte)'Z');
            if (skip < 0)
            {
                return;
            }
            p += skip;
            if (p > start && PreviousIsWord(start, p))
            {
                p++;
                continue;
            }
            byte* matchEnd = MatchAt(p, end);
            if (matchEnd == null)
            {
                p++;
                continue;
            }
            if (!visitor.Visit(p, (int)(matchEnd - p), ByteSpanSet.Key(p, (int)(matchEnd - p), end)))
            {
                return;
            }
            p = matchEnd;
        }
    }

    /// <summary>Whether the code point just before <paramref name="p"/> is a word character.</summary>
    internal static bool PreviousIsWord(byte* start, byte* p)
    {
        byte b = p[-1];
        return b < 0x80
            ? (ByteClass.Of(b) & ByteClass.Word) != 0
            : PyUnicode.IsWord(Utf8Text.DecodeBefore(new ReadOnlySpan<byte>(start, (int)(p - start)), (int)(p - start), out _));
    }

    /// <summary>The end of the match starting at <paramref name="p"/> (a capital preceded by a
    /// non-word character), or null.</summary>
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

    private static byte* LowerRun(byte* p, byte* end)
    {
        while (p < end && (ByteClass.Of(*p) & ByteClass.Lower) != 0)
        {
            p++;
        }
        return p;
    }

    /// <summary>\b after a word character: the end of the text or a non-word character.</summary>
    internal static bool BoundaryAfterWord(byte* p, byte* end)
    {
        if (p >= end)
        {
            return true;
        }
        byte c = ByteClass.Of(*p);
        return (c & ByteClass.NonAscii) == 0 ? (c & ByteClass.Word) == 0 : !PyUnicode.IsWord(Utf8Pointer.Decode(p, end, out _));
    }
}
