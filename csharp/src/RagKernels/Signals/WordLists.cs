using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RagKernels.Signals;

/// <summary>The stop words and negation words of shared/spec/signals.md, exact, with a lookup
/// on lower-cased UTF-8 tokens that costs one table load.</summary>
public static class WordLists
{
    /// <summary>The 54 stop words.</summary>
    public static readonly string[] StopWords =
    [
        "the", "a", "an", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "do", "does",
        "did", "will", "would", "could", "should", "may", "might", "shall", "can", "to", "of", "in", "for", "on",
        "with", "at", "by", "from", "as", "into", "through", "during", "before", "after", "above", "below",
        "between", "and", "but", "or", "if", "then", "than", "that", "this", "these", "those", "it", "its",
    ];

    /// <summary>The 24 negation words (ASCII apostrophe U+0027).</summary>
    public static readonly string[] NegationWords =
    [
        "not", "no", "never", "neither", "nor", "cannot", "can't", "isn't", "aren't", "wasn't", "weren't",
        "won't", "wouldn't", "shouldn't", "couldn't", "doesn't", "don't", "didn't", "hasn't", "haven't",
        "hadn't", "without", "none", "nobody",
    ];

    /// <summary>What a token is: neither list, a stop word, or a negation word.</summary>
    public const byte None = 0, Stop = 1, Negation = 2;

    // The three words longer than 7 bytes are compared directly, as 8-byte loads (little-endian
    // "couldn't", "wouldn't", "shouldn'"); the others are in WordListTable (generated constant
    // data: see tools/gen_word_list_table.py for why).
    private const ulong Couldnt = 0x74276E646C756F63UL;
    private const ulong Wouldnt = 0x74276E646C756F77UL;
    private const ulong Shouldn = 0x276E646C756F6873UL;

    /// <summary>The kind of the lower-cased word at <paramref name="p"/> whose
    /// <see cref="ByteSpanSet.Key"/> is <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe byte Classify(byte* p, int length, ulong key) =>
        length <= 7 ? ClassifyShort(key) : ClassifyLong(p, length);

    /// <summary>The kind of a word of at most 7 bytes, from its <see cref="ByteSpanSet.Key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ClassifyShort(ulong key)
    {
        // One slot per word: the word is there or it is in neither list. The slot is below
        // 256 by construction (a byte's worth of the product), so no bounds check is needed.
        nuint slot = (nuint)((key * WordListTable.Multiplier) >> 56);
        return Unsafe.Add(ref MemoryMarshal.GetReference(WordListTable.Keys), slot) == key
            ? Unsafe.Add(ref MemoryMarshal.GetReference(WordListTable.Kinds), slot)
            : None;
    }

    /// <summary>The kind of a lower-cased word longer than 7 bytes.</summary>
    /// <remarks>Inlined without a call or a loop: the claim's longer words all pass here.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe byte ClassifyLong(byte* p, int length)
    {
        ulong first = Unsafe.ReadUnaligned<ulong>(p);
        if (length == 8)
        {
            return first == Couldnt || first == Wouldnt ? Negation : None;
        }
        return length == 9 && first == Shouldn && p[8] == (byte)'t' ? Negation : None;
    }
}
