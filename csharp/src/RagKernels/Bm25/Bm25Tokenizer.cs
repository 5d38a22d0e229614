using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace RagKernels.Bm25;

/// <summary>The two tokenizers of shared/spec/bm25.md.</summary>
public enum Bm25TokenizerKind
{
    /// <summary>Python <c>re.findall(r"\w+", text.lower())</c>.</summary>
    Word = 0,
    /// <summary>Python <c>re.findall(r"(?u)\b\w\w+\b", text.lower())</c>: runs of two or more word characters.</summary>
    Word2 = 1,
}

/// <summary>
/// Splits UTF-8 text into lower-cased tokens exactly as Python's <c>re.findall</c> does on
/// <c>text.lower()</c>, without building a .NET string: the text is read as UTF-8, each
/// character lower-cased and tested for being a word character, and the lowered bytes of a
/// token written to a caller buffer.
/// </summary>
/// <remarks>
/// Python's <c>str.lower()</c> is the simple Unicode lower-case mapping except for two cases
/// this reader reproduces by hand: U+0130 (İ) becomes "i" + U+0307 (so the combining dot,
/// not a word character, ends the token), and Σ becomes ς at the end of a word (the Final_Sigma
/// rule). A word character is <c>_</c> or a character for which <c>str.isalnum()</c> holds:
/// Unicode letters (L*) and numbers (N*). Written by hand because no library offers Python's
/// definitions; .NET's Unicode tables may be a version newer than Python's, which matters only
/// for characters assigned in between. A separate copy of these helpers is being written in
/// RagKernels.Text for the signals; the two should be unified.
/// </remarks>
public ref struct Bm25TokenReader
{
    private readonly ReadOnlySpan<byte> _text;
    private readonly Span<byte> _output;
    private readonly Bm25TokenizerKind _kind;
    private readonly bool _stopWords;
    private int _position;

    /// <summary>A reader over <paramref name="text"/>, which must be valid UTF-8 (checked by the
    /// caller); <paramref name="output"/> holds one token's lowered bytes and needs
    /// <see cref="OutputCapacity"/>(text.Length) bytes; <paramref name="kind"/> and
    /// <paramref name="stopWords"/> select the tokenizer.</summary>
    public Bm25TokenReader(ReadOnlySpan<byte> text, Span<byte> output, Bm25TokenizerKind kind, bool stopWords)
    {
        if (output.Length < OutputCapacity(text.Length))
        {
            // The ASCII fast path writes without bounds checks and relies on this size.
            throw new ArgumentException($"token buffer of {output.Length} bytes is smaller than OutputCapacity({text.Length})", nameof(output));
        }
        _text = text;
        _output = output;
        _kind = kind;
        _stopWords = stopWords;
        _position = 0;
    }

    /// <summary>Scratch bytes a text of <paramref name="textLength"/> bytes may need: lower-casing
    /// grows a character from 2 to at most 3 UTF-8 bytes.</summary>
    public static int OutputCapacity(int textLength) => textLength + textLength / 2 + 8;

    /// <summary>The next token's lowered UTF-8 bytes (valid until the next call), or false at the end.</summary>
    public bool Next(out ReadOnlySpan<byte> token)
    {
        ReadOnlySpan<byte> text = _text;
        int length = 0;
        int characters = 0;
        ref byte textStart = ref MemoryMarshal.GetReference(text);
        ref byte outputStart = ref MemoryMarshal.GetReference(_output);
        ref byte lowered = ref MemoryMarshal.GetArrayDataReference(s_asciiLowerWord);
        while (_position < text.Length)
        {
            byte c = text[_position];
            if (c < 0x80)
            {
                // ASCII fast path: a table gives the lowered byte of a word character (0 for any
                // other ASCII byte), and a whole run of ASCII word characters is copied in one
                // tight loop without bounds checks (_position < text.Length and the output holds
                // at least as many bytes as the text, see OutputCapacity). Non-ASCII bytes leave
                // the loop for the general path below, so mixed tokens are read as before.
                byte low = Unsafe.Add(ref lowered, c);
                if (low == 0)
                {
                    _position++;
                }
                else
                {
                    int position = _position;
                    int end = text.Length;
                    do
                    {
                        Unsafe.Add(ref outputStart, length++) = low;
                        characters++;
                        if (++position == end)
                        {
                            break;
                        }
                        c = Unsafe.Add(ref textStart, position);
                        low = c < 0x80 ? Unsafe.Add(ref lowered, c) : (byte)0;
                    }
                    while (low != 0);
                    _position = position;
                    if (position == end || c >= 0x80)
                    {
                        continue;
                    }
                    _position++; // the ASCII non-word byte that ended the run
                }
            }
            else
            {
                Rune.DecodeFromUtf8(text[_position..], out Rune rune, out int consumed);
                int start = _position;
                _position += consumed;
                if (rune.Value == 0x130)
                {
                    // "İ".lower() == "i\u0307": the 'i' belongs to the token, the dot ends it.
                    _output[length++] = (byte)'i';
                    characters++;
                }
                else
                {
                    Rune lower = rune.Value == 0x3A3 ? Sigma(text, start, consumed) : Rune.ToLowerInvariant(rune);
                    if (IsWord(lower))
                    {
                        length += lower.EncodeToUtf8(_output[length..]);
                        characters++;
                        continue;
                    }
                }
            }
            // A non-word character ends the token being read, if any.
            if (length > 0 && Keep(length, characters))
            {
                token = _output[..length];
                return true;
            }
            length = 0;
            characters = 0;
        }
        if (length > 0 && Keep(length, characters))
        {
            token = _output[..length];
            return true;
        }
        token = default;
        return false;
    }

    private readonly bool Keep(int length, int characters)
    {
        if (_kind == Bm25TokenizerKind.Word2 && characters < 2)
        {
            return false;
        }
        // The token starts at _output[0] and the buffer has at least 8 bytes: the padded check
        // reads them as one integer.
        return !_stopWords || length > 5 || !Bm25StopWords.IsEnglishPadded(_output, length);
    }

    // Lowered byte of each ASCII word character ([0-9A-Za-z_]); 0 for the other ASCII bytes.
    private static readonly byte[] s_asciiLowerWord = AsciiLowerWordTable();

    private static byte[] AsciiLowerWordTable()
    {
        var table = new byte[128];
        for (int c = 1; c < 128; c++)
        {
            if (IsAsciiWord((byte)c))
            {
                table[c] = (byte)(c is >= 'A' and <= 'Z' ? c + 32 : c);
            }
        }
        return table;
    }

    private static bool IsAsciiWord(byte c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == '_';

    /// <summary>Python's <c>\w</c>: <c>_</c> or <c>str.isalnum()</c> (letters and numbers).</summary>
    public static bool IsWord(Rune rune)
    {
        if (rune.IsAscii)
        {
            return IsAsciiWord((byte)rune.Value);
        }
        UnicodeCategory category = Rune.GetUnicodeCategory(rune);
        return category <= UnicodeCategory.OtherLetter
            || category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;
    }

    /// <summary>Python's lower-casing of Σ: ς when a cased letter precedes it and none follows
    /// (case-ignorable characters skipped both ways), σ otherwise.</summary>
    private static Rune Sigma(ReadOnlySpan<byte> text, int start, int consumed)
    {
        bool final = false;
        ReadOnlySpan<byte> before = text[..start];
        while (before.Length > 0)
        {
            Rune.DecodeLastFromUtf8(before, out Rune previous, out int size);
            before = before[..^size];
            if (!IsCaseIgnorable(previous))
            {
                final = IsCased(previous);
                break;
            }
        }
        if (final)
        {
            ReadOnlySpan<byte> after = text[(start + consumed)..];
            while (after.Length > 0)
            {
                Rune.DecodeFromUtf8(after, out Rune next, out int size);
                after = after[size..];
                if (!IsCaseIgnorable(next))
                {
                    final = !IsCased(next);
                    break;
                }
            }
        }
        return new Rune(final ? 0x3C2 : 0x3C3);
    }

    // Cased = Lu, Ll, Lt, or the Other_Uppercase / Other_Lowercase ranges (Roman numerals,
    // circled letters, modifier letters such as ª º ʰ).
    private static bool IsCased(Rune rune)
    {
        if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
        {
            return true;
        }
        int c = rune.Value;
        return c is 0xAA or 0xBA or (>= 0x2B0 and <= 0x2B8) or 0x2C0 or 0x2C1 or (>= 0x2E0 and <= 0x2E4) or 0x345 or 0x37A
            or 0x10FC or (>= 0x1D2C and <= 0x1D6A) or 0x1D78 or (>= 0x1D9B and <= 0x1DBF) or 0x2071 or 0x207F
            or (>= 0x2090 and <= 0x209C) or (>= 0x2160 and <= 0x217F) or (>= 0x24B6 and <= 0x24E9) or 0x2C7C or 0x2C7D
            or 0xA69C or 0xA69D or 0xA770 or 0xA7F8 or 0xA7F9 or (>= 0xAB5C and <= 0xAB5F) or (>= 0x1F130 and <= 0x1F149)
            or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189);
    }

    private static bool IsCaseIgnorable(Rune rune)
    {
        switch (rune.Value)
        {
            case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4:
            case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52:
            case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
                return true;
        }
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
    }
}

