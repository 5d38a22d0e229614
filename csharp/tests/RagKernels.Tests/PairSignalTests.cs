using System;
using System.Linq;
using System.Text;
using RagKernels.Signals;
using Xunit;

namespace RagKernels.Tests;

/// <summary>The four pairwise kernels on the golden rows of shared/spec/signals.md.</summary>
public class PairSignalTests
{
    private const string Claim = "The Team Plan costs $19 per user per month and supports up to 25 users with email support. "
        + "Phone support is available for all paid plans. We are SOC 2 Type II, ISO 27001, HIPAA, and FedRAMP certified.";
    private const string Source = "Team Plan costs $19 per user per month, up to 25 users. Phone support is Enterprise only. "
        + "All paid plans include a 14-day free trial. SOC 2 Type II and ISO 27001 certified.";

    // numerical: 1 = True, 0 = False, -1 = None.
    public static TheoryData<string, string, double, int, bool, double> Golden => new()
    {
        { "Paris is the capital of France", "France has its capital in Paris", 1.0, -1, false, 1.0 },
        { "Paris is the capital of France", "The capital of France is Paris", 0.6666666666666666, -1, false, 1.0 },
        { "Alice works at Google", "Bob works at Microsoft", 0.0, -1, false, 0.3333333333333333 },
        { "", "", 1.0, -1, false, 1.0 },
        { "Met Paris and Berlin today", "Met Paris and London today", 0.3333333333333333, -1, false, 0.75 },
        { "Data retained for 90 days", "Data retained for 30 days", 1.0, 0, false, 0.75 },
        { "Population is 1,000,000", "City has 1,000,000 people", 0.0, 1, false, 0.5 },
        { "costs $99 per month", "price is $99", 1.0, 1, false, 0.25 },
        { "Phone support is not available for Team plan", "Phone support is available for all paid plans", 0.5, -1, true, 0.6 },
        { "The product does not support multi-user mode", "The product supports multi-user mode fully", 1.0, -1, true, 0.75 },
        { "HIPAA and FedRAMP certified", "SOC 2 Type II and ISO 27001 certified", 0.0, -1, false, 0.3333333333333333 },
        { "The speed is 100 km/h", "Speed: 100 km/h", 0.0, 1, false, 0.6666666666666666 },
        { "We don't offer refunds on annual plans", "We offer refunds on annual plans", 1.0, -1, true, 1.0 },
        { Claim, Source, 0.2857142857142857, 1, false, 0.5862068965517241 },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void GoldenRows(string a, string b, double entity, int numerical, bool negation, double trace)
    {
        byte[] x = Encoding.UTF8.GetBytes(a);
        byte[] y = Encoding.UTF8.GetBytes(b);
        Assert.Equal(entity, EntityOverlap.Compute(x, y));
        Assert.Equal(numerical, NumericalConsistency.Compute(x, y));
        Assert.Equal(negation, NegationFlip.Compute(x, y));
        Assert.Equal(trace, Traceability.Compute(x, y));
    }

    [Fact]
    public void LongTextsGrowTheScratchAndGiveTheSameAnswers()
    {
        var claim = new StringBuilder();
        var source = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            claim.Append("Word").Append(i % 700).Append(" Paris ").Append(i).Append(' ');
            source.Append("word").Append(i % 350).Append(' ');
        }
        byte[] c = Encoding.UTF8.GetBytes(claim.ToString());
        byte[] s = Encoding.UTF8.GetBytes(source.ToString());
        // Claim words: word0..word699 (lower-cased), "paris", and the numbers 0..2999.
        Assert.Equal(350.0 / (700 + 1 + 3000), Traceability.Compute(c, s));
        Assert.Equal(1.0, Traceability.Compute("Rome"u8, "rome"u8));
        Assert.Equal(1, NumericalConsistency.Compute(c, "2999"u8));
    }

