using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RagKernels.Bm25;
using Xunit;

namespace RagKernels.Tests;

/// <summary>
/// The tokenizer's ASCII fast path, the perfect-hash stop-word check and the padded vocabulary
/// lookup against straightforward references written here (per character, .NET strings), on
/// random ASCII and mixed ASCII / non-ASCII texts.
/// </summary>
public class Bm25TokenizerFastPathTests
{
    private static readonly HashSet<string> s_stop = new(
        "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with".Split(' '));

    // Non-ASCII characters whose lower case is the simple one (no İ or Σ, whose Python rules the
    // reference below does not model): letters, a combining mark, digits, spaces, punctuation.
    private const string NonAscii = "éÄßж中\u0301٣\u00a0—…Ⅻ²";

    private static List<string> Tokens(byte[] bytes, Bm25TokenizerKind kind, bool stop) => Bm25Tests.Tokens(bytes, kind, stop);

    /// <summary>Python's <c>re.findall(r"\w+", text.lower())</c> for texts without İ or Σ,
    /// one character at a time on a .NET string.</summary>
    private static List<string> Reference(string text, Bm25TokenizerKind kind, bool stop)
    {
        string lower = text.ToLowerInvariant();
        var tokens = new List<string>();
        var current = new StringBuilder();
        int characters = 0;
        void End()
        {
            string token = current.ToString();
            if (token.Length > 0 && !(kind == Bm25TokenizerKind.Word2 && characters < 2) && !(stop && s_stop.Contains(token)))
            {
                tokens.Add(token);
            }
            current.Clear();
            characters = 0;
        }
        foreach (Rune rune in lower.EnumerateRunes())
        {
            UnicodeCategory category = Rune.GetUnicodeCategory(rune);
            bool word = rune.Value == '_' || category <= UnicodeCategory.OtherLetter
                || category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;
            if (word)
            {
                current.Append(rune.ToString());
                characters++;
            }
            else
            {
                End();
            }
        }
        End();
        return tokens;
    }

    private static string RandomText(Random random, string alphabet, int length)
    {
        var text = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            // Now and then a whole stop word or a long word, so both checks see real hits.
            int pick = random.Next(40);
            if (pick == 0)
            {
                text.Append(s_stop.ElementAt(random.Next(s_stop.Count)).ToUpperInvariant());
            }
            else if (pick == 1)
            {
                text.Append("Internationalization_2024");
            }
            else
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }
        }
        return text.ToString();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AsciiAndMixedTextsTokenizeLikeTheReference(bool mixed)
    {
        var random = new Random(mixed ? 11 : 7);
        string ascii = "aAbBzZ09_ yY.,;'\t\n-!~\x7f\x01Tt";
        string alphabet = mixed ? ascii + NonAscii : ascii;
        for (int n = 0; n < 400; n++)
        {
            string text = RandomText(random, alphabet, random.Next(0, 120));
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            foreach (Bm25TokenizerKind kind in new[] { Bm25TokenizerKind.Word, Bm25TokenizerKind.Word2 })
            {
                foreach (bool stop in new[] { false, true })
                {
                    Assert.Equal(Reference(text, kind, stop), Tokens(bytes, kind, stop));
                }
            }
        }
    }

    [Fact]
    public void EveryAsciiByteIsClassifiedLikeTheReference()
    {
        for (int c = 0; c < 128; c++)
        {
            string text = "ab" + (char)c + "Cd" + (char)c;
            Assert.Equal(Reference(text, Bm25TokenizerKind.Word, false), Tokens(Encoding.UTF8.GetBytes(text), Bm25TokenizerKind.Word, false));
        }
    }

    [Fact]
    public void RunsEndingAtNonAsciiContinueOnTheGeneralPath()
    {
        Assert.Equal(["abcé", "x"], Tokens(Encoding.UTF8.GetBytes("ABCÉ—X"), Bm25TokenizerKind.Word, false));
        Assert.Equal(["the中", "i", "stanbul"], Tokens(Encoding.UTF8.GetBytes("THE中 İstanbul"), Bm25TokenizerKind.Word, true));
        Assert.Equal(["σοφος"], Tokens(Encoding.UTF8.GetBytes("a ΣΟΦΟΣ"), Bm25TokenizerKind.Word2, true));
    }

    [Fact]
    public void TooSmallOutputBufferIsRejected()
    {
        byte[] text = Encoding.UTF8.GetBytes("some words here");
        Assert.Throws<ArgumentException>(() =>
        {
            var reader = new Bm25TokenReader(text, new byte[text.Length], Bm25TokenizerKind.Word, false);
        });
    }

    [Fact]
    public void StopWordPerfectHashMatchesTheList()
    {
        var random = new Random(3);
        var candidates = new List<string>(s_stop);
        foreach (string word in s_stop)
        {
            candidates.Add(word + "s");
            candidates.Add(word[..^1]);
            candidates.Add("x" + word);
        }
        for (int i = 0; i < 5000; i++)
        {
            int length = random.Next(1, 7);
            candidates.Add(new string(Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(26))).ToArray()));
        }
        var buffer = new byte[16];
        foreach (string word in candidates)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(word);
            bool expected = s_stop.Contains(word);
            Assert.Equal(expected, Bm25StopWords.IsEnglish(bytes));
            // Garbage after the word must not matter to the padded check.
            random.NextBytes(buffer);
            bytes.CopyTo(buffer, 0);
            Assert.Equal(expected, Bm25StopWords.IsEnglishPadded(buffer, bytes.Length));
        }
    }

    [Fact]
    public void PaddedVocabularyLookupEqualsPlainLookup()
    {
        var random = new Random(5);
        var vocabulary = new Bm25Vocabulary();
        var words = new List<byte[]>();
        for (int i = 0; i < 3000; i++)
        {
            var word = new byte[random.Next(1, 24)];
            for (int j = 0; j < word.Length; j++)
            {
                word[j] = (byte)('a' + random.Next(4));
            }
            words.Add(word);
            vocabulary.Add(word);
        }
        var buffer = new byte[40];
        for (int i = 0; i < 6000; i++)
        {
            byte[] word = i < words.Count ? words[i] : Encoding.ASCII.GetBytes("zz" + i);
            random.NextBytes(buffer);
            word.CopyTo(buffer, 0);
            Assert.Equal(vocabulary.Find(word), vocabulary.FindPadded(buffer, word.Length));
            // A buffer that ends with the word (no room for a padded read) gives the same answer.
            Assert.Equal(vocabulary.Find(word), vocabulary.FindPadded(word, word.Length));
        }
    }
}
