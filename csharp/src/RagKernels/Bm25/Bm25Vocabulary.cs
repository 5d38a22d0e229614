using System;
using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;

namespace RagKernels.Bm25;

/// <summary>
/// Terms (UTF-8 byte strings) numbered 0, 1, 2, … in order of insertion, looked up by their
/// bytes without allocating: an open-addressing hash table over one byte pool.
/// </summary>
/// <remarks>The writer of an index adds to its own vocabulary; each published snapshot gets a
/// frozen copy (<see cref="Freeze"/>), so readers never see a table being grown.</remarks>
public sealed class Bm25Vocabulary
{
    private byte[] _pool;
    private int _poolLength;
    private int[] _starts; // term i's bytes are _pool[_starts[i] .. _starts[i + 1])
    private int _count;
    private Slot[] _slots; // length a power of two
    private int[] _hashes;

    /// <summary>A hash table entry that holds what a lookup compares: a tag (24 bits of the hash
    /// and the term's length) and the term's first eight bytes, so a term of up to eight bytes
    /// (most words) is found with one memory access instead of four dependent ones (slot, hash,
    /// start, bytes), which cost ~11% of an ArguAna query when they were separate arrays.</summary>
    private struct Slot
    {
        public ulong Head; // the first min(length, 8) bytes, little-endian, zero above
        public int Tag; // Tag(hash, length)
        public int Entry; // term number + 1, 0 = empty
    }

    public Bm25Vocabulary() : this(new byte[256], 0, new int[17], 0)
    {
    }

    private Bm25Vocabulary(byte[] pool, int poolLength, int[] starts, int count)
    {
        _pool = pool;
        _poolLength = poolLength;
        _starts = starts;
        _count = count;
        _hashes = new int[Math.Max(16, starts.Length - 1)];
        _slots = new Slot[SlotCount(count)];
        for (int i = 0; i < count; i++)
        {
            int hash = Hash(Term(i));
            _hashes[i] = hash;
            Place(i, hash);
        }
    }

    /// <summary>Number of terms.</summary>
    public int Count => _count;

    /// <summary>Bytes held (for size reports).</summary>
    public long MemoryBytes => _pool.Length + 4L * (_starts.Length + _hashes.Length) + 16L * _slots.Length;

    /// <summary>Term <paramref name="number"/>'s bytes.</summary>
    public ReadOnlySpan<byte> Term(int number) => _pool.AsSpan(_starts[number], _starts[number + 1] - _starts[number]);

    /// <summary>The number of <paramref name="term"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> term) => Lookup(term, Hash(term), Head(term, term.Length));

    /// <summary>The number of the term held in the first <paramref name="length"/> bytes of
    /// <paramref name="buffer"/>, or -1; the buffer may extend past the term (its extra bytes are
    /// ignored), which lets the hash read the term's tail as one integer instead of byte by byte.</summary>
    public int FindPadded(ReadOnlySpan<byte> buffer, int length) =>
        Lookup(buffer[..length], HashPadded(buffer, length), Head(buffer, length));

    /// <summary>The hash <see cref="FindHashed"/> takes for the term in the first
    /// <paramref name="length"/> bytes of <paramref name="buffer"/> (padded as for <see cref="FindPadded"/>).</summary>
    public static int HashOf(ReadOnlySpan<byte> buffer, int length) => HashPadded(buffer, length);

    /// <summary>Asks the CPU to fetch the table entry of <paramref name="hash"/>: a query looks up
    /// ~150 tokens in a table of megabytes, and each lookup that waits for its own cache miss
    /// cost ~40 ns on ArguAna; fetched ahead, the misses overlap.</summary>
    public unsafe void Prefetch(int hash)
    {
        if (Sse.IsSupported)
        {
            fixed (Slot* slots = _slots)
            {
                Sse.Prefetch0(slots + (hash & (_slots.Length - 1)));
            }
        }
    }

    /// <summary><see cref="FindPadded"/> with the term's <see cref="HashOf"/> already computed.</summary>
    public int FindHashed(ReadOnlySpan<byte> buffer, int length, int hash) =>
        Lookup(buffer[..length], hash, Head(buffer, length));

