using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RagKernels.Text;

/// <summary>A fast 64-bit hash of a short byte span, for the word and entity sets.</summary>
/// <remarks>
/// Written by hand: the spans are words of a few bytes, where a general-purpose hash's setup
/// costs more than the hashing (System.IO.Hashing would also add a dependency). Reads never go
/// past the span (the tail is read with two overlapping loads), so it is safe on caller memory.
/// Collisions only cost a byte comparison; nothing depends on the hash's quality for results.
/// </remarks>
public static class SpanHash
{
    private const ulong K0 = 0x9E3779B97F4A7C15UL;
    private const ulong K1 = 0xC2B2AE3D27D4EB4FUL;

    public static ulong Hash(ReadOnlySpan<byte> span)
    {
        ref byte p = ref MemoryMarshal.GetReference(span);
        int n = span.Length;
        ulong h = K0 ^ (ulong)n;
        int i = 0;
        for (; n - i >= 8; i += 8)
        {
            h = Mix(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        }
        int rest = n - i;
        if (rest >= 4)
        {
            ulong lo = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i));
            ulong hi = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + rest - 4));
            h = Mix(h ^ (lo | (hi << 32)));
        }
        else if (rest > 0)
        {
            ulong v = Unsafe.Add(ref p, i) | ((ulong)Unsafe.Add(ref p, i + (rest >> 1)) << 8) | ((ulong)Unsafe.Add(ref p, i + rest - 1) << 16);
            h = Mix(h ^ v);
        }
        h ^= h >> 29;
        h *= K1;
        return h ^ (h >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x *= K0;
        return x ^ (x >> 31);
    }
}