/// <summary>The 33-word Lucene English stop-word list (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET).</summary>
public static class Bm25StopWords
{
    private static readonly byte[][] s_words = Split(
        "a an and are as at be but by for if in into is it no not of on or such that the their " +
        "then there these they this to was will with");

    // Every word is at most 5 ASCII bytes: packed into a ulong (no word contains a zero byte, so
    // the packing is one-to-one) and placed in a 256-slot table by a multiplicative hash whose
    // multiplier is chosen at start-up so that no two words share a slot (a perfect hash): one
    // multiply, one load and one compare per token.
    private const int SlotShift = 56;
    private static readonly ulong s_multiplier;
    private static readonly ulong[] s_slots = BuildSlots(out s_multiplier);

    /// <summary>The list as UTF-8 words.</summary>
    public static ReadOnlySpan<byte[]> English => s_words;

    /// <summary>Whether <paramref name="token"/> (lower-case UTF-8) is on the list.</summary>
    public static bool IsEnglish(ReadOnlySpan<byte> token) =>
        token.Length is > 0 and <= 5 && Lookup(Pack(token));

    /// <summary>Whether the <paramref name="length"/> bytes at the start of
    /// <paramref name="buffer"/> (at least 8 bytes long) are on the list.</summary>
    public static bool IsEnglishPadded(ReadOnlySpan<byte> buffer, int length)
    {
        if ((uint)(length - 1) >= 5 || buffer.Length < 8)
        {
            return length is > 0 and <= 5 && IsEnglish(buffer[..length]);
        }
        ulong packed = BinaryPrimitives.ReadUInt64LittleEndian(buffer) & ((1UL << (8 * length)) - 1);
        return Lookup(packed);
    }

