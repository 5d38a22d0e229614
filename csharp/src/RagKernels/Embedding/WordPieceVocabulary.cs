using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace RagKernels.Embedding;

/// <summary>
/// A WordPiece vocabulary: token → id, split into word-initial pieces and continuation pieces
/// (stored without their "##" prefix), so a lookup is one span-keyed dictionary probe with no
/// string built.
/// </summary>
public sealed class WordPieceVocabulary
{
    private readonly Dictionary<string, int> _starts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _continuations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _startLookup;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuationLookup;

    /// <summary>Number of entries (the largest id + 1).</summary>
    public int Count { get; }

    /// <summary>Length in UTF-16 chars of the longest piece (without "##"): no match can be longer.</summary>
    public int LongestPiece { get; }

    private WordPieceVocabulary(IEnumerable<KeyValuePair<string, int>> entries, string source)
    {
        int count = 0;
        int longest = 1;
        foreach ((string token, int id) in entries)
        {
            if (id < 0)
            {
                throw new InvalidDataException($"{source}: negative id {id} for token '{token}'");
            }
            bool continuation = token.StartsWith("##", StringComparison.Ordinal) && token.Length > 2;
            string key = continuation ? token[2..] : token;
            // A later duplicate overrides, as in BERT's load_vocab (an OrderedDict assignment).
            (continuation ? _continuations : _starts)[key] = id;
            count = Math.Max(count, id + 1);
            longest = Math.Max(longest, key.Length);
        }
        if (count == 0)
        {
            throw new InvalidDataException($"{source}: the vocabulary is empty");
        }
        Count = count;
        LongestPiece = longest;
        _startLookup = _starts.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuationLookup = _continuations.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The id of a word-initial piece, or -1.</summary>
    public int Start(ReadOnlySpan<char> piece) => _startLookup.TryGetValue(piece, out int id) ? id : -1;

    /// <summary>The id of a continuation piece given without its "##", or -1.</summary>
    public int Continuation(ReadOnlySpan<char> piece) => _continuationLookup.TryGetValue(piece, out int id) ? id : -1;

    /// <summary>The id of a whole token as written in the vocabulary (e.g. "[CLS]", "##ing").</summary>
    public int Id(string token) =>
        token.StartsWith("##", StringComparison.Ordinal) && token.Length > 2 ? Continuation(token.AsSpan(2)) : Start(token);

    /// <summary>Reads vocab.txt: one token per line, the line number (from 0) being its id.</summary>
    public static WordPieceVocabulary FromVocabTxt(string path)
    {
        var entries = new List<KeyValuePair<string, int>>();
        int id = 0;
        foreach (string line in File.ReadLines(path))
        {
            // BERT's load_vocab strips each line; an empty line still takes an id.
            entries.Add(new(line.Trim(), id++));
        }
        return new WordPieceVocabulary(entries, path);
    }

    /// <summary>Reads the vocabulary of a WordPiece model in a Hugging Face tokenizer.json.</summary>
    public static WordPieceVocabulary FromTokenizerJson(JsonElement model, string path)
    {
        if (!model.TryGetProperty("vocab", out JsonElement vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: model.vocab is missing");
        }
        var entries = new List<KeyValuePair<string, int>>();
        foreach (JsonProperty entry in vocab.EnumerateObject())
        {
            entries.Add(new(entry.Name, entry.Value.GetInt32()));
        }
        return new WordPieceVocabulary(entries, path);
    }
}
