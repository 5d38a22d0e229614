using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RagKernels.Signals;

/// <summary>
/// A set of byte strings (words, entities, numbers) that live in pinned memory for the
/// duration of one call, as an open-addressing table reused across calls.
/// </summary>
/// <remarks>
/// Strings of up to 7 bytes (most words) are their own 64-bit key: the bytes plus the length
/// in the top byte, so equality is one comparison. Longer strings are keyed by a hash marked
/// 0xFF in the top byte and compared byte by byte. Slots carry a stamp instead of being
/// cleared: a new use bumps the stamp, so resetting costs nothing.
/// </remarks>
internal sealed unsafe class ByteSpanSet
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    // One entry per slot, so a probe touches one cache line.
    private struct Entry
    {
        public ulong Key;
        public nint Pointer;
        public uint Stamp;
        public int Length;
        public uint MarkStamp; // equal to _markStamp: marked (see Mark)
    }

    // A set starts at most this big (32 KB; only the slots in use are touched) and doubles while
    // it fills. At 256 a passage of ~150 words (ArguAna's) outgrew its table every time: the
    // rehash and the probes of a half-full table made traceability_batch on ArguAna pairs ~10%
    // slower and negation_flip_batch ~6% (one thread, measured); sentence-sized texts start far
    // smaller either way.
    private const int InitialMaxSize = 1024;

    private Entry[] _entries = new Entry[InitialMaxSize];
    private Entry[] _spare = new Entry[InitialMaxSize];
    private uint _stamp;
    private uint _markStamp = 1; // never 0, the MarkStamp of a new entry
    private int _shift;
    private int _mask;

    /// <summary>Distinct strings added since the last reset.</summary>
    public int Count;

    /// <summary>Empties the set; <paramref name="maxEntries"/> bounds how many strings can come
    /// (the table starts no bigger than needed for that many, and grows as it fills).</summary>
    public void Reset(int maxEntries)
    {
        int size = 16;
        while (size < maxEntries * 2 && size < InitialMaxSize)
        {
            size <<= 1;
        }
        // Stamps only grow; long before they wrap, every slot is cleared once. A call bumps the
        // stamp at most ~30 times more (one per doubling), well inside the margin.
        if (_stamp >= uint.MaxValue - 1024)
        {
            Array.Clear(_entries);
            Array.Clear(_spare);
            _stamp = 0;
        }
        _stamp++;
        SetSize(size);
        Count = 0;
    }

    private void SetSize(int size)
    {
        _mask = size - 1;
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    /// <summary>Doubles the table, moving the current entries (those with this stamp) over.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        int oldSize = _mask + 1;
        int size = oldSize * 2;
        if (_spare.Length < size)
        {
            _spare = new Entry[Math.Max(size, _entries.Length)];
        }
        Entry[] old = _entries;
        uint oldStamp = _stamp;
        uint stamp = ++_stamp;
        _entries = _spare;
        _spare = old;
        SetSize(size);
        for (int i = 0; i < oldSize; i++)
        {
            ref Entry from = ref old[i];
            if (from.Stamp != oldStamp)
            {
                continue;
            }
            int slot = (int)((from.Key * Golden) >> _shift);
            while (_entries[slot].Stamp == stamp)
            {
                slot = (slot + 1) & _mask;
            }
            _entries[slot] = from;
            _entries[slot].Stamp = stamp;
        }
    }

    /// <summary>The key of the <paramref name="length"/> bytes at <paramref name="p"/>; bytes up to
    /// <paramref name="limit"/> may be read (8 bytes are read at once when they are there).</summary>
    /// <remarks>One body with its own copy of <see cref="LongKey"/>: calling the helpers from here
    /// made the entity scan ~6% slower (measured; the inliner gives up on the nested calls).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Key(byte* p, int length, byte* limit)
    {
        if (length <= 7)
        {
            ulong v;
            if (limit - p >= 8)
            {
                v = Unsafe.ReadUnaligned<ulong>(p) & ((1UL << (length * 8)) - 1);
            }
            else
            {
                v = 0;
                for (int i = length - 1; i >= 0; i--)
                {
                    v = (v << 8) | p[i];
                }
            }
            return v | ((ulong)length << 56);
        }
        return LongKey(p, length);
    }

    /// <summary><see cref="Key"/> of a string of at most 7 bytes with 8 readable bytes from
    /// <paramref name="p"/> (the padded buffers of SignalScratch): no bounds test per word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong PaddedShortKey(byte* p, int length) =>
        (Unsafe.ReadUnaligned<ulong>(p) & ((1UL << (length * 8)) - 1)) | ((ulong)length << 56);

    /// <summary><see cref="Key"/> of a string of more than 7 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LongKey(byte* p, int length)
    {
        if (length <= 16)
        {
            // 8 to 16 bytes (most longer words): two overlapping loads cover every byte, mixed
            // inline; a call to the general hash cost more than the mixing.
            ulong a = Unsafe.ReadUnaligned<ulong>(p);
            ulong b = Unsafe.ReadUnaligned<ulong>(p + length - 8);
            ulong h = (a ^ ((ulong)length * 0xC2B2AE3D27D4EB4FUL)) * Golden;
            h ^= BitOperations.RotateLeft(b * 0xC2B2AE3D27D4EB4FUL, 31);
            h ^= h >> 29;
            return (h & 0x00FF_FFFF_FFFF_FFFFUL) | (0xFFUL << 56);
        }
        return Text.SpanHash.Hash(new ReadOnlySpan<byte>(p, length)) | (0xFFUL << 56);
    }

    /// <summary>Adds the string; true when it was not in the set.</summary>
    /// <remarks>Inlined into the word loops: a call per word cost more than the probe.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(byte* p, int length, ulong key)
    {
        // Slots are always within the array (mask < length), so no bounds checks are needed.
        ref Entry first = ref MemoryMarshal.GetArrayDataReference(_entries);
        uint stamp = _stamp;
        int mask = _mask;
        int slot = (int)((key * Golden) >> _shift);
        while (true)
        {
            ref Entry entry = ref Unsafe.Add(ref first, slot);
            if (entry.Stamp != stamp)
            {
                entry.Stamp = stamp;
                entry.Key = key;
                entry.Pointer = (nint)p;
                entry.Length = length;
                entry.MarkStamp = 0;
                if (++Count * 2 > mask)
                {
                    Grow(); // keeps the load under one half
                }
                return true;
            }
            if (entry.Key == key && (length <= 7 || Same(ref entry, p, length)))
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Whether the string is in the set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(byte* p, int length, ulong key) => !Unsafe.IsNullRef(ref Find(p, length, key));

    /// <summary>Marks the string when it is in the set: true the first time it is found, false
    /// when it is absent or was marked before (so distinct matches are counted without a
    /// second set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Mark(byte* p, int length, ulong key)
    {
        ref Entry entry = ref Find(p, length, key);
        if (Unsafe.IsNullRef(ref entry) || entry.MarkStamp == _markStamp)
        {
            return false;
        }
        entry.MarkStamp = _markStamp;
        return true;
    }

    /// <summary>Unmarks every string (the set is kept): marks carry a stamp too, so this costs
    /// nothing but on the rare wrap of the stamp.</summary>
    public void ClearMarks()
    {
        if (++_markStamp == 0)
        {
            foreach (ref Entry entry in _entries.AsSpan())
            {
                entry.MarkStamp = 0;
            }
            _markStamp = 1;
        }
    }

    /// <summary>The string's entry, or a null reference when it is not in the set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry Find(byte* p, int length, ulong key)
    {
        ref Entry first = ref MemoryMarshal.GetArrayDataReference(_entries);
        uint stamp = _stamp;
        int mask = _mask;
        int slot = (int)((key * Golden) >> _shift);
        while (true)
        {
            ref Entry entry = ref Unsafe.Add(ref first, slot);
            if (entry.Stamp != stamp)
            {
                return ref Unsafe.NullRef<Entry>();
            }
            if (entry.Key == key && (length <= 7 || Same(ref entry, p, length)))
            {
                return ref entry;
            }
            slot = (slot + 1) & mask;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Same(ref Entry entry, byte* p, int length) =>
        entry.Length == length && new ReadOnlySpan<byte>((byte*)entry.Pointer, length).SequenceEqual(new ReadOnlySpan<byte>(p, length));
}
