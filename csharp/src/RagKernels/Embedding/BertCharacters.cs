using System;
using System.Globalization;
using System.Text;

namespace RagKernels.Embedding;

/// <summary>
/// The character classes and per-character normalisation of BERT's basic tokenizer
/// (google-research/bert tokenization.py: _is_whitespace, _is_control, _is_punctuation,
/// _is_chinese_char, lower-casing, _run_strip_accents), written by hand over .NET's Unicode
/// tables because no maintained .NET BERT tokenizer can be used here.
/// </summary>
internal static class BertCharacters
{
    /// <summary>Whitespace: space, tab, newline, carriage return, category Zs, and the line and
    /// paragraph separators (Zl, Zp): BERT's _is_whitespace misses those two, but its later
    /// str.split() splits on them (as does the Rust tokenizer), so they end words all the same.</summary>
    public static bool IsWhitespace(Rune r)
    {
        int c = r.Value;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
            return true;
        }
        return c >= 0x80 && Rune.GetUnicodeCategory(r) is UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
    }

    /// <summary>Control: categories Cc and Cf, except tab, newline and carriage return (which
    /// count as whitespace). The published algorithm; HF's Rust tokenizer also drops Cn/Co/Cs.</summary>
    public static bool IsControl(Rune r)
    {
        int c = r.Value;
        if (c == '\t' || c == '\n' || c == '\r')
        {
            return false;
        }
        if (c < 0x20 || c == 0x7F)
        {
            return true;
        }
        if (c < 0x80)
        {
            return false;
        }
        UnicodeCategory category = Rune.GetUnicodeCategory(r);
        return category is UnicodeCategory.Control or UnicodeCategory.Format;
    }

    /// <summary>Punctuation: every non-alphanumeric ASCII printable character (BERT counts
    /// ^ $ ` etc. too) and every character of a Unicode P* category.</summary>
    public static bool IsPunctuation(int c)
    {
        if (c < 0x80)
        {
            return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
        }
        return Rune.GetUnicodeCategory(new Rune(c)) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideographs blocks BERT surrounds with spaces (not Hangul, kana).</summary>
    public static bool IsChinese(int c) =>
        (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);

    /// <summary>Cased (Unicode's derived property, approximated): a letter with a case, or a
    /// character that has a case mapping.</summary>
    public static bool IsCased(Rune r)
    {
        UnicodeCategory category = Rune.GetUnicodeCategory(r);
        if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
        {
            return true;
        }
        return Rune.ToLowerInvariant(r) != r || Rune.ToUpperInvariant(r) != r;
    }

    /// <summary>Case_Ignorable: Mn, Me, Cf, Lm, Sk and the word-break MidLetter, MidNumLet and
    /// Single_Quote characters.</summary>
    public static bool IsCaseIgnorable(Rune r)
    {
        switch (r.Value)
        {
            case 0x27 or 0x2E or 0x3A or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
                or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A:
                return true;
        }
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
    }

    /// <summary>Appends the accent-stripped form of <paramref name="r"/> (NFD without Mn marks) to
    /// <paramref name="output"/>; returns the number of chars written.</summary>
    public static int StripAccents(Rune r, Span<char> output)
    {
        int c = r.Value;
        if (c < 0xC0)
        {
            return r.EncodeToUtf16(output);
        }
        if (c >= 0xAC00 && c <= 0xD7A3)
        {
            // Hangul syllables decompose algorithmically into conjoining jamo (Unicode 3.12).
            int s = c - 0xAC00;
            output[0] = (char)(0x1100 + s / 588);
            output[1] = (char)(0x1161 + s % 588 / 28);
            int t = s % 28;
            if (t == 0)
            {
                return 2;
            }
            output[2] = (char)(0x11A7 + t);
            return 3;
        }
        if (Rune.GetUnicodeCategory(r) == UnicodeCategory.NonSpacingMark)
        {
            return 0;
        }
        int index = Array.BinarySearch(AccentTable.Keys, c);
        if (index < 0)
        {
            return r.EncodeToUtf16(output);
        }
        (int start, int length) = s_replacementRanges[index];
        AccentTable.Replacements.AsSpan(start, length).CopyTo(output);
        return length;
    }

    private static readonly (int Start, int Length)[] s_replacementRanges = BuildRanges();

    private static (int, int)[] BuildRanges()
    {
        var ranges = new (int, int)[AccentTable.Lengths.Length];
        int start = 0;
        for (int i = 0; i < ranges.Length; i++)
        {
            ranges[i] = (start, AccentTable.Lengths[i]);
            start += AccentTable.Lengths[i];
        }
        return ranges;
    }
}