    private static bool Lookup(ulong packed) => s_slots[(int)((packed * s_multiplier) >> SlotShift)] == packed;

    private static ulong[] BuildSlots(out ulong multiplier)
    {
        // Deterministic search over odd multipliers; a few tries suffice for 33 keys in 256 slots.
        // Slot 0 of an empty slot holds 0, which no packed word (nor a non-empty token) equals.
        for (ulong m = 0x9E3779B97F4A7C15UL; ; m += 2 * 0x632BE59BD9B4E019UL)
        {
            var slots = new ulong[1 << (64 - SlotShift)];
            bool ok = true;
            foreach (byte[] word in s_words)
            {
                ulong packed = Pack(word);
                int slot = (int)((packed * m) >> SlotShift);
                if (slots[slot] != 0)
                {
                    ok = false;
                    break;
                }
                slots[slot] = packed;
            }
            if (ok)
            {
                multiplier = m;
                return slots;
            }
        }
    }

    private static ulong Pack(ReadOnlySpan<byte> token)
    {
        ulong packed = 0;
        for (int i = 0; i < token.Length; i++)
        {
            packed |= (ulong)token[i] << (8 * i);
        }
        return packed;
    }

    private static byte[][] Split(string words)
    {
        string[] parts = words.Split(' ');
        var result = new byte[parts.Length][];
        for (int i = 0; i < parts.Length; i++)
        {
            result[i] = Encoding.ASCII.GetBytes(parts[i]);
        }
        return result;
    }
}
