using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using RagKernels.Text;

namespace RagKernels.Signals;

/// <summary>
/// All non-overlapping matches, left to right, of the Python regex <c>\b\d[\d,.]*\b</c>
/// (<c>\d</c> = Unicode decimal digits) on UTF-8 text, without a regex engine.
/// </summary>
/// <remarks>
/// Why this equals the backtracking engine: the greedy <c>[\d,.]*</c> takes the longest run,
/// then gives characters back until <c>\b</c> holds. Inside the run, <c>\b</c> holds exactly
/// where a digit meets a ',' or '.'; at the run's end it holds after a digit followed by a
/// non-word character (or the end), or after ',' / '.' followed by a word character. So the
/// match ends at the run's end when that holds, else at the last digit/punctuation change.
/// </remarks>
internal static unsafe class NumberMatcher
{
    private static readonly SearchValues<byte> s_digitsAndNonAscii = SearchValues.Create(DigitsAndNonAscii());

    private static byte[] DigitsAndNonAscii()
    {
        var bytes = new byte[10 + 128];
        for (int i = 0; i < 10; i++)
        {
            bytes[i] = (byte)('0' + i);
        }
        for (int i = 0; i < 128; i++)
        {
            bytes[10 + i] = (byte)(0x80 + i);
        }
        return bytes;
    }

    /// <summary>Visits the matches left to right; <paramref name="ascii"/>: the text is known to
    /// be ASCII (else it is checked here).</summary>
    public static void Scan<TVisitor>(byte* start, byte* end, ref TVisitor visitor, bool ascii = false)
        where TVisitor : struct, IMatchVisitor
    {
        if (ascii || System.Text.Ascii.IsValid(new ReadOnlySpan<byte>(start, (int)(end - start))))
        {
            ScanAscii(start, end, ref visitor);
            return;
        }
        byte* p = start;
        bool previousIsWord = false;
        while (p < end)
        {
            byte c = ByteClass.Of(*p);
            if ((c & (ByteClass.NonAscii | ByteClass.Digit)) == 0)
            {
                // Text that is not all ASCII is mostly ASCII: an ASCII non-digit starts no match
                // and only sets \b for the next character, so jump (vectorised) over the run of
                // them to the next digit or non-ASCII byte.
                int skip = new ReadOnlySpan<byte>(p, (int)(end - p)).IndexOfAny(s_digitsAndNonAscii);
                if (skip < 0)
                {
                    return;
                }
                previousIsWord = (ByteClass.Of(p[skip - 1]) & ByteClass.Word) != 0;
                p += skip;
                c = ByteClass.Of(*p);
            }
            int length = 1;
            bool digit;
            bool word;
            if ((c & ByteClass.NonAscii) == 0)
            {
                digit = (c & ByteClass.Digit) != 0;
                word = (c & ByteClass.Word) != 0;
            }
            else
            {
                int cp = Utf8Pointer.Decode(p, end, out length);
                digit = PyUnicode.IsDecimal(cp);
                word = digit || PyUnicode.IsWord(cp);
            }
            if (digit && !previousIsWord)
            {
                byte* matchEnd = MatchAt(p + length, end, out bool endsWithDigit);
                if (matchEnd != null)
                {
                    if (!visitor.Visit(p, (int)(matchEnd - p), ByteSpanSet.Key(p, (int)(matchEnd - p), end)))
                    {
                        return;
                    }
                    p = matchEnd;
                    previousIsWord = endsWithDigit;
                    continue;
                }
            }
            previousIsWord = word;
            p += length;
        }
    }

    /// <summary>The same scan for ASCII text, where digits are '0'–'9': jump from digit to
    /// digit with a vectorised search and look back one byte for the \b.</summary>
    private static void ScanAscii<TVisitor>(byte* start, byte* end, ref TVisitor visitor)
        where TVisitor : struct, IMatchVisitor
    {
        byte* p = start;
        while (p < end)
        {
            int skip = new ReadOnlySpan<byte>(p, (int)(end - p)).IndexOfAnyInRange((byte)'0', (byte)'9');
            if (skip < 0)
            {
                return;
            }
            p += skip;
            if (p > start && (ByteClass.Of(p[-1]) & ByteClass.Word) != 0)
            {
                p++;
                continue;
            }
            byte* matchEnd = MatchAt(p + 1, end, out _);
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

    /// <summary>The end of the match whose first digit ends at <paramref name="p"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* MatchAt(byte* p, byte* end, out bool endsWithDigit)
    {
        bool lastIsDigit = true;
        byte* lastChange = null; // the latest position inside the run where \b holds
        bool lastChangeAfterDigit = false;
        while (p < end)
        {
            byte c = ByteClass.Of(*p);
            int length = 1;
            bool digit;
            if ((c & ByteClass.NonAscii) == 0)
            {
                if ((c & (ByteClass.Digit | ByteClass.Punct)) == 0)
                {
                    break;
                }
                digit = (c & ByteClass.Digit) != 0;
            }
            else
            {
                digit = PyUnicode.IsDecimal(Utf8Pointer.Decode(p, end, out length));
                if (!digit)
                {
                    break;
                }
            }
            if (digit != lastIsDigit)
            {
                lastChange = p;
                lastChangeAfterDigit = lastIsDigit;
            }
            lastIsDigit = digit;
            p += length;
        }
        bool boundary = lastIsDigit
            ? EntityMatcher.BoundaryAfterWord(p, end)
            : p < end && !EntityMatcher.BoundaryAfterWord(p, end);
        if (boundary)
        {
            endsWithDigit = lastIsDigit;
            return p;
        }
        endsWithDigit = lastChangeAfterDigit;
        return lastChange;
    }
}
