using System;
using System.Collections.Generic;
using System.Text.Unicode;
using System.Threading;

namespace RagKernels.Bm25;

/// <summary>
/// A BM25 index (shared/spec/bm25.md): documents added and removed by a writer, searched by
/// any number of threads at once. Writes are serialised and publish a new immutable
/// <see cref="Bm25Snapshot"/>; reads take the current snapshot with one volatile read and never
/// wait for a writer.
/// </summary>
public sealed class Bm25Index
{
    private readonly object _writeLock = new();
    private readonly Bm25Vocabulary _vocabulary = new();
    private readonly List<Bm25Document> _documents = new();
    private Bm25Snapshot _current;
    private long _nextKey;
    // Staged adds (Add with publish: false): documents from _stagedFrom on are in _documents but
    // not in any snapshot yet; _stagedNextKey is _nextKey from before the first of them. -1 = none.
    // They let a long add run as many short calls (so the caller can be interrupted between them)
    // while rebuilding the snapshot once, and be dropped again without a rebuild.
    private int _stagedFrom = -1;
    private long _stagedNextKey;
    // Writer-only scratch: term number -> position in the document being built.
    private int[] _slotOfTerm = new int[256];
    private int[] _stampOfTerm = new int[256];
    private int _stamp;

    public Bm25Index(Bm25Scoring scoring, Bm25TokenizerKind tokenizer, bool stopWords)
    {
        scoring.Validate();
        if (tokenizer is not (Bm25TokenizerKind.Word or Bm25TokenizerKind.Word2))
        {
            throw new ArgumentException($"unknown tokenizer {(int)tokenizer}");
        }
        Scoring = scoring;
        Tokenizer = tokenizer;
        StopWords = stopWords;
        _current = new Bm25Snapshot(scoring, tokenizer, stopWords, _vocabulary.Freeze(), []);
    }

    public Bm25Scoring Scoring { get; }
    public Bm25TokenizerKind Tokenizer { get; }
    public bool StopWords { get; }

    /// <summary>The snapshot readers use now.</summary>
    public Bm25Snapshot Current => Volatile.Read(ref _current);

    /// <summary>The smallest key the next added document may have.</summary>
    public long NextKey
    {
        get { lock (_writeLock) { return _nextKey; } }
    }

