using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using RagKernels.Text;

namespace RagKernels.Signals;

/// <summary>What to do with each word of a text (a struct, so the calls inline).</summary>
internal unsafe interface IWordVisitor
{
    /// <summary>One word: its bytes, its key (ByteSpanSet.Key) and its WordLists kind.
    /// Returns false to stop the scan.</summary>
    bool Visit(byte* word, int length, ulong key, byte kind);

    /// <summary>False when the visitor ignores <c>kind</c> (the scan then skips the word-list lookup).</summary>
    bool WantsKind { get; }

    /// <summary>False when the visitor ignores <c>key</c> for words longer than 7 bytes (the scan
    /// then skips hashing them and passes 0).</summary>
    bool WantsLongKey { get; }
}

/// <summary>
/// wtokens(t) of shared/spec/signals.md: the words of Python's <c>t.lower().split()</c>, read
/// from an already lower-cased UTF-8 buffer (lower-casing never turns whitespace into
/// something else or back, so splitting after lowering equals Python's order).
/// </summary>
internal static unsafe class WordScanner
{
    /// <summary>Calls the visitor for each word of <paramref name="start"/>..<paramref name="end"/>,
    /// a buffer readable up to <paramref name="limit"/> (at least 8 bytes past end: keys are read
    /// 8 bytes at a time, see ByteSpanSet.PaddedShortKey; 64 for the block path).</summary>
    public static void Scan<TVisitor>(byte* start, byte* end, byte* limit, bool ascii, ref TVisitor visitor)
        where TVisitor : struct, IWordVisitor
    {
        System.Diagnostics.Debug.Assert(limit - end >= 8);
        if (Vector128.IsHardwareAccelerated && limit - end >= 64)
        {
            if (ascii)
            {
                ScanBlocks<TVisitor, AsciiText>(start, end, ref visitor);
            }
            else
            {
                ScanBlocks<TVisitor, AnyText>(start, end, ref visitor);
            }
            return;
        }
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
            if (!Emit(word, (int)(p - word), ref visitor))
            {
                return;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Emit<TVisitor>(byte* word, int length, ref TVisitor visitor)
        where TVisitor : struct, IWordVisitor
    {
        // A short word's key is a masked load (the buffer's slack makes the 8-byte read safe with
        // no test per word); a long word's is a hash, worth skipping when unused (the word-list
        // lookup of long words compares bytes, not keys).
        // One test of the length serves the key and the word-list lookup.
        if (length <= 7)
        {
            ulong key = ByteSpanSet.PaddedShortKey(word, length);
            return visitor.Visit(word, length, key, visitor.WantsKind ? WordLists.ClassifyShort(key) : WordLists.None);
        }
        return EmitLong(word, length, ref visitor);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool EmitLong<TVisitor>(byte* word, int length, ref TVisitor visitor)
        where TVisitor : struct, IWordVisitor =>
        visitor.Visit(word, length, visitor.WantsLongKey ? ByteSpanSet.LongKey(word, length) : 0,
            visitor.WantsKind ? WordLists.ClassifyLong(word, length) : WordLists.None);

    /// <summary>
    /// The same split, 64 bytes at a time: a bit mask of whitespace per block gives every word's
    /// start and end with a few bit operations, with no branch per byte. Reads up to 63 bytes
    /// past <paramref name="end"/> (within the slack).
    /// </summary>
    /// <remarks>Text that is not all ASCII is mostly ASCII with a curly quote or an accent here and
    /// there, so it takes this path too: only a byte that can start a multi-byte whitespace (C2,
    /// E1, E2, E3; rare) is looked at on its own, and its code point's bytes join the mask.
    /// <para>Tried and slower, measured on the 10,000 rotated reference pairs of traceability_batch
    /// (one thread): writing every word's offsets out first, eight per block at a time (simdjson's
    /// flattening), and then looping over the words took 8.9 ms against this loop's 3.7. On the
    /// x86-64-v2 baseline a trailing-zero count is BSF behind a zero test (no BMI1), and a 64-byte
    /// block of prose holds ~10 words, so the fixed groups of eight wasted most of their work.</para></remarks>
    private static void ScanBlocks<TVisitor, TText>(byte* start, byte* end, ref TVisitor visitor)
        where TVisitor : struct, IWordVisitor
        where TText : struct, ITextKind
    {
        long n = end - start;
        ulong previousSpace = 1; // the text starts after "whitespace"
        ulong carried = 0; // bytes of this block that belong to a multi-byte whitespace begun in the last
        long wordStart = -1;
        for (long block = 0; block < n; block += 64)
        {
            ulong spaces = SpaceMask(start + block);
            if (!TText.IsAscii)
            {
                spaces |= MultiByteSpaces(start, block, n, ref carried);
            }
            long valid = n - block;
            if (valid < 64)
            {
                spaces |= ~0UL << (int)valid; // past the end counts as whitespace
            }
            ulong before = (spaces << 1) | previousSpace; // bit i: whitespace at i - 1
            ulong starts = ~spaces & before;
            ulong ends = spaces & ~before;
            previousSpace = spaces >> 63;
            while (true)
            {
                if (wordStart < 0)
                {
                    if (starts == 0)
                    {
                        break;
                    }
                    wordStart = block + BitOperations.TrailingZeroCount(starts);
                    starts &= starts - 1;
                }
                if (ends == 0)
                {
                    break;
                }
                long wordEnd = block + BitOperations.TrailingZeroCount(ends);
                ends &= ends - 1;
                if (!Emit(start + wordStart, (int)(wordEnd - wordStart), ref visitor))
                {
                    return;
                }
                wordStart = -1;
            }
        }
        if (wordStart >= 0)
        {
            Emit(start + wordStart, (int)(n - wordStart), ref visitor);
        }
    }

    /// <summary>Bit i set when byte i of the block at <paramref name="block"/> is part of a
    /// non-ASCII whitespace code point. <paramref name="carried"/>: in, the bits of one that ran
    /// over from the last block; out, those that run over from this one.</summary>
    private static ulong MultiByteSpaces(byte* text, long block, long n, ref ulong carried)
    {
        ulong mask = carried;
        carried = 0;
        ulong leads = LeadMask(text + block);
        while (leads != 0)
        {
            int bit = BitOperations.TrailingZeroCount(leads);
            leads &= leads - 1;
            long at = block + bit;
            if (at >= n)
            {
                break; // the bytes read past the end
            }
            int length = Utf8Text.MultiByteSpaceLength(new ReadOnlySpan<byte>(text + at, (int)Math.Min(n - at, 3)), 0);
            if (length != 0)
            {
                mask |= ((1UL << length) - 1) << bit;
                if (bit + length > 64)
                {
                    carried = (1UL << (bit + length - 64)) - 1;
                }
            }
        }
        return mask;
    }

    /// <summary>Whether a text is known to be all ASCII, as a type: each ScanBlocks is compiled
    /// for one kind, so the ASCII loop carries no trace of the other (a test per block made the
    /// ASCII scan ~6% slower, measured).</summary>
    private interface ITextKind
    {
        static abstract bool IsAscii { get; }
    }

    private struct AsciiText : ITextKind
    {
        public static bool IsAscii => true;
    }

    private struct AnyText : ITextKind
    {
        public static bool IsAscii => false;
    }

    /// <summary>Bit i set when byte i of the 64 at <paramref name="p"/> is C2, E1, E2 or E3: the
    /// only lead bytes of whitespace above ASCII (see Utf8Text.MultiByteSpaceLength).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LeadMask(byte* p)
    {
        ulong mask = 0;
        for (int i = 0; i < 4; i++)
        {
            Vector128<byte> v = Vector128.Load(p + i * 16);
            Vector128<byte> lead = Vector128.Equals(v, Vector128.Create((byte)0xC2))
                | Vector128.LessThan(v - Vector128.Create((byte)0xE1), Vector128.Create((byte)3));
            mask |= (ulong)lead.ExtractMostSignificantBits() << (i * 16);
        }
        return mask;
    }

    /// <summary>Bit i set when byte i of the 64 at <paramref name="p"/> is ASCII whitespace to
    /// Python (\t \n \v \f \r = 9–13, \x1c–\x1f and space = 28–32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SpaceMask(byte* p)
    {
        ulong mask = 0;
        for (int i = 0; i < 4; i++)
        {
            Vector128<byte> v = Vector128.Load(p + i * 16);
            Vector128<byte> space = Vector128.LessThan(v - Vector128.Create((byte)9), Vector128.Create((byte)5))
                | Vector128.LessThan(v - Vector128.Create((byte)28), Vector128.Create((byte)5));
            mask |= (ulong)space.ExtractMostSignificantBits() << (i * 16);
        }
        return mask;
    }
}
