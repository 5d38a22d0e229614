using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace RagKernels.Text;

/// <summary>
/// Character properties exactly as Python 3's <c>str</c> methods and <c>re</c> (str patterns)
/// define them, for the code points where .NET's Unicode tables agree with Python's (the
/// systematic comparison in tests/test_unicode_tables.py lists where they do not).
/// </summary>
/// <remarks>
/// Written by hand because no library exposes Python's definitions: <c>char.IsWhiteSpace</c>
/// is false for U+001C–U+001F, which Python counts as whitespace, and .NET has no "word
/// character" in Python's sense (<c>str.isalnum()</c> or <c>_</c>). The general categories and
/// simple lower-case mappings come from .NET (CharUnicodeInfo, Rune).
/// </remarks>
public static class PyUnicode
{
    /// <summary>ASCII whitespace as Python's str.isspace(): \t \n \v \f \r, \x1c–\x1f and space.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAsciiSpace(byte b) => b <= 0x20 && ((0x1_F000_3E00UL >> b) & 1) != 0;

    /// <summary>ASCII word character for re's \w / \b: letters, digits and '_'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAsciiWord(byte b) => (ByteClass.Of(b) & (ByteClass.Word | ByteClass.NonAscii)) == ByteClass.Word;

    /// <summary>Python's <c>str.isspace()</c> for one code point (also re's \s).</summary>
    public static bool IsSpace(int cp)
    {
        if (cp < 0x80)
        {
            return (ByteClass.Of((byte)cp) & ByteClass.Space) != 0;
        }
        // Python's whitespace set is fixed by its bidirectional classes WS/B/S and category Zs;
        // above ASCII it is exactly this list (note: U+200B is not in it).
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
            || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /// <summary>Python's re word character for str patterns: <c>str.isalnum()</c> or '_'.</summary>
    public static bool IsWord(int cp)
    {
        if (cp < 0x80)
        {
            return (ByteClass.Of((byte)cp) & ByteClass.Word) != 0;
        }
        return IsAlnum(cp);
    }

    /// <summary>Python's <c>str.isalnum()</c> above ASCII: isalpha (categories Lu Ll Lt Lm Lo)
    /// or isdecimal/isdigit/isnumeric (Nd, Nl, No: every code point with a numeric value).</summary>
    private static bool IsAlnum(int cp)
    {
        switch (CharUnicodeInfo.GetUnicodeCategory(cp))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Python's <c>str.isdecimal()</c> (also re's \d for str patterns): category Nd.</summary>
    public static bool IsDecimal(int cp)
    {
        if (cp < 0x80)
        {
            return (ByteClass.Of((byte)cp) & ByteClass.Digit) != 0;
        }
        return CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.DecimalDigitNumber;
    }

    /// <summary>
    /// The simple lower-case mapping Python's <c>str.lower()</c> applies to every code point
    /// except U+0130 (which lowers to two code points) and U+03A3 (final-sigma rule); both are
    /// handled by <see cref="PyLower"/>.
    /// </summary>
    public static int ToLowerSimple(int cp)
    {
        if (cp < 0x80)
        {
            return (uint)(cp - 'A') < 26u ? cp + 32 : cp;
        }
        return Rune.ToLowerInvariant(new Rune(cp)).Value;
    }

    /// <summary>
    /// Unicode's Case_Ignorable property (what Python's final-sigma rule skips): categories Mn,
    /// Me, Cf, Lm, Sk, and the Word_Break classes MidLetter, MidNumLet and Single_Quote.
    /// </summary>
    public static bool IsCaseIgnorable(int cp)
    {
        switch (cp)
        {
            // Single_Quote, MidNumLet and MidLetter (Word_Break property).
            case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4:
            case 0x2018: case 0x2019: case 0x2024: case 0x2027:
            case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
                return true;
        }
        if (cp < 0x80)
        {
            return cp == '^' || cp == '`';
        }
        switch (CharUnicodeInfo.GetUnicodeCategory(cp))
        {
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.Format:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.ModifierSymbol:
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Unicode's Cased property (Lu, Ll, Lt, Other_Lowercase, Other_Uppercase), as far as the
    /// final-sigma rule can see it: only code points that are not case-ignorable are asked, so
    /// the Other_* code points listed here are those outside Lm/Mn.
    /// </summary>
    public static bool IsCased(int cp)
    {
        if (cp < 0x80)
        {
            return (uint)(cp - 'A') < 26u || (uint)(cp - 'a') < 26u;
        }
        switch (CharUnicodeInfo.GetUnicodeCategory(cp))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
                return true;
        }
        return cp == 0xAA || cp == 0xBA                      // ª º (Other_Lowercase, Lo)
            || (cp >= 0x2160 && cp <= 0x217F)                 // Roman numerals (Nl)
            || (cp >= 0x24B6 && cp <= 0x24E9)                 // circled Latin letters (So)
            || (cp >= 0x1F130 && cp <= 0x1F149)               // squared Latin capitals (So)
            || (cp >= 0x1F150 && cp <= 0x1F169)               // negative circled capitals (So)
            || (cp >= 0x1F170 && cp <= 0x1F189);              // negative squared capitals (So)
    }
}