    /// <summary>
    /// Adds documents. Document i is <c>text[docStarts[i]..docStarts[i + 1]]</c> tokenized with the
    /// index's tokenizer when <paramref name="tokenOffsets"/> is empty; otherwise docStarts are
    /// indices into tokenOffsets and token j is <c>text[tokenOffsets[j]..tokenOffsets[j + 1]]</c>,
    /// used as is. Ids are <c>ids[idOffsets[i]..idOffsets[i + 1]]</c>; keys must increase and be
    /// at least <see cref="NextKey"/>. Everything is checked before the index changes.
    /// With <paramref name="publish"/> false the documents are staged: searches do not see them
    /// until <see cref="CommitStaged"/> (or any publishing write) and <see cref="CommitStaged"/>
    /// with keep = false drops them.
    /// </summary>
    public void Add(ReadOnlySpan<byte> text, ReadOnlySpan<long> docStarts, ReadOnlySpan<long> tokenOffsets,
        ReadOnlySpan<byte> ids, ReadOnlySpan<long> idOffsets, ReadOnlySpan<long> keys, bool publish = true)
    {
        int count = keys.Length;
        if (docStarts.Length != count + 1 || idOffsets.Length != count + 1)
        {
            throw new ArgumentException("docStarts and idOffsets need one entry more than keys");
        }
        bool pretokenized = !tokenOffsets.IsEmpty;
        Bm25Ranges.CheckOffsets(docStarts, pretokenized ? tokenOffsets.Length - 1 : text.Length, "document offsets");
        Bm25Ranges.CheckOffsets(idOffsets, ids.Length, "id offsets");
        if (pretokenized)
        {
            Bm25Ranges.CheckOffsets(tokenOffsets, text.Length, "token offsets");
        }
        if (!Utf8.IsValid(text))
        {
            throw new Bm25InvalidUtf8Exception("documents are not valid UTF-8");
        }
        lock (_writeLock)
        {
            long previous = _nextKey - 1;
            foreach (long key in keys)
            {
                if (key <= previous)
                {
                    throw new ArgumentException($"keys must increase and be at least {_nextKey}, got {key} after {previous}");
                }
                previous = key;
            }
            if (count == 0)
            {
                return;
            }
            var built = new Bm25Document[count];
            byte[] scratch = [];
            for (int i = 0; i < count; i++)
            {
                byte[] id = ids[(int)idOffsets[i]..(int)idOffsets[i + 1]].ToArray();
                if (pretokenized)
                {
                    built[i] = BuildPretokenized(keys[i], id, text, tokenOffsets[(int)docStarts[i]..((int)docStarts[i + 1] + 1)]);
                }
                else
                {
                    ReadOnlySpan<byte> doc = text[(int)docStarts[i]..(int)docStarts[i + 1]];
                    int need = Bm25TokenReader.OutputCapacity(doc.Length);
                    if (scratch.Length < need)
                    {
                        scratch = new byte[Math.Max(need, 2 * scratch.Length)];
                    }
                    built[i] = BuildText(keys[i], id, doc, scratch);
                }
            }
            if (!publish && _stagedFrom < 0)
            {
                _stagedFrom = _documents.Count;
                _stagedNextKey = _nextKey;
            }
            _documents.AddRange(built);
            _nextKey = keys[^1] + 1;
            if (publish)
            {
                Publish();
            }
        }
    }

    /// <summary>Removes the documents with these keys; throws KeyNotFoundException (index
    /// unchanged) when one is not in the index.</summary>
    public int Remove(ReadOnlySpan<long> keys)
    {
        lock (_writeLock)
        {
            var wanted = new HashSet<long>(keys.Length);
            foreach (long key in keys)
            {
                wanted.Add(key);
            }
            int found = 0;
            foreach (Bm25Document doc in _documents)
            {
                if (wanted.Contains(doc.Key))
                {
                    found++;
                }
            }
            if (found != wanted.Count)
            {
                var present = new HashSet<long>();
                foreach (Bm25Document doc in _documents)
                {
                    present.Add(doc.Key);
                }
                foreach (long key in keys)
                {
                    if (!present.Contains(key))
                    {
                        throw new KeyNotFoundException($"no document with key {key}");
                    }
                }
            }
            if (found > 0)
            {
                _documents.RemoveAll(doc => wanted.Contains(doc.Key));
                Publish();
            }
            return found;
        }
    }

    /// <summary>Replaces the whole content (used by loading): documents whose term numbers refer to
    /// <paramref name="terms"/>, in order.</summary>
    internal void Restore(IReadOnlyList<byte[]> terms, IReadOnlyList<(long Key, byte[] Id, int[] Terms, int[] Frequencies)> documents, long nextKey)
    {
        lock (_writeLock)
        {
            var map = new int[terms.Count];
            for (int i = 0; i < terms.Count; i++)
            {
                map[i] = _vocabulary.Add(terms[i]);
            }
            foreach (var (key, id, docTerms, frequencies) in documents)
            {
                int length = 0;
                var mapped = new int[docTerms.Length];
                for (int i = 0; i < docTerms.Length; i++)
                {
                    mapped[i] = map[docTerms[i]];
                    length = checked(length + frequencies[i]);
                }
                _documents.Add(new Bm25Document(key, id, mapped, frequencies, length));
            }
            _nextKey = nextKey;
            Publish();
        }
    }

