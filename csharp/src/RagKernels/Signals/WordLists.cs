using System;
using System.Text;

namespace RagKernels.Signals;

/// <summary>The stop words and negation words of shared/spec/signals.md, exact, with a lookup
/// on lower-cased UTF-8 tokens that costs one hash probe.</summary>
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

    // Keys (ByteSpanSet.Key) of the words of up to 7 bytes, in an open-addressing table.
    private const int TableSize = 256; // > 3 × 78 words: probes are short
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private static readonly ulong[] s_keys = new ulong[TableSize];
    private static readonly byte[] s_kinds = new byte[TableSize];

    // The three words longer than 7 bytes are compared directly.
    private static ReadOnlySpan<byte> Couldnt => "couldn't"u8;
    private static ReadOnlySpan<byte> Wouldnt => "wouldn't"u8;
    private static ReadOnlySpan<byte> Shouldnt => "shouldn't"u8;

    static WordLists()
    {
        foreach (string word in StopWords)
        {
            Insert(word, Stop);
        }
        foreach (string word in NegationWords)
        {
            Insert(word, Negation);
        }
    }

    private static unsafe void Insert(string word, byte kind)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(word);
        if (bytes.Length > 7)
        {
            return; // Couldnt, Wouldnt, Shouldnt
        }
        fixed (byte* p = bytes)
        {
            ulong key = ByteSpanSet.Key(p, bytes.Length, p + bytes.Length);
            int slot = (int)((key * Golden) >> 56);
            while (s_keys[slot] != 0)
            {
                slot = (slot + 1) & (TableSize - 1);
            }
            s_keys[slot] = key;
            s_kinds[slot] = kind;
        }
    }

    /// <summary>The kind of the lower-cased word at <paramref name="p"/> whose
    /// <see cref="ByteSpanSet.Key"/> is <paramref name="key"/>.</summary>
    public static unsafe byte Classify(byte* p, int length, ulong key)
    {
        if (length <= 7)
        {
            ulong[] keys = s_keys;
            int slot = (int)((key * Golden) >> 56);
            while (true)
            {
                ulong k = keys[slot & (TableSize - 1)];
                if (k == key)
                {
                    return s_kinds[slot & (TableSize - 1)];
                }
                if (k == 0)
                {
                    return None;
                }
                slot++;
            }
        }
        if (length > 9)
        {
            return None;
        }
        var word = new ReadOnlySpan<byte>(p, length);
        return word.SequenceEqual(Couldnt) || word.SequenceEqual(Wouldnt) || word.SequenceEqual(Shouldnt) ? Negation : None;
    }
}
