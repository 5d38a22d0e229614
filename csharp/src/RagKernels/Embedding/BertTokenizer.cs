using System;
using System.Text;

namespace RagKernels.Embedding;

/// <summary>How a BERT tokenizer normalises text (tokenizer_config.json / tokenizer.json's
/// BertNormalizer). <see cref="StripAccents"/> defaults to <see cref="LowerCase"/>, as in BERT.</summary>
public readonly record struct BertTokenizerOptions(bool LowerCase, bool StripAccents, bool TokenizeChineseChars)
{
    /// <summary>Words longer than this many code points become [UNK] (BERT's max_input_chars_per_word).</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;
}

/// <summary>
/// BERT's tokenizer: the basic tokenizer (clean text, split CJK ideographs, lower-case, strip
/// accents, split on whitespace and punctuation) then greedy longest-match-first WordPiece, over
/// UTF-8 input, straight to ids. Follows google-research/bert tokenization.py, checked token for
/// token against the pure-Python twin (ragkernels.embed._tokenizer_py) in the tests.
/// </summary>
/// <remarks>
/// Thread-safe and allocation-free per call: the word being built lives on the stack.
/// Special tokens written inside the text ("[SEP]") are ordinary text here, as in the published
/// algorithm (Hugging Face's tokenizers would match them as added tokens).
/// </remarks>
public sealed class BertTokenizer
{
    // A word of MaxInputCharsPerWord code points needs at most twice as many UTF-16 chars; one
    // character's normalised form adds at most a few more before the length check.
    private const int WordBufferChars = 512;

    private readonly WordPieceVocabulary _vocab;
    private readonly BertTokenizerOptions _options;

    public int ClsId { get; }
    public int SepId { get; }
    public int UnkId { get; }
    public int PadId { get; }
    public WordPieceVocabulary Vocabulary => _vocab;
    public BertTokenizerOptions Options => _options;

    public BertTokenizer(WordPieceVocabulary vocab, BertTokenizerOptions options,
        string cls = "[CLS]", string sep = "[SEP]", string unk = "[UNK]", string pad = "[PAD]")
    {
        if (options.MaxInputCharsPerWord < 1 || options.MaxInputCharsPerWord > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxInputCharsPerWord must be between 1 and 200");
        }
        _vocab = vocab;
        _options = options;
        ClsId = Special(vocab, cls);
        SepId = Special(vocab, sep);
        UnkId = Special(vocab, unk);
        PadId = vocab.Id(pad) is int padId and >= 0 ? padId : 0;
    }

    private static int Special(WordPieceVocabulary vocab, string token)
    {
        int id = vocab.Id(token);
        return id >= 0 ? id : throw new System.IO.InvalidDataException($"the vocabulary has no {token} token");
    }

    /// <summary>
    /// Tokenizes valid UTF-8 <paramref name="utf8"/> into <c>[CLS] pieces… [SEP]</c>, keeping the
    /// first <paramref name="maxLength"/> − 2 pieces (truncation). Writes into
    /// <paramref name="ids"/> (at least <paramref name="maxLength"/> long) and returns the count.
    /// Tokenization stops once the budget is full, so a huge text costs only its prefix.
    /// </summary>
    public int Encode(ReadOnlySpan<byte> utf8, Span<int> ids, int maxLength)
    {
        if (maxLength < 2 || ids.Length < maxLength)
        {
            throw new ArgumentException("maxLength must be at least 2 and ids at least maxLength long");
        }
        ids[0] = ClsId;
        var state = new WordState(stackalloc char[WordBufferChars], ids.Slice(1, maxLength - 2));
        Tokenize(utf8, ref state);
        ids[1 + state.Count] = SepId;
        return state.Count + 2;
    }

    /// <summary>Number of pieces of <paramref name="utf8"/> without [CLS]/[SEP] or truncation
    /// (for benchmarks and tests).</summary>
    public int CountPieces(ReadOnlySpan<byte> utf8, Span<int> scratch)
    {
        var state = new WordState(stackalloc char[WordBufferChars], scratch);
        Tokenize(utf8, ref state);
        return state.Count;
    }

    private ref struct WordState(Span<char> word, Span<int> output)
    {
        public Span<char> Word = word;
        public int Length;          // UTF-16 chars in Word
        public int CodePoints;      // code points in the current word (BERT counts these)
        public bool TooLong;
        public Span<int> Output = output;
        public int Count;
        public readonly bool Full => Count == Output.Length;
    }

