using System;
using System.Text;
using RagKernels.Text;
using Xunit;

namespace RagKernels.Tests;

/// <summary>The UTF-8 helpers and Python-compatible character classes (expected values from
/// Python's documented behaviour: str.isspace, str.isalnum, str.isdecimal, str.lower).</summary>
public class TextTests
{
    private static string Lower(string text)
    {
        byte[] source = Encoding.UTF8.GetBytes(text);
        var destination = new byte[PyLower.MaxLength(source.Length)];
        int written = PyLower.Lower(source, destination);
        return Encoding.UTF8.GetString(destination, 0, written);
    }

    [Theory]
    [InlineData("Hello WORLD", "hello world")]
    [InlineData("", "")]
    [InlineData("İstanbul", "i\u0307stanbul")]          // full mapping: i + COMBINING DOT ABOVE
    [InlineData("ΟΔΟΣ", "οδος")]                         // final sigma
    [InlineData("ΣΑ", "σα")]                             // not final: a cased letter follows
    [InlineData("Σ", "σ")]                               // alone: nothing cased before
    [InlineData("ΑΣ.", "ας.")]                           // '.' is case-ignorable, then the end
    [InlineData("ΑΣ.Α", "ασ.α")]                         // ... then a cased letter
    [InlineData("Α'Σ", "α'ς")]                           // apostrophe skipped backwards
    [InlineData("ΑΣ Β", "ας β")]                         // whitespace ends the word
    [InlineData("ΑΣ1", "ας1")]                           // a digit is not cased
    [InlineData("ẞ Ω K Å", "ß ω k å")]                   // Kelvin, Ohm, Angstrom signs
    [InlineData("ȺȾ", "ⱥⱦ")]                            // 2-byte letters lowering to 3 bytes
    [InlineData("ÀÉÎÕÜ ÆØ Ǆ ǅ", "àéîõü æø ǆ ǆ")]
    [InlineData("ДОБРО", "добро")]
    [InlineData("ＡＢ", "ａｂ")]
    public void LowerIsPythonsStrLower(string text, string expected) => Assert.Equal(expected, Lower(text));

    [Fact]
    public void LowerHasRoomForTheWorstCase()
    {
        string text = new string('İ', 50) + new string('Ⱥ', 50);
        Assert.Equal(string.Concat(System.Linq.Enumerable.Repeat("i\u0307", 50)) + new string('ⱥ', 50), Lower(text));
        Assert.True(Encoding.UTF8.GetByteCount(Lower(text)) <= PyLower.MaxLength(Encoding.UTF8.GetByteCount(text)));
    }

    [Fact]
    public void WhitespaceIsPythons()
    {
        int[] spaces = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
            0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
            0x2028, 0x2029, 0x202F, 0x205F, 0x3000];
        for (int cp = 0; cp < 0x11000; cp++)
        {
            bool expected = Array.IndexOf(spaces, cp) >= 0;
            Assert.True(expected == PyUnicode.IsSpace(cp), $"U+{cp:X4}");
            if (cp is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }
            byte[] bytes = Encoding.UTF8.GetBytes(char.ConvertFromUtf32(cp));
            Assert.True((expected ? bytes.Length : 0) == Utf8Text.SpaceLength(bytes, 0), $"U+{cp:X4}");
        }
        Assert.False(PyUnicode.IsSpace(0x200B));
    }

    [Theory]
    [InlineData('a', true)]
    [InlineData('_', true)]
    [InlineData('7', true)]
    [InlineData('-', false)]
    [InlineData('\'', false)]
    [InlineData(0xE9, true)]    // é
    [InlineData(0x2163, true)]  // Roman numeral four (Nl: isnumeric)
    [InlineData(0xB2, true)]    // superscript two (No: isdigit)
    [InlineData(0x0301, false)] // combining acute (Mn)
    [InlineData(0x4E00, true)]  // CJK
    [InlineData(0x200B, false)]
    public void WordCharacterIsAlnumOrUnderscore(int cp, bool expected) => Assert.Equal(expected, PyUnicode.IsWord(cp));

    [Theory]
    [InlineData('5', true)]
    [InlineData(0x0663, true)]  // Arabic-Indic three
    [InlineData(0xFF12, true)]  // full-width two
    [InlineData(0xB2, false)]   // superscript two: isdigit but not isdecimal
    [InlineData(0x2163, false)]
    [InlineData('x', false)]
    public void DecimalIsCategoryNd(int cp, bool expected) => Assert.Equal(expected, PyUnicode.IsDecimal(cp));

    [Fact]
    public void DecodeReadsEveryLength()
    {
        byte[] text = Encoding.UTF8.GetBytes("aé€😀");
        Assert.Equal('a', Utf8Text.Decode(text, 0, out int n1));
        Assert.Equal(1, n1);
        Assert.Equal(0xE9, Utf8Text.Decode(text, 1, out int n2));
        Assert.Equal(2, n2);
        Assert.Equal(0x20AC, Utf8Text.Decode(text, 3, out int n3));
        Assert.Equal(3, n3);
        Assert.Equal(0x1F600, Utf8Text.Decode(text, 6, out int n4));
        Assert.Equal(4, n4);
        Assert.Equal(0x20AC, Utf8Text.DecodeBefore(text, 6, out int start));
        Assert.Equal(3, start);
    }

    [Theory]
    [InlineData(new byte[] { 0x80 })]                   // lone continuation byte
    [InlineData(new byte[] { 0xC3 })]                   // truncated
    [InlineData(new byte[] { 0xC0, 0xAF })]             // overlong '/'
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]       // encoded surrogate U+D800
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // above U+10FFFF
    [InlineData(new byte[] { 0x61, 0xFF })]
    public void InvalidUtf8IsRejected(byte[] bytes) => Assert.False(Utf8Text.IsValid(bytes));

    [Fact]
    public void ValidUtf8IsAccepted()
    {
        Assert.True(Utf8Text.IsValid(ReadOnlySpan<byte>.Empty));
        Assert.True(Utf8Text.IsValid(Encoding.UTF8.GetBytes("plain ascii")));
        Assert.True(Utf8Text.IsValid(Encoding.UTF8.GetBytes("İ Σ ١٢ 😀 \u3000")));
    }

    [Fact]
    public void HashOfEqualBytesIsEqualAndLengthsDiffer()
    {
        var seen = new System.Collections.Generic.HashSet<ulong>();
        for (int length = 0; length <= 40; length++)
        {
            byte[] zeros = new byte[length];
            Assert.True(seen.Add(SpanHash.Hash(zeros)), $"length {length}");
            Assert.Equal(SpanHash.Hash(zeros), SpanHash.Hash(new byte[length]));
        }
    }
}
