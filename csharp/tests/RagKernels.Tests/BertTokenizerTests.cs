using System;
using System.IO;
using System.Text;
using RagKernels.Embedding;
using Xunit;

namespace RagKernels.Tests;

public class BertTokenizerTests
{
    // The toy vocabulary of google-research/bert tokenization_test.py.
    private static readonly string[] s_toyVocab = ["[UNK]", "[CLS]", "[SEP]", "want", "##want", "##ed", "wa", "un", "runn", "##ing", ","];

    private static BertTokenizer Toy(bool lower = true)
    {
        string path = Path.Combine(Path.GetTempPath(), $"rk-toy-vocab-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, s_toyVocab);
        try
        {
            return new BertTokenizer(WordPieceVocabulary.FromVocabTxt(path), new BertTokenizerOptions(lower, lower, true));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int[] Encode(BertTokenizer tokenizer, string text, int maxLength = 64)
    {
        int[] ids = new int[maxLength];
        int n = tokenizer.Encode(Encoding.UTF8.GetBytes(text), ids, maxLength);
        return ids[..n];
    }

    private static int[] Ids(params string[] tokens) => Array.ConvertAll(tokens, t => Array.IndexOf(s_toyVocab, t));

    [Theory]
    [InlineData("unwanted running", new[] { "[CLS]", "un", "##want", "##ed", "runn", "##ing", "[SEP]" })]
    [InlineData("unwantedX running", new[] { "[CLS]", "[UNK]", "runn", "##ing", "[SEP]" })]
    [InlineData("UNwant\u00E9d,running", new[] { "[CLS]", "un", "##want", "##ed", ",", "runn", "##ing", "[SEP]" })]
    [InlineData("", new[] { "[CLS]", "[SEP]" })]
    [InlineData(" \t\n\u0000\u200b ", new[] { "[CLS]", "[SEP]" })]
    public void PublishedWordPieceExamples(string text, string[] tokens)
    {
        Assert.Equal(Ids(tokens), Encode(Toy(), text));
    }

    [Fact]
    public void WithoutLowerCasingCapitalsDoNotMatch()
    {
        Assert.Equal(Ids("[CLS]", "[UNK]", "[SEP]"), Encode(Toy(lower: false), "UNwanted"));
    }

    [Fact]
    public void TruncationKeepsTheFirstPiecesAndTheSeparator()
    {
        Assert.Equal(Ids("[CLS]", "un", "##want", "[SEP]"), Encode(Toy(), "unwanted running", maxLength: 4));
        Assert.Equal(Ids("[CLS]", "[SEP]"), Encode(Toy(), "unwanted running", maxLength: 2));
    }

    [Fact]
    public void WordsOverTheLimitAreUnknown()
    {
        Assert.Equal(Ids("[CLS]", "[UNK]", "runn", "##ing", "[SEP]"), Encode(Toy(), new string('w', 101) + " running"));
    }

    [Theory]
    [InlineData('\u00E9', "e")]
    [InlineData('\u00C5', "A")]
    [InlineData('\u1E9B', "\u017F")]
    [InlineData('\uAC01', "\u1100\u1161\u11A8")]
    [InlineData('\u0301', "")]
    [InlineData('x', "x")]
    public void StripAccentsIsNfdWithoutNonspacingMarks(char c, string expected)
    {
        Span<char> output = stackalloc char[8];
        int n = BertCharacters.StripAccents(new Rune(c), output);
        Assert.Equal(expected, output[..n].ToString());
    }

    [Fact]
    public void PoolingModes()
    {
        float[] tokens = [1, 2, 3, 6, -1, 0];
        float[] output = new float[2];
        Pooling.Pool(PoolingMode.Mean, tokens, 3, output);
        Assert.Equal(new[] { 1f, 8f / 3 }, output);
        Pooling.Pool(PoolingMode.Cls, tokens, 3, output);
        Assert.Equal(new[] { 1f, 2f }, output);
        Pooling.Pool(PoolingMode.Max, tokens, 3, output);
        Assert.Equal(new[] { 3f, 6f }, output);
        Pooling.Pool(PoolingMode.Mean, tokens, 2, output);
        Assert.Equal(new[] { 2f, 4f }, output);
        float[] vector = [3, 4];
        Pooling.Normalize(vector);
        Assert.Equal(new[] { 0.6f, 0.8f }, vector);
        float[] zero = [0, 0];
        Pooling.Normalize(zero);
        Assert.Equal(new[] { 0f, 0f }, zero);
    }
}