    [Fact]
    public void SteadyStateCallsAllocateNothing()
    {
        byte[] claim = Encoding.UTF8.GetBytes(Claim + " ΟΔΟΣ İstanbul ١٢٣");
        byte[] source = Encoding.UTF8.GetBytes(Source + " οδος 123");
        double sink = 0;
        Action all = () => sink += EntityOverlap.Compute(claim, source) + NumericalConsistency.Compute(claim, source)
            + (NegationFlip.Compute(claim, source) ? 1 : 0) + Traceability.Compute(claim, source);
        all(); // grows this thread's scratch
        Allocations.AssertSteadyStateAllocatesNothing(all, calls: 100);
        Assert.True(sink > 0);
    }

    [Fact]
    public void WordListsAreTheSpecsSizes()
    {
        Assert.Equal(54, WordLists.StopWords.Length);
        Assert.Equal(24, WordLists.NegationWords.Length);
        Assert.Equal(54 + 24, new System.Collections.Generic.HashSet<string>(WordLists.StopWords.Concat(WordLists.NegationWords)).Count);
    }

    [Fact]
    public void ClassifyFindsExactlyTheListedWords()
    {
        // The lookup is a generated table (WordListTable.g.cs); compare it with the plain lists
        // on every list word, its near misses, and every string of up to 3 bytes over [a-z'].
        var kinds = WordLists.StopWords.ToDictionary(w => w, _ => WordLists.Stop);
        foreach (string word in WordLists.NegationWords)
        {
            kinds[word] = WordLists.Negation;
        }
        var candidates = new System.Collections.Generic.List<string>();
        foreach (string word in kinds.Keys)
        {
            candidates.Add(word);
            candidates.Add(word + "s");
            candidates.Add(word + ",");
            candidates.Add(word.Substring(1));
            candidates.Add(word.Substring(0, word.Length - 1));
            candidates.Add(word.ToUpperInvariant());
            candidates.Add(word.Replace('\'', '\u2019'));
        }
        const string letters = "abcdefghijklmnopqrstuvwxyz'";
        foreach (char x in letters)
        {
            candidates.Add($"{x}");
            foreach (char y in letters)
            {
                candidates.Add($"{x}{y}");
                foreach (char z in letters)
                {
                    candidates.Add($"{x}{y}{z}");
                }
            }
        }
        foreach (string candidate in candidates)
        {
            byte expected = kinds.TryGetValue(candidate, out byte kind) ? kind : WordLists.None;
            Assert.True(expected == Classify(candidate), candidate);
        }
    }

