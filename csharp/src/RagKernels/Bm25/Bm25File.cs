using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text.Unicode;
using RagKernels.Hashing;

namespace RagKernels.Bm25;

/// <summary>
/// The BM25 index file, byte for byte the format of ragkernels/bm25/_common.py (either
/// implementation reads what the other writes). Little-endian:
/// <c>"RKBM25IX"</c>, u32 version 1, u8 method, u8 tokenizer, u8 stop words, u8 0,
/// f64 k1, b, delta, epsilon, i64 next key; u64 V then V × (u32 length, UTF-8 term);
/// u64 N then N × (i64 key, u32 id length, id, u32 T, T × (u32 term, u32 tf));
/// u32 CRC-32 (as zlib's) of everything before it. Terms are numbered in order of first
/// occurrence over the documents, so one index always gives the same bytes.
/// </summary>
public static class Bm25File
{
    private static ReadOnlySpan<byte> Magic => "RKBM25IX"u8;
    public const uint Version = 1;
    private const int HeadSize = 8 + 4 + 4 + 4 * 8 + 8;

    /// <summary>The file's bytes for <paramref name="snapshot"/>.</summary>
    public static byte[] Encode(Bm25Snapshot snapshot, long nextKey)
    {
        var output = new MemoryStream();
        Span<byte> head = stackalloc byte[HeadSize];
        Magic.CopyTo(head);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], Version);
        Bm25Scoring scoring = snapshot.Scoring;
        head[12] = (byte)scoring.Method;
        head[13] = (byte)snapshot.Tokenizer;
        head[14] = snapshot.StopWords ? (byte)1 : (byte)0;
        head[15] = 0;
        BinaryPrimitives.WriteDoubleLittleEndian(head[16..], scoring.K1);
        BinaryPrimitives.WriteDoubleLittleEndian(head[24..], scoring.B);
        BinaryPrimitives.WriteDoubleLittleEndian(head[32..], scoring.Delta);
        BinaryPrimitives.WriteDoubleLittleEndian(head[40..], scoring.Epsilon);
        BinaryPrimitives.WriteInt64LittleEndian(head[48..], nextKey);
        output.Write(head);

        // Renumber the terms in order of first occurrence over the current documents.
        var canonical = new int[snapshot.Vocabulary.Count];
        var order = new List<int>();
        foreach (Bm25Document doc in snapshot.Documents)
        {
            foreach (int term in doc.Terms)
            {
                if (canonical[term] == 0)
                {
                    order.Add(term);
                    canonical[term] = order.Count; // number + 1
                }
            }
        }
        Span<byte> word = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(word, (ulong)order.Count);
        output.Write(word[..8]);
        foreach (int term in order)
        {
            ReadOnlySpan<byte> bytes = snapshot.Vocabulary.Term(term);
            BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)bytes.Length);
            output.Write(word[..4]);
            output.Write(bytes);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(word, (ulong)snapshot.Count);
        output.Write(word[..8]);
        foreach (Bm25Document doc in snapshot.Documents)
        {
            BinaryPrimitives.WriteInt64LittleEndian(word, doc.Key);
            BinaryPrimitives.WriteUInt32LittleEndian(word[8..], (uint)doc.Id.Length);
            output.Write(word);
            output.Write(doc.Id);
            BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)doc.Terms.Length);
            output.Write(word[..4]);
            for (int i = 0; i < doc.Terms.Length; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)(canonical[doc.Terms[i]] - 1));
                BinaryPrimitives.WriteUInt32LittleEndian(word[4..], (uint)doc.Frequencies[i]);
                output.Write(word[..8]);
            }
        }
        BinaryPrimitives.WriteUInt32LittleEndian(word, Crc32.Compute(output.GetBuffer().AsSpan(0, (int)output.Length)));
        output.Write(word[..4]);
        return output.ToArray();
    }

    /// <summary>Writes <paramref name="index"/>'s current snapshot to <paramref name="path"/>
    /// atomically: a temporary file in the same folder, flushed to disk, then renamed over it.</summary>
    public static void Save(Bm25Index index, string path)
    {
        byte[] data = Encode(index.Current, index.NextKey);
        string temporary = $"{path}.tmp{Environment.ProcessId}.{Environment.CurrentManagedThreadId}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(data);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            throw;
        }
    }

    /// <summary>Reads an index file; InvalidDataException (with the Python twin's message) for a
    /// foreign, truncated or corrupt one, IOException when it cannot be read.</summary>
    public static Bm25Index Load(string path) => Decode(File.ReadAllBytes(path), path);

    public static Bm25Index Decode(ReadOnlySpan<byte> data, string path)
    {
        if (data.Length < Magic.Length || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path}: not a ragkernels BM25 index file (bad magic)");
        }
        if (data.Length < HeadSize + 4)
        {
            throw Corrupt(path, "truncated header");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        if (version != Version)
        {
            throw new InvalidDataException($"{path}: unsupported BM25 index file version {version} (this library reads version {Version})");
        }
        int end = data.Length - 4;
        if (Crc32.Compute(data[..end]) != BinaryPrimitives.ReadUInt32LittleEndian(data[end..]))
        {
            throw Corrupt(path, "checksum mismatch; truncated or damaged");
        }
        byte method = data[12], tokenizer = data[13], stop = data[14];
        if (method > (byte)Bm25Method.Bm25Plus || tokenizer > (byte)Bm25TokenizerKind.Word2 || stop > 1)
        {
            throw Corrupt(path, "unknown method, tokenizer or stop-word code");
        }
        var scoring = new Bm25Scoring((Bm25Method)method,
            BinaryPrimitives.ReadDoubleLittleEndian(data[16..]), BinaryPrimitives.ReadDoubleLittleEndian(data[24..]),
            BinaryPrimitives.ReadDoubleLittleEndian(data[32..]), BinaryPrimitives.ReadDoubleLittleEndian(data[40..]));
        long nextKey = BinaryPrimitives.ReadInt64LittleEndian(data[48..]);
        try
        {
            scoring.Validate();
        }
        catch (ArgumentException)
        {
            throw Corrupt(path, "parameters out of range");
        }
        var reader = new Reader(data[..end], HeadSize, path);
        ulong vocabulary = reader.UInt64();
        if (vocabulary > (ulong)end)
        {
            throw Corrupt(path, "impossible vocabulary size");
        }
        var terms = new List<byte[]>((int)vocabulary);
        for (ulong i = 0; i < vocabulary; i++)
        {
            ReadOnlySpan<byte> term = reader.Bytes(reader.UInt32());
            if (!Utf8.IsValid(term))
            {
                throw Corrupt(path, "a term is not UTF-8");
            }
            terms.Add(term.ToArray());
        }
        ulong count = reader.UInt64();
        if (count > (ulong)end)
        {
            throw Corrupt(path, "impossible document count");
        }
        var documents = new List<(long, byte[], int[], int[])>((int)count);
        var seen = new HashSet<uint>();
        for (ulong d = 0; d < count; d++)
        {
            long key = reader.Int64();
            byte[] id = reader.Bytes(reader.UInt32()).ToArray();
            uint pairs = reader.UInt32();
            ReadOnlySpan<byte> body = reader.Bytes(8L * pairs);
            var docTerms = new int[pairs];
            var frequencies = new int[pairs];
            seen.Clear();
            long length = 0;
            for (int i = 0; i < pairs; i++)
            {
                if (!seen.Add(BinaryPrimitives.ReadUInt32LittleEndian(body[(8 * i)..])))
                {
                    throw Corrupt(path, "a document lists a term twice");
                }
            }
            for (int i = 0; i < pairs; i++)
            {
                uint term = BinaryPrimitives.ReadUInt32LittleEndian(body[(8 * i)..]);
                uint tf = BinaryPrimitives.ReadUInt32LittleEndian(body[(8 * i + 4)..]);
                if (term >= vocabulary || tf == 0 || tf > int.MaxValue)
                {
                    throw Corrupt(path, "a term number or frequency is out of range");
                }
                docTerms[i] = (int)term;
                frequencies[i] = (int)tf;
                length += tf;
            }
            // A document's length (the sum of its frequencies) is an int in the index: a damaged
            // file must not overflow it.
            if (length > int.MaxValue)
            {
                throw Corrupt(path, "a document is too long");
            }
            documents.Add((key, id, docTerms, frequencies));
        }
        if (reader.Position != end)
        {
            throw Corrupt(path, "trailing bytes");
        }
        var index = new Bm25Index(scoring, (Bm25TokenizerKind)tokenizer, stop == 1);
        index.Restore(terms, documents, nextKey);
        return index;
    }

    private static InvalidDataException Corrupt(string path, string what) =>
        new($"{path}: corrupt BM25 index file ({what})");

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly string _path;

        public Reader(ReadOnlySpan<byte> data, int position, string path)
        {
            _data = data;
            Position = position;
            _path = path;
        }

        public int Position { get; private set; }

        public ReadOnlySpan<byte> Bytes(long size)
        {
            if (size < 0 || size > _data.Length - Position)
            {
                throw Corrupt(_path, "a section runs past the end");
            }
            ReadOnlySpan<byte> result = _data.Slice(Position, (int)size);
            Position += (int)size;
            return result;
        }

        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));
        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8));
        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));
    }
}
