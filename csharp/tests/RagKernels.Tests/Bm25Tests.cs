using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using RagKernels.Bm25;
using RagKernels.Hashing;
using RagKernels.Native;
using RagKernels.Native.Exports;
using Xunit;

namespace RagKernels.Tests;

public class Bm25Tests
{
    private static List<string> Tokens(string text, Bm25TokenizerKind kind = Bm25TokenizerKind.Word, bool stop = false) =>
        Tokens(Encoding.UTF8.GetBytes(text), kind, stop);

    /// <summary>The tokens Bm25TokenReader gives for UTF-8 <paramref name="bytes"/>.</summary>
    internal static List<string> Tokens(byte[] bytes, Bm25TokenizerKind kind, bool stop)
    {
        var output = new byte[Bm25TokenReader.OutputCapacity(bytes.Length)];
        var reader = new Bm25TokenReader(bytes, output, kind, stop);
        var tokens = new List<string>();
        while (reader.Next(out ReadOnlySpan<byte> token))
        {
            tokens.Add(Encoding.UTF8.GetString(token));
        }
        return tokens;
    }

    [Theory]
    [InlineData("don't e-mail foo_bar", "don t e mail foo_bar")]
    [InlineData("", "")]
    [InlineData("  ,,, ", "")]
    [InlineData("Water BOILS at 100°C", "water boils at 100 c")]
    [InlineData("İstanbul", "i stanbul")]
    [InlineData("ΟΔΟΣ ΣΟΦΟΣ.", "οδος σοφος")]
    [InlineData("ΣΑ Σ", "σα σ")]
    [InlineData("Ⅻ² STRAẞE", "ⅻ² straße")]
    [InlineData("cafe\u0301 中文", "cafe \u4e2d\u6587")]
    public void WordTokenizerIsPythonsReFindall(string text, string expected)
    {
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), Tokens(text));
    }

    [Fact]
    public void Word2DropsOneCharacterTokensAndStopWords()
    {
        Assert.Equal(["cat", "is", "on", "the", "mat", "éé"], Tokens("a cat is on the mat x éé", Bm25TokenizerKind.Word2));
        Assert.Equal(["cat", "mat"], Tokens("A cat is on THE mat", Bm25TokenizerKind.Word2, stop: true));
        Assert.Equal(33, Bm25StopWords.English.Length);
    }

    [Fact]
    public void VocabularyFindsEveryTermAfterGrowing()
    {
        var vocabulary = new Bm25Vocabulary();
        for (int i = 0; i < 5000; i++)
        {
            Assert.Equal(i, vocabulary.Add(Encoding.UTF8.GetBytes($"term{i}")));
        }
        Bm25Vocabulary frozen = vocabulary.Freeze();
        vocabulary.Add("later"u8);
        for (int i = 0; i < 5000; i++)
        {
            Assert.Equal(i, frozen.Find(Encoding.UTF8.GetBytes($"term{i}")));
        }
        Assert.Equal(-1, frozen.Find("later"u8));
        Assert.Equal(5000, vocabulary.Find("later"u8));
    }

    private static Bm25Index Build(string[] docs, Bm25Method method = Bm25Method.Lucene)
    {
        var index = new Bm25Index(Bm25Scoring.Default(method), Bm25TokenizerKind.Word, false);
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(docs));
        var starts = new long[docs.Length + 1];
        var idOffsets = new long[docs.Length + 1];
        var keys = new long[docs.Length];
        for (int i = 0; i < docs.Length; i++)
        {
            starts[i + 1] = starts[i] + Encoding.UTF8.GetByteCount(docs[i]);
            idOffsets[i + 1] = i + 1;
            keys[i] = i;
        }
        byte[] ids = Enumerable.Range(0, docs.Length).Select(i => (byte)('a' + i % 26)).ToArray();
        index.Add(text, starts, default, ids, idOffsets, keys);
        return index;
    }

    private static (int[] Docs, double[] Scores) Search(Bm25Index index, string query, int k)
    {
        var docs = new int[k];
        var scores = new double[k];
        int n = Bm25Search.Search(index.Current, new Bm25Search.Query(Encoding.UTF8.GetBytes(query), default), k, docs, scores);
        return (docs[..n], scores[..n]);
    }

    [Fact]
    public void GoldenValuesOfTheSpec()
    {
        Bm25Index index = Build(["water boils at 100 degrees", "water is a liquid", "the sky is blue today"]);
        var (docs, scores) = Search(index, "water boils at 100 degrees", 10);
        Assert.Equal([0, 1], docs);
        Assert.Equal([4.268589140435751, 0.4991762683023676], scores);
        Assert.Empty(Search(index, "", 10).Docs);
        Assert.Empty(Search(index, "quantum", 10).Docs);
    }

    [Fact]
    public void TiesKeepInsertionOrderAcrossTheHeapBoundary()
    {
        Bm25Index index = Build(Enumerable.Repeat("same words here", 9).Append("other").ToArray());
        for (int k = 1; k <= 12; k++)
        {
            Assert.Equal(Enumerable.Range(0, Math.Min(k, 9)).ToArray(), Search(index, "words", k).Docs);
        }
    }

    [Fact]
    public void TopKEqualsAStableSortOfAllScores()
    {
        var random = new Random(7);
        string[] words = ["a", "b", "c", "d", "e", "f"];
        for (int trial = 0; trial < 30; trial++)
        {
            int n = random.Next(1, 140);
            string[] docs = Enumerable.Range(0, n)
                .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(0, 6)).Select(_ => words[random.Next(words.Length)])) + " ")
                .ToArray();
            Bm25Index index = Build(docs);
            string query = string.Join(' ', Enumerable.Range(0, random.Next(1, 4)).Select(_ => words[random.Next(words.Length)]));
            var all = new double[n];
            Bm25Search.Scores(index.Current, new Bm25Search.Query(Encoding.UTF8.GetBytes(query), default), all);
            int[] order = Enumerable.Range(0, n).Where(d => all[d] > 0).OrderByDescending(d => all[d]).ToArray(); // stable
            foreach (int k in new[] { 1, 3, 8, 9, 17, 200 })
            {
                var (top, scores) = Search(index, query, k);
                Assert.Equal(order.Take(k).ToArray(), top);
                Assert.Equal(order.Take(k).Select(d => all[d]).ToArray(), scores);
            }
        }
    }

    [Fact]
    public void PrunedSearchEqualsTheFullEvaluation()
    {
        // Zipf-like corpus: a few very common words and many rare ones, long queries, as on
        // ArguAna; the pruning (Bm25MaxScore) must be taken and change nothing, ties included
        // (every document is there twice).
        var random = new Random(11);
        string[] words = Enumerable.Range(0, 400).Select(i => $"w{i}").ToArray();
        string Pick() => words[(int)Math.Min(words.Length - 1, Math.Floor(Math.Exp(random.NextDouble() * Math.Log(words.Length + 1))) - 1)];
        string[] unique = Enumerable.Range(0, 600)
            .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(5, 60)).Select(_ => Pick())) + " ")
            .ToArray();
        string[] docs = unique.Concat(unique).ToArray();
        foreach (Bm25Method method in new[] { Bm25Method.Lucene, Bm25Method.Okapi })
        {
            Bm25Index index = Build(docs, method);
            Assert.True(index.Current.Prunable);
            long before = Bm25MaxScore.t_pruned;
            for (int q = 0; q < 60; q++)
            {
                // Distinct words, as after stop-word removal: common words occur once or twice.
                string query = string.Join(' ', Enumerable.Range(0, random.Next(20, 120)).Select(_ => Pick()).Distinct());
                var all = new double[docs.Length];
                Bm25Search.Scores(index.Current, new Bm25Search.Query(Encoding.UTF8.GetBytes(query), default), all);
                int[] order = Enumerable.Range(0, docs.Length).Where(d => all[d] > 0).OrderByDescending(d => all[d]).ToArray();
                foreach (int k in new[] { 1, 2, 10, 11, 50 })
                {
                    var (top, scores) = Search(index, query, k);
                    Assert.Equal(order.Take(k).ToArray(), top);
                    Assert.Equal(order.Take(k).Select(d => all[d]).ToArray(), scores);
                }
            }
            Assert.True(Bm25MaxScore.t_pruned - before > 100, $"pruned {Bm25MaxScore.t_pruned - before} of 300 searches");
        }
    }

    [Fact]
    public void RemoveEqualsAFreshBuild()
    {
        string[] docs = ["alpha beta", "beta gamma gamma", "delta", "alpha alpha delta", "beta"];
        foreach (Bm25Method method in Enum.GetValues<Bm25Method>())
        {
            Bm25Index grown = Build(docs, method);
            Assert.Equal(2, grown.Remove([1, 3]));
            Assert.Throws<KeyNotFoundException>(() => grown.Remove([1]));
            Bm25Index fresh = Build([docs[0], docs[2], docs[4]], method);
            var a = new double[3];
            var b = new double[3];
            var query = new Bm25Search.Query("alpha beta delta gamma beta"u8, default);
            Bm25Search.Scores(grown.Current, query, a);
            Bm25Search.Scores(fresh.Current, query, b);
            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void StagedAddsAreInvisibleUntilCommittedAndDropCleanly()
    {
        string[] docs = ["alpha beta", "beta gamma gamma", "delta"];
        Bm25Index index = Build(docs);
        Bm25Snapshot before = index.Current;
        index.Add("gamma delta"u8, [0, 11], default, "x"u8, [0, 1], [5], publish: false);
        index.Add("omega"u8, [0, 5], default, "y"u8, [0, 1], [9], publish: false);
        Assert.Same(before, index.Current); // searches still see the published state
        Assert.Equal(10, index.NextKey);
        Assert.Equal(2, index.CommitStaged(keep: false));
        Assert.Same(before, index.Current); // dropping needs no rebuild
        Assert.Equal(3, index.NextKey);
        Assert.Equal(0, index.CommitStaged(keep: true));

        index.Add("gamma delta"u8, [0, 11], default, "x"u8, [0, 1], [3], publish: false);
        Assert.Equal(1, index.CommitStaged(keep: true));
        Bm25Index fresh = Build([.. docs, "gamma delta"]);
        var a = new double[4];
        var b = new double[4];
        var query = new Bm25Search.Query("alpha gamma delta"u8, default);
        Bm25Search.Scores(index.Current, query, a);
        Bm25Search.Scores(fresh.Current, query, b);
        Assert.Equal(b, a);
    }

    [Fact]
    public void FileRoundTripAndCorruption()
    {
        Bm25Index index = Build(["water boils", "iron rusts in water"], Bm25Method.Okapi);
        byte[] data = Bm25File.Encode(index.Current, index.NextKey);
        Bm25Index loaded = Bm25File.Decode(data, "x");
        Assert.Equal(data, Bm25File.Encode(loaded.Current, loaded.NextKey));
        Assert.Equal(Bm25Method.Okapi, loaded.Scoring.Method);
        for (int cut = 0; cut < data.Length; cut += 7)
        {
            Assert.Throws<InvalidDataException>(() => Bm25File.Decode(data.AsSpan(0, cut), "x"));
        }
        for (int i = 8; i < data.Length; i++)
        {
            byte[] flipped = (byte[])data.Clone();
            flipped[i] ^= 1;
            Assert.Throws<InvalidDataException>(() => Bm25File.Decode(flipped, "x"));
        }
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8)); // the CRC-32 check value
    }

    [Fact]
    public unsafe void ExportsRefuseBadHandlesAndArguments()
    {
        delegate* unmanaged[Cdecl]<int, double, double, double, double, int, int, ulong*, int> create = &Bm25Exports.Create;
        delegate* unmanaged[Cdecl]<ulong, long*, int> len = &Bm25Exports.Len;
        delegate* unmanaged[Cdecl]<ulong, int> free = &Bm25Exports.Free;
        ulong handle;
        Assert.Equal(Status.InvalidArgument, create(7, 1.2, 0.75, 0, 0, 0, 0, &handle));
        Assert.Equal(Status.InvalidArgument, create(0, -1, 0.75, 0, 0, 0, 0, &handle));
        Assert.Equal(Status.Ok, create(0, 1.2, 0.75, 0, 0, 0, 0, &handle));
        long count = -1;
        Assert.Equal(Status.Ok, len(handle, &count));
        Assert.Equal(0, count);
        Assert.Equal(Status.Ok, free(handle));
        Assert.Equal(Status.InvalidHandle, len(handle, &count));
        Assert.Equal(Status.InvalidHandle, free(handle));
    }

    [Fact]
    public void SelectEqualsASortByScoreThenDocumentForSmallAndLargeK()
    {
        // Select keeps the small k sorted in place and uses a heap above Bm25Scratch.SmallK: both
        // must give the order of a plain sort (score descending, ties by lower document number,
        // zero scores never), here with many ties and zeros.
        var random = new Random(7);
        var scratch = new Bm25Scratch();
        foreach (int n in new[] { 1, 5, 8, 13, 100, 301 })
        {
            for (int round = 0; round < 40; round++)
            {
                double[] values = Enumerable.Range(0, n).Select(_ => random.Next(4) == 0 ? 0.0 : random.Next(1, 6) * 0.25).ToArray();
                foreach (int k in new[] { 1, 2, 3, Bm25Scratch.SmallK, Bm25Scratch.SmallK + 1, 40 })
                {
                    int take = Math.Min(k, n);
                    var expected = Enumerable.Range(0, n).Where(d => values[d] > 0)
                        .OrderByDescending(d => values[d]).ThenBy(d => d).Take(take).ToArray();
                    Span<double> acc = scratch.Accumulator(n);
                    values.CopyTo(acc);
                    var docs = new int[take];
                    var scores = new double[take];
                    int found = scratch.Select(acc, take, docs, scores);
                    Assert.Equal(expected, docs.Take(found).ToArray());
                    Assert.Equal(expected.Select(d => values[d]).ToArray(), scores.Take(found).ToArray());
                    Assert.True(scratch.Accumulator(n).ToArray().All(v => v == 0.0), "Select leaves the accumulator zero");
                }
            }
        }
    }
}