    private void Tokenize(ReadOnlySpan<byte> utf8, scoped ref WordState state)
    {
        Span<char> normalised = stackalloc char[16];
        int i = 0;
        while (i < utf8.Length && !state.Full)
        {
            byte b = utf8[i];
            Rune rune;
            int size;
            if (b < 0x80)
            {
                rune = new Rune(b);
                size = 1;
            }
            else
            {
                Rune.DecodeFromUtf8(utf8[i..], out rune, out size);
            }
            int start = i;
            i += size;
            int c = rune.Value;
            // ASCII fast path: letters and digits are by far the most common characters.
            if (b < 0x80 && (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9)
            {
                if (_options.LowerCase && (uint)(c - 'A') <= 'Z' - 'A')
                {
                    c |= 0x20;
                }
                Append(ref state, (char)c);
                continue;
            }
            if (c == 0 || c == 0xFFFD || BertCharacters.IsControl(rune))
            {
                continue;
            }
            if (BertCharacters.IsWhitespace(rune))
            {
                EndWord(ref state);
                continue;
            }
            bool chinese = _options.TokenizeChineseChars && BertCharacters.IsChinese(c);
            if (chinese)
            {
                EndWord(ref state);
            }
            int n = Normalise(rune, utf8, start, i, normalised);
            for (int k = 0; k < n; k++)
            {
                char ch = normalised[k];
                int cp = ch;
                int width = 1;
                if (char.IsHighSurrogate(ch) && k + 1 < n)
                {
                    cp = char.ConvertToUtf32(ch, normalised[k + 1]);
                    width = 2;
                }
                if (BertCharacters.IsPunctuation(cp))
                {
                    EndWord(ref state);
                    Append(ref state, normalised.Slice(k, width));
                    EndWord(ref state);
                }
                else
                {
                    Append(ref state, normalised.Slice(k, width));
                }
                k += width - 1;
            }
            if (chinese)
            {
                EndWord(ref state);
            }
        }
        EndWord(ref state);
    }

    /// <summary>The lower-cased and/or accent-stripped form of one character.</summary>
    private int Normalise(Rune rune, ReadOnlySpan<byte> utf8, int start, int end, Span<char> output)
    {
        Span<char> lowered = stackalloc char[4];
        int n;
        if (!_options.LowerCase)
        {
            n = rune.EncodeToUtf16(lowered);
        }
        else if (rune.Value == 0x130)
        {
            // Python's str.lower() uses the full mapping: İ → i + combining dot above.
            lowered[0] = 'i';
            lowered[1] = '\u0307';
            n = 2;
        }
        else if (rune.Value == 0x3A3)
        {
            lowered[0] = IsFinalSigma(utf8, start, end) ? '\u03C2' : '\u03C3';
            n = 1;
        }
        else
        {
            n = Rune.ToLowerInvariant(rune).EncodeToUtf16(lowered);
        }
        if (!_options.StripAccents)
        {
            lowered[..n].CopyTo(output);
            return n;
        }
        int written = 0;
        for (int k = 0; k < n;)
        {
            Rune.DecodeFromUtf16(lowered[k..n], out Rune r, out int used);
            written += BertCharacters.StripAccents(r, output[written..]);
            k += used;
        }
        return written;
    }

    /// <summary>Unicode's Final_Sigma condition, as Python's str.lower() applies it: a cased
    /// character before (skipping case-ignorable ones) and none after. Characters that text
    /// cleaning removes are skipped as if absent.</summary>
    private static bool IsFinalSigma(ReadOnlySpan<byte> utf8, int start, int end)
    {
        bool casedBefore = false;
        int i = start;
        while (i > 0)
        {
            int j = i - 1;
            while (j > 0 && (utf8[j] & 0xC0) == 0x80)
            {
                j--;
            }
            Rune.DecodeFromUtf8(utf8[j..i], out Rune r, out _);
            i = j;
            if (IsRemoved(r) || BertCharacters.IsCaseIgnorable(r))
            {
                continue;
            }
            casedBefore = BertCharacters.IsCased(r);
            break;
        }
        if (!casedBefore)
        {
            return false;
        }
        i = end;
        while (i < utf8.Length)
        {
            Rune.DecodeFromUtf8(utf8[i..], out Rune r, out int size);
            i += size;
            if (IsRemoved(r) || BertCharacters.IsCaseIgnorable(r))
            {
                continue;
            }
            return !BertCharacters.IsCased(r);
        }
        return true;
    }

    private static bool IsRemoved(Rune r) => r.Value == 0 || r.Value == 0xFFFD || BertCharacters.IsControl(r);

    private static void Append(ref WordState state, char c)
    {
        if (state.TooLong)
        {
            return;
        }
        state.Word[state.Length++] = c;
        state.CodePoints++;
        if (state.CodePoints > 100 && state.Length > 0)
        {
            CheckLength(ref state);
        }
    }

    private static void Append(ref WordState state, scoped ReadOnlySpan<char> chars)
    {
        if (state.TooLong)
        {
            return;
        }
        chars.CopyTo(state.Word[state.Length..]);
        state.Length += chars.Length;
        state.CodePoints++;
        if (state.CodePoints > 100)
        {
            CheckLength(ref state);
        }
    }

    private static void CheckLength(ref WordState state)
    {
        // The limit is configurable up to 200; the buffer holds 200 code points of 2 chars plus a
        // character's normalised form, so only a word over the limit is cut short here.
        if (state.CodePoints > 200)
        {
            state.TooLong = true;
        }
    }

    private void EndWord(ref WordState state)
    {
        int length = state.Length;
        bool tooLong = state.TooLong || state.CodePoints > _options.MaxInputCharsPerWord;
        state.Length = 0;
        state.CodePoints = 0;
        state.TooLong = false;
        if (length == 0 && !tooLong)
        {
            return;
        }
        if (tooLong)
        {
            Emit(ref state, UnkId);
            return;
        }
        ReadOnlySpan<char> word = state.Word[..length];
        // First pass: find the pieces; nothing is written unless the whole word matches
        // (a word with an unmatched rest is a single [UNK]).
        Span<int> pieces = stackalloc int[length];
        int count = 0;
        int startAt = 0;
        int longest = _vocab.LongestPiece;
        while (startAt < length)
        {
            int end = Math.Min(length, startAt + longest);
            int id = -1;
            while (end > startAt)
            {
                ReadOnlySpan<char> piece = word[startAt..end];
                id = startAt == 0 ? _vocab.Start(piece) : _vocab.Continuation(piece);
                if (id >= 0)
                {
                    break;
                }
                end--;
            }
            if (id < 0)
            {
                Emit(ref state, UnkId);
                return;
            }
            pieces[count++] = id;
            startAt = end;
        }
        for (int k = 0; k < count; k++)
        {
            Emit(ref state, pieces[k]);
        }
    }

    private static void Emit(ref WordState state, int id)
    {
        if (!state.Full)
        {
            state.Output[state.Count++] = id;
        }
    }
}
