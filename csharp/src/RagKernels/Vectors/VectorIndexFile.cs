using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;
using RagKernels.Hashing;

namespace RagKernels.Vectors;

/// <summary>
/// The saved form of a <see cref="VectorIndex"/>, read and written identically by the Python
/// twin (ragkernels/vector/_format.py). All integers little-endian:
/// <code>
///  0  8  magic "RKVECIDX"
///  8  4  uint32 format version (1)
/// 12  4  uint32 metric (0 dot, 1 cosine, 2 l2)
/// 16  8  int64 dimension
/// 24  8  int64 count
/// 32  8  int64 next automatic id
/// 40  4  uint32 CRC-32 of the data (ids and vectors)
/// 44  4  uint32 CRC-32 of bytes 0..43
/// 48     int64 ids[count], then float32 vectors[count][dimension] (as stored: unit length for cosine)
/// </code>
/// Checks run in this order, each with its own message: magic (a foreign file), header length,
/// version, header checksum, header fields, total length (truncated or trailing bytes), data
/// checksum, then the ids and values themselves.
/// </summary>
public static class VectorIndexFile
{
    public const int HeaderSize = 48;
    public const uint Version = 1;
    private static ReadOnlySpan<byte> Magic => "RKVECIDX"u8;

    /// <summary>The exact size in bytes of a file holding <paramref name="count"/> vectors.</summary>
    public static long Size(int dimension, long count) => HeaderSize + count * 8 + count * dimension * 4L;

    /// <summary>Writes one consistent snapshot of <paramref name="index"/> into
    /// <paramref name="destination"/> if it fits; returns the size needed either way.</summary>
    public static long TryWrite(VectorIndex index, Span<byte> destination, out bool written)
    {
        VectorIndex.State state = index.Snapshot;
        int dim = index.Dimension;
        long size = Size(dim, state.Count);
        written = false;
        if (destination.Length < size)
        {
            return size;
        }
        Span<byte> ids = destination.Slice(HeaderSize, state.Count * 8);
        Span<byte> vectors = destination.Slice(HeaderSize + state.Count * 8, checked(state.Count * dim * 4));
        ReadOnlySpan<long> idSource = state.Ids.AsSpan(0, state.Count);
        ReadOnlySpan<float> vectorSource = state.Vectors.AsSpan(0, state.Count * dim);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(idSource).CopyTo(ids);
            MemoryMarshal.AsBytes(vectorSource).CopyTo(vectors);
        }
        else
        {
            for (int i = 0; i < idSource.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(ids[(i * 8)..], idSource[i]);
            }
            for (int i = 0; i < vectorSource.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(vectors[(i * 4)..], vectorSource[i]);
            }
        }
        Span<byte> header = destination[..HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)index.Metric);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], dim);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], state.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], state.NextId);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], Crc32.Compute(destination[HeaderSize..(int)size]));
        BinaryPrimitives.WriteUInt32LittleEndian(header[44..], Crc32.Compute(header[..44]));
        written = true;
        return size;
    }

    /// <summary>Reads an index written by <see cref="TryWrite"/> (or by the Python twin).</summary>
    /// <exception cref="InvalidDataException">a foreign, truncated, corrupt or newer file; the
    /// message says which.</exception>
    public static VectorIndex Read(ReadOnlySpan<byte> data)
    {
        if (data.Length < Magic.Length || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a ragkernels vector index file (wrong magic bytes)");
        }
        if (data.Length < HeaderSize)
        {
            throw new InvalidDataException($"truncated vector index file: {data.Length} bytes, the header alone needs {HeaderSize}");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        if (version != Version)
        {
            throw new InvalidDataException($"unsupported vector index file version {version} (this build reads version {Version})");
        }
        if (Crc32.Compute(data[..44]) != BinaryPrimitives.ReadUInt32LittleEndian(data[44..]))
        {
            throw new InvalidDataException("corrupt vector index file: header checksum mismatch");
        }
        uint metric = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
        long dim = BinaryPrimitives.ReadInt64LittleEndian(data[16..]);
        long count = BinaryPrimitives.ReadInt64LittleEndian(data[24..]);
        long nextId = BinaryPrimitives.ReadInt64LittleEndian(data[32..]);
        if (metric > 2 || dim < 1 || dim > VectorIndex.MaxDimension || count < 0 || count > Array.MaxLength / dim
            || nextId < 0 || nextId > VectorIndex.MaxId + 1)
        {
            throw new InvalidDataException($"corrupt vector index file: bad header fields (metric {metric}, dimension {dim}, count {count}, next id {nextId})");
        }
        long expected = Size((int)dim, count);
        if (data.Length < expected)
        {
            throw new InvalidDataException($"truncated vector index file: {data.Length} bytes, expected {expected}");
        }
        if (data.Length > expected)
        {
            throw new InvalidDataException($"corrupt vector index file: {data.Length} bytes, expected {expected} (trailing data)");
        }
        if (Crc32.Compute(data[HeaderSize..]) != BinaryPrimitives.ReadUInt32LittleEndian(data[40..]))
        {
            throw new InvalidDataException("corrupt vector index file: data checksum mismatch");
        }
        int n = (int)count;
        int d = (int)dim;
        var ids = new long[Math.Max(16, n)];
        var vectors = new float[(long)Math.Max(16, n) * d];
        ReadOnlySpan<byte> idBytes = data.Slice(HeaderSize, n * 8);
        ReadOnlySpan<byte> vectorBytes = data.Slice(HeaderSize + n * 8, n * d * 4);
        for (int i = 0; i < n; i++)
        {
            long id = BinaryPrimitives.ReadInt64LittleEndian(idBytes[(i * 8)..]);
            if (id < 0 || id > VectorIndex.MaxId || id >= nextId)
            {
                throw new InvalidDataException($"corrupt vector index file: id {id} is out of range (0 to {nextId - 1})");
            }
            ids[i] = id;
        }
        for (int i = 0; i < n * d; i++)
        {
            float value = BinaryPrimitives.ReadSingleLittleEndian(vectorBytes[(i * 4)..]);
            if (!float.IsFinite(value))
            {
                throw new InvalidDataException($"corrupt vector index file: vector {i / d} contains NaN or infinity");
            }
            vectors[i] = value;
        }
        return VectorIndex.FromStored(d, (VectorMetric)metric, ids, vectors, n, nextId);
    }

    /// <summary>Saves atomically: writes <c>path</c> + a unique temporary suffix, flushes it to
    /// disk, then renames it over <paramref name="path"/>, so a crash leaves the old file or the
    /// new one, never a mix. (The Python package does the same in Python, around the bytes.)</summary>
    public static void Save(VectorIndex index, string path)
    {
        byte[] buffer = [];
        bool written;
        long length;
        do
        {
            // The index may grow between sizing and writing: retry with the new size.
            length = TryWrite(index, buffer, out written);
            if (!written)
            {
                buffer = new byte[length];
            }
        }
        while (!written);
        string temporary = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(buffer, 0, (int)length);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Loads a file written by <see cref="Save"/> (or by the Python package).</summary>
    public static VectorIndex Load(string path) => Read(File.ReadAllBytes(path));
}