    /// <summary>Ends staging: keep = true publishes the staged documents (one snapshot rebuild);
    /// keep = false removes them and restores <see cref="NextKey"/>, leaving the index as it was
    /// before the first staged add (terms they brought stay in the vocabulary, unused, as after a
    /// remove). Returns the number of staged documents (0 when nothing was staged).</summary>
    public int CommitStaged(bool keep)
    {
        lock (_writeLock)
        {
            if (_stagedFrom < 0)
            {
                return 0;
            }
            int staged = _documents.Count - _stagedFrom;
            if (keep)
            {
                Publish();
            }
            else
            {
                _documents.RemoveRange(_stagedFrom, staged);
                _nextKey = _stagedNextKey;
                _stagedFrom = -1;
            }
            return staged;
        }
    }

    private void Publish()
    {
        _stagedFrom = -1; // every document is in the new snapshot
        Volatile.Write(ref _current, new Bm25Snapshot(Scoring, Tokenizer, StopWords, _vocabulary.Freeze(), _documents.ToArray()));
    }

    private Bm25Document BuildText(long key, byte[] id, ReadOnlySpan<byte> doc, byte[] scratch)
    {
        BeginDocument();
        var terms = new List<int>();
        var tfs = new List<int>();
        int length = 0;
        var reader = new Bm25TokenReader(doc, scratch, Tokenizer, StopWords);
        while (reader.Next(out ReadOnlySpan<byte> token))
        {
            Count(_vocabulary.Add(token), terms, tfs);
            length++;
        }
        return new Bm25Document(key, id, terms.ToArray(), tfs.ToArray(), length);
    }

    private Bm25Document BuildPretokenized(long key, byte[] id, ReadOnlySpan<byte> text, ReadOnlySpan<long> offsets)
    {
        BeginDocument();
        var terms = new List<int>();
        var tfs = new List<int>();
        int length = offsets.Length - 1;
        for (int j = 0; j < length; j++)
        {
            if (!Utf8.IsValid(text[(int)offsets[j]..(int)offsets[j + 1]]))
            {
                throw new Bm25InvalidUtf8Exception($"token {j} of a document is not valid UTF-8");
            }
            Count(_vocabulary.Add(text[(int)offsets[j]..(int)offsets[j + 1]]), terms, tfs);
        }
        return new Bm25Document(key, id, terms.ToArray(), tfs.ToArray(), length);
    }

    private void BeginDocument()
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_stampOfTerm);
            _stamp = 1;
        }
    }

    private void Count(int term, List<int> terms, List<int> tfs)
    {
        if (term >= _stampOfTerm.Length)
        {
            int size = Math.Max(term + 1, 2 * _stampOfTerm.Length);
            Array.Resize(ref _stampOfTerm, size);
            Array.Resize(ref _slotOfTerm, size);
        }
        if (_stampOfTerm[term] == _stamp)
        {
            tfs[_slotOfTerm[term]]++;
            return;
        }
        _stampOfTerm[term] = _stamp;
        _slotOfTerm[term] = terms.Count;
        terms.Add(term);
        tfs.Add(1);
    }
}

/// <summary>Text that is not valid UTF-8 (the exports map it to RK_INVALID_UTF8).</summary>
public sealed class Bm25InvalidUtf8Exception : ArgumentException
{
    public Bm25InvalidUtf8Exception(string message) : base(message)
    {
    }
}

internal static class Bm25Ranges
{
    /// <summary>Offsets must start at 0, never decrease, and end at most at <paramref name="limit"/>.</summary>
    public static void CheckOffsets(ReadOnlySpan<long> offsets, long limit, string what)
    {
        if (offsets.IsEmpty)
        {
            throw new ArgumentException($"{what}: empty");
        }
        long previous = 0;
        foreach (long offset in offsets)
        {
            if (offset < previous || offset > limit)
            {
                throw new ArgumentException($"{what} must be non-decreasing and within 0..{limit}, got {offset}");
            }
            previous = offset;
        }
    }
}