    private int Lookup(ReadOnlySpan<byte> term, int hash, ulong head)
    {
        int tag = Tag(hash, term.Length);
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            ref Slot entry = ref slots[slot];
            if (entry.Entry == 0)
            {
                return -1;
            }
            // Equal tags mean equal lengths (up to 255), so for a term of at most eight bytes
            // equal heads mean equal terms; longer ones compare the rest in the pool.
            if (entry.Tag == tag && entry.Head == head
                && (term.Length <= 8 || Term(entry.Entry - 1)[8..].SequenceEqual(term[8..])))
            {
                return entry.Entry - 1;
            }
        }
    }

    /// <summary>The number of <paramref name="term"/>, added at the end when new.</summary>
    public int Add(ReadOnlySpan<byte> term)
    {
        int found = Find(term);
        if (found >= 0)
        {
            return found;
        }
        if (_poolLength + term.Length > _pool.Length)
        {
            Array.Resize(ref _pool, Math.Max(_pool.Length * 2, _poolLength + term.Length));
        }
        if (_count + 2 > _starts.Length)
        {
            Array.Resize(ref _starts, _starts.Length * 2);
            Array.Resize(ref _hashes, _starts.Length);
        }
        term.CopyTo(_pool.AsSpan(_poolLength));
        _starts[_count] = _poolLength;
        _poolLength += term.Length;
        _starts[_count + 1] = _poolLength;
        int hash = Hash(term);
        _hashes[_count] = hash;
        int number = _count++;
        if (8 * _count > 5 * _slots.Length)
        {
            _slots = new Slot[SlotCount(_count)];
            for (int i = 0; i < _count; i++)
            {
                Place(i, _hashes[i]);
            }
        }
        else
        {
            Place(number, hash);
        }
        return number;
    }

    /// <summary>An independent copy that later <see cref="Add"/> calls do not change.</summary>
    public Bm25Vocabulary Freeze() =>
        new(_pool.AsSpan(0, _poolLength).ToArray(), _poolLength, _starts.AsSpan(0, _count + 1).ToArray(), _count);

    private void Place(int number, int hash)
    {
        int mask = _slots.Length - 1;
        int slot = hash & mask;
        while (_slots[slot].Entry != 0)
        {
            slot = (slot + 1) & mask;
        }
        ReadOnlySpan<byte> term = Term(number);
        _slots[slot] = new Slot { Head = Head(term, term.Length), Tag = Tag(hash, term.Length), Entry = number + 1 };
    }

    private static int Tag(int hash, int length) => (hash & 0x00FF_FFFF) | (Math.Min(length, 255) << 24);

    /// <summary>The first min(<paramref name="length"/>, 8) bytes of <paramref name="buffer"/> as
    /// a little-endian integer, zero above (one read when the buffer holds eight bytes).</summary>
    private static ulong Head(ReadOnlySpan<byte> buffer, int length)
    {
        if (buffer.Length >= 8)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
            return length >= 8 ? word : word & ((1UL << (8 * length)) - 1);
        }
        ulong head = 0;
        for (int i = 0; i < length && i < 8; i++)
        {
            head |= (ulong)buffer[i] << (8 * i);
        }
        return head;
    }

    private static int SlotCount(int count)
    {
        int size = 16;
        while (5 * size < 8 * count + 8)
        {
            size *= 2;
        }
        return size;
    }

    // Seeded per process (the table never leaves it), so a crafted corpus cannot aim for
    // collisions across runs.
    private static readonly ulong s_seed = (ulong)Random.Shared.NextInt64() | 1;

    /// <summary>A multiply-xorshift hash eight bytes at a time with a final avalanche: terms are
    /// short, and System.HashCode.AddBytes costs several times more per call on them.</summary>
    private static int Hash(ReadOnlySpan<byte> term)
    {
        const ulong Prime = 0x100000001B3UL;
        ulong h = s_seed ^ (ulong)term.Length;
        while (term.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(term)) * Prime;
            h ^= h >> 29;
            term = term[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < term.Length; i++)
        {
            tail |= (ulong)term[i] << (8 * i);
        }
        return Finish(h, tail);
    }

    /// <summary><see cref="Hash"/> of <c>buffer[..length]</c>, reading the tail as one masked
    /// integer when the buffer holds eight bytes from the tail's start (the same value).</summary>
    private static int HashPadded(ReadOnlySpan<byte> buffer, int length)
    {
        const ulong Prime = 0x100000001B3UL;
        ulong h = s_seed ^ (ulong)length;
        int offset = 0;
        while (length - offset >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(buffer[offset..])) * Prime;
            h ^= h >> 29;
            offset += 8;
        }
        int rest = length - offset;
        ulong tail = 0;
        if (rest > 0)
        {
            if (buffer.Length - offset >= 8)
            {
                tail = BinaryPrimitives.ReadUInt64LittleEndian(buffer[offset..]) & ((1UL << (8 * rest)) - 1);
            }
            else
            {
                for (int i = 0; i < rest; i++)
                {
                    tail |= (ulong)buffer[offset + i] << (8 * i);
                }
            }
        }
        return Finish(h, tail);
    }

    private static int Finish(ulong h, ulong tail)
    {
        h = (h ^ tail) * 0x9E3779B97F4A7C15UL;
        h ^= h >> 32;
        h *= 0xD6E8FEB86659FD93UL;
        h ^= h >> 32;
        return (int)h;
    }
}