    [Fact]
    public void NegationSearchAgreesWithSplittingTheLowerCasedText()
    {
        // Random ASCII texts of 0..300 bytes (so words straddle the 64-byte blocks and the tail)
        // from words that hit and narrowly miss the patterns NegationSearch looks for.
        string[] vocabulary =
        [
            "not", "NOT", "Not", "no", "No.", "nor", "never", "none", "nobody", "neither", "cannot", "CANNOT",
            "can't", "Can't", "won't", "isn't", "shouldn't", "couldn't", "without", "WITHOUT", "throughout",
            "don't,", "not,", "(not)", "can\u2019t", "nnot", "hout", "n't", "'t", "n'", "don'", "xn't", "shouldn'tt",
            "now", "new", "nothing", "an", "and", "the", "Plan", "support", "unknown", "know", "tenant", "x", "",
        ];
        string[] separators = [" ", "  ", "\t", "\n", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f"];
        var negation = new System.Collections.Generic.HashSet<string>(WordLists.NegationWords);
        var random = new System.Random(8);
        for (int round = 0; round < 20_000; round++)
        {
            var text = new StringBuilder();
            int target = random.Next(0, 300);
            if (random.Next(4) == 0)
            {
                text.Append(separators[random.Next(separators.Length)]);
            }
            while (text.Length < target)
            {
                text.Append(vocabulary[random.Next(vocabulary.Length)]);
                text.Append(separators[random.Next(separators.Length)]);
            }
            if (random.Next(2) == 0 && text.Length > 0)
            {
                text.Length--; // sometimes end inside a word
            }
            // Mostly ASCII; a curly apostrophe now and then makes the text non-ASCII.
            string value = random.Next(8) == 0 ? text.ToString() : text.ToString().Replace('\u2019', 'x');
            bool expected = value.ToLowerInvariant()
                .Split([' ', '\t', '\n', '\r', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x1f'], System.StringSplitOptions.RemoveEmptyEntries)
                .Any(negation.Contains);
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            int found = NegationSearch.Find(bytes);
            // Read in place with bytes after the text (as in a batch): the same answer.
            byte[] followed = FollowedByNoise(bytes, random, out int slack);
            Assert.True(found == NegationSearch.Find(new System.ReadOnlySpan<byte>(followed, 0, bytes.Length), slack), $"slack {slack} for {value}");
            if (value.All(c => c < 0x80))
            {
                Assert.True((expected ? 1 : 0) == found, $"{found} for {value}");
            }
            else
            {
                // A negation word met before the first non-ASCII byte is still a sure answer.
                Assert.True(found == NegationSearch.NotAscii || (found == 1 && expected), $"{found} for {value}");
            }
        }
    }

    /// <summary>Words and separators drawn at random until the text is at least a random length
    /// of 0..<paramref name="maxLength"/> - 1 characters.</summary>
    private static string RandomText(System.Random random, string[] vocabulary, string[] separators, int maxLength)
    {
        var text = new StringBuilder();
        int target = random.Next(0, maxLength);
        while (text.Length < target)
        {
            text.Append(vocabulary[random.Next(vocabulary.Length)]);
            text.Append(separators[random.Next(separators.Length)]);
        }
        return text.ToString();
    }

    [Fact]
    public void EntityMatcherAgreesWithTheRegexOnAsciiText()
    {
        // On ASCII text without \x1c-\x1f, .NET's regex means what Python's does, so it is an
        // independent reference here. Texts of 0..300 bytes put matches across the 64-byte
        // blocks and the tail; the words hit and narrowly miss the pattern.
        var regex = new System.Text.RegularExpressions.Regex(@"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b");
        string[] vocabulary =
        [
            "Paris", "New", "York", "The", "Team", "Plan", "SOC", "II", "I", "FedRAMP", "McDonald", "iPhone", "O'Brien",
            "Jean-Paul", "(Paris)", "Plan9", "Yo1", "A", "Ab", "x", "_Ab", "9Ab", "Ab_", "costs", "$19", "Phone.", "",
        ];
        string[] separators = [" ", "  ", "\t", "\n", "\r\n", "\v", "\f", ", ", ". "];
        var random = new System.Random(8);
        for (int round = 0; round < 20_000; round++)
        {
            string value = RandomText(random, vocabulary, separators, 300);
            if (random.Next(2) == 0 && value.Length > 0)
            {
                value = value[..^1];
            }
            string[] expected = regex.Matches(value).Select(m => m.Value).ToArray();
            Assert.Equal(expected, EntityMatches(value));
        }
    }

    [Fact]
    public unsafe void NumberMatcherAgreesWithTheRegexOnAsciiText()
    {
        // On ASCII text, .NET's \d and \b mean what Python's do, so the regex is an independent
        // reference. Texts of 0..300 bytes put runs across the 64-byte blocks and the tail;
        // the pieces make digit runs with ',' and '.', glued to letters or not. Each text is
        // scanned with and without the ASCII hint (a batch's), followed by noise.
        var regex = new System.Text.RegularExpressions.Regex(@"\b\d[\d,.]*\b");
        string[] vocabulary = ["19", "$19", "27,001", "3.5", "1.", ".5", "a1", "1a", "_1", "1_", "1,2,", "2024", "x", "Team", "0", ",", ".", ""];
        string[] separators = [" ", "", ", ", ". ", "\t", "-"];
        var random = new System.Random(9);
        for (int round = 0; round < 20_000; round++)
        {
            string value = RandomText(random, vocabulary, separators, 300);
            string[] expected = regex.Matches(value).Select(m => m.Value).ToArray();
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            byte[] followed = FollowedByNoise(bytes, random, out _);
            fixed (byte* p = bytes, q = followed)
            {
                var checkedScan = new CollectMatches(new System.Collections.Generic.List<string>());
                NumberMatcher.Scan(p, p + bytes.Length, ref checkedScan);
                Assert.Equal(expected, checkedScan.Matches);
                var inPlace = new CollectMatches(new System.Collections.Generic.List<string>());
                NumberMatcher.Scan(q, q + bytes.Length, ref inPlace, ascii: true);
                Assert.Equal(expected, inPlace.Matches);
            }
        }
    }

    private static unsafe string[] EntityMatches(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var visitor = new CollectMatches(new System.Collections.Generic.List<string>());
        fixed (byte* p = bytes)
        {
            EntityMatcher.Scan(p, p + bytes.Length, ref visitor);
        }
        // Read in place with bytes after the text (as in a batch): the same matches.
        byte[] followed = FollowedByNoise(bytes, new System.Random(text.Length), out int slack);
        var inPlace = new CollectMatches(new System.Collections.Generic.List<string>());
        fixed (byte* p = followed)
        {
            EntityMatcher.Scan(p, p + bytes.Length, ref inPlace, slack);
        }
        Assert.Equal(visitor.Matches, inPlace.Matches);
        return visitor.Matches.ToArray();
    }

    /// <summary><paramref name="text"/> followed by 0-99 bytes that could continue a match or a
    /// pattern (letters, apostrophes, whitespace, digits, bytes above ASCII); slack = their count.</summary>
    private static byte[] FollowedByNoise(byte[] text, System.Random random, out int slack)
    {
        byte[] noise = "nN'tToOhHuUaAbB _\t\n0123456789\u00e9\u2019"u8.ToArray();
        slack = random.Next(0, 100);
        byte[] followed = new byte[text.Length + slack];
        text.CopyTo(followed, 0);
        for (int i = text.Length; i < followed.Length; i++)
        {
            followed[i] = noise[random.Next(noise.Length)];
        }
        return followed;
    }

    private readonly unsafe struct CollectMatches(System.Collections.Generic.List<string> matches) : IMatchVisitor
    {
        public System.Collections.Generic.List<string> Matches => matches;

        public bool Visit(byte* match, int length, ulong key)
        {
            matches.Add(Encoding.UTF8.GetString(match, length));
            return true;
        }
    }

    // The word scanner keys words with PaddedShortKey/LongKey, the word-list table and the
    // other scanners with Key: both must give the same key for every string.
    [Theory]
    [InlineData("a")]
    [InlineData("the")]
    [InlineData("can't")]
    [InlineData("through")]
    [InlineData("couldn't")]
    [InlineData("shouldn't")]
    [InlineData("abcdefghijklmnop")]
    [InlineData("abcdefghijklmnopq")]
    [InlineData("a\u0000\u0000\u0000\u0000\u0000\u0000")]
    [InlineData("ünïcödé wörd")]
    public unsafe void PaddedKeysEqualKey(string word)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(word);
        byte[] padded = new byte[bytes.Length + 8];
        bytes.CopyTo(padded, 0);
        fixed (byte* p = padded)
        {
            ulong expected = ByteSpanSet.Key(p, bytes.Length, p + bytes.Length);
            ulong actual = bytes.Length <= 7 ? ByteSpanSet.PaddedShortKey(p, bytes.Length) : ByteSpanSet.LongKey(p, bytes.Length);
            Assert.Equal(expected, actual);
            Assert.Equal(WordLists.Classify(p, bytes.Length, expected),
                bytes.Length <= 7 ? WordLists.ClassifyShort(actual) : WordLists.ClassifyLong(p, bytes.Length));
        }
    }

    private static unsafe byte Classify(string word)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(word);
        fixed (byte* p = bytes)
        {
            return WordLists.Classify(p, bytes.Length, ByteSpanSet.Key(p, bytes.Length, p + bytes.Length));
        }
    }
}
