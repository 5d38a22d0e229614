using System;
using System.Threading;

namespace RagKernels.Native;

/// <summary>
/// Maps opaque 64-bit handles to managed objects. A handle packs the object kind (8 bits),
/// the slot's generation (24 bits) and the slot number plus one (32 bits), so a freed, stale,
/// forged or foreign handle is recognised and refused instead of being dereferenced.
/// </summary>
/// <remarks>
/// Lookups take no lock: they read an immutable entry from the current slot array. Adding and
/// removing take a short lock. A handle being freed while another thread still uses its object
/// is memory-safe (the object is managed); objects that own native resources guard that
/// themselves.
/// </remarks>
internal static class HandleTable
{
    private sealed record Entry(object Target, HandleKind Kind, uint Generation);

    private const uint GenerationMask = 0xFF_FFFF;
    private const int MaxSlots = int.MaxValue - 1;

    private static readonly object s_lock = new();
    private static Entry?[] s_entries = new Entry?[64];
    private static uint[] s_generations = new uint[64];
    private static int[] s_free = new int[64];
    private static int s_freeCount;
    private static int s_used;

    public static ulong Add(HandleKind kind, object target)
    {
        lock (s_lock)
        {
            int slot;
            if (s_freeCount > 0)
            {
                slot = s_free[--s_freeCount];
            }
            else
            {
                if (s_used == s_entries.Length)
                {
                    Grow();
                }
                slot = s_used++;
            }
            uint generation = s_generations[slot] = (s_generations[slot] + 1) & GenerationMask;
            Volatile.Write(ref s_entries[slot], new Entry(target, kind, generation));
            return ((ulong)kind << 56) | ((ulong)generation << 32) | (uint)(slot + 1);
        }
    }

    public static bool TryGet<T>(ulong handle, HandleKind kind, out T target) where T : class
    {
        Entry?[] entries = Volatile.Read(ref s_entries);
        long slot = (long)(handle & 0xFFFF_FFFF) - 1;
        if ((HandleKind)(handle >> 56) == kind && slot >= 0 && slot < entries.Length)
        {
            Entry? entry = Volatile.Read(ref entries[slot]);
            if (entry is not null && entry.Kind == kind && entry.Generation == ((handle >> 32) & GenerationMask) && entry.Target is T typed)
            {
                target = typed;
                return true;
            }
        }
        target = null!;
        return false;
    }

    public static bool TryRemove<T>(ulong handle, HandleKind kind, out T target) where T : class
    {
        lock (s_lock)
        {
            if (!TryGet(handle, kind, out target))
            {
                return false;
            }
            int slot = (int)(handle & 0xFFFF_FFFF) - 1;
            Volatile.Write(ref s_entries[slot], null);
            if (s_freeCount == s_free.Length)
            {
                Array.Resize(ref s_free, s_free.Length * 2);
            }
            s_free[s_freeCount++] = slot;
            return true;
        }
    }

    private static void Grow()
    {
        if (s_entries.Length >= MaxSlots / 2)
        {
            throw new OutOfMemoryException("too many open handles");
        }
        int size = s_entries.Length * 2;
        var entries = new Entry?[size];
        Array.Copy(s_entries, entries, s_entries.Length);
        Array.Resize(ref s_generations, size);
        Volatile.Write(ref s_entries, entries);
    }
}
