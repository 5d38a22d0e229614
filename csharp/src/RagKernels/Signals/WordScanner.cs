using System.Runtime.CompilerServices;
using RagKernels.Text;

namespace RagKernels.Signals;

/// <summary>What to do with each word of a text (a struct, so the calls inline).</summary>
internal unsafe interface IWordVisitor
{
    /// <summary>One word: its bytes, its key (ByteSpanSet.Key) and its WordLists kind.
    /// Returns false to stop the scan.</summary>
    bool Visit(byte* word, int length, ulong key, byte kind);
}

/// <summary>
/// wtokens(t) of shared/spec/signals.md: the words of Python's <c>t.lower().split()</c>, read
/// from an already lower-cased UTF-8 buffer (lower-casing never turns whitespace into
/// something else or back, so splitting after lowering equals Python's order).
/// </summary>
internal static unsafe class WordScanner
{
    /// <summary>Calls the visitor for each word of <paramref name="start"/>..<paramref name="end"/>,
    /// a buffer readable up to <paramref name="limit"/> (≥ end; 8 bytes of slack make keys cheap).</summary>
    public static void Scan<TVisitor>(byte* start, byte* end, byte* limit, ref TVisitor visitor)
        where TVisitor : struct, IWordVisitor
    {
        byte* p = start;
        while (true)
        {
            while (p < end)
            {
                byte c = ByteClass.Of(*p);
                if ((c & ByteClass.Space) != 0)
                {
                    p++;
                    continue;
                }
                int space;
                if ((c & ByteClass.MaybeSpace) != 0 && (space = Utf8Pointer.SpaceLength(p, end)) != 0)
                {
                    p += space;
                    continue;
                }
                break;
            }
            if (p >= end)
            {
                return;
            }
            byte* word = p++;
            while (p < end)
            {
                byte c = ByteClass.Of(*p);
                if ((c & (ByteClass.Space | ByteClass.MaybeSpace)) == 0)
                {
                    p++;
                    continue;
                }
                if ((c & ByteClass.Space) != 0 || Utf8Pointer.SpaceLength(p, end) != 0)
                {
                    break;
                }
                p++;
            }
            int length = (int)(p - word);
            ulong key = ByteSpanSet.Key(word, length, limit);
            if (!visitor.Visit(word, length, key, WordLists.Classify(word, length, key)))
            {
                return;
            }
        }
    }
}
