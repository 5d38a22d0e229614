using System;
using System.Runtime.CompilerServices;

namespace RagKernels.Native;

/// <summary>
/// The two sides of a checked pair batch as TextArguments.RunPairs reads them: item by item,
/// with how many bytes after each item a kernel may read, and a quick "all ASCII" test over a
/// range of items where the layout allows one.
/// </summary>
internal unsafe interface IBatchTexts
{
    /// <summary>Bytes of both sides' items [0, count) (decides whether to go parallel).</summary>
    long Bytes(int count);

    /// <summary>True when items [start, end) of both sides are known to be ASCII after one cheap
    /// test; false when that is not so or cannot be told at once (each pair is then checked).</summary>
    bool AllAscii(int start, int end);

    /// <summary>Claim <paramref name="index"/> and how many bytes after it may be read.</summary>
    ReadOnlySpan<byte> Claim(int index, out int slack);

    /// <summary>Source <paramref name="index"/> and how many bytes after it may be read.</summary>
    ReadOnlySpan<byte> Source(int index, out int slack);
}

/// <summary>A batch as one UTF-8 buffer plus count + 1 offsets per side (the plain batch exports).
/// Items lie back to back, so a kernel may read past an item up to the end of its side's
/// checked bytes, and one ASCII test covers a whole range.</summary>
internal readonly unsafe struct PackedTexts(byte* claims, long* claimOffsets, byte* sources, long* sourceOffsets, int count)
    : IBatchTexts
{
    private readonly byte* _claimsEnd = claims + claimOffsets[count];
    private readonly byte* _sourcesEnd = sources + sourceOffsets[count];

    public long Bytes(int count) => claimOffsets[count] - claimOffsets[0] + sourceOffsets[count] - sourceOffsets[0];

    public bool AllAscii(int start, int end) => IsAscii(claims, claimOffsets, start, end) && IsAscii(sources, sourceOffsets, start, end);

    public ReadOnlySpan<byte> Claim(int index, out int slack) => Item(claims, claimOffsets, index, _claimsEnd, out slack);

    public ReadOnlySpan<byte> Source(int index, out int slack) => Item(sources, sourceOffsets, index, _sourcesEnd, out slack);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> Item(byte* buffer, long* offsets, int index, byte* readableEnd, out int slack)
    {
        byte* start = buffer + offsets[index];
        byte* end = buffer + offsets[index + 1];
        slack = (int)Math.Min(int.MaxValue, readableEnd - end);
        return new ReadOnlySpan<byte>(start, (int)(end - start));
    }

    // One ASCII check over the range's bytes stands for the per-text UTF-8 checks when it passes
    // (ASCII is valid UTF-8): on texts of a few hundred bytes the per-call setup of a check cost
    // as much as the check (perf: ~10% of numerical_consistency). False also for a range too
    // large for one span: the per-text checks then run.
    private static bool IsAscii(byte* buffer, long* offsets, int start, int end)
    {
        long length = offsets[end] - offsets[start];
        return length <= int.MaxValue && System.Text.Ascii.IsValid(new ReadOnlySpan<byte>(buffer + offsets[start], (int)length));
    }
}

/// <summary>A batch as one rk_span per text (the "_spans" exports): the texts lie anywhere (in
/// the caller's own string objects), so each pair is checked on its own.</summary>
/// <remarks>
/// How far past a text a kernel may read: up to the end of the memory page the text ends in.
/// Memory is mapped in whole pages (4 KB or a multiple of it), so reading there cannot fault,
/// whatever lies after the text (the kernels mask off what they read past the end); a text
/// that ends exactly on a page boundary has no slack. Without this, the vector scans copied
/// the tail of every text (a ~17% slower negation_flip batch, measured).
/// </remarks>
internal readonly unsafe struct GatheredTexts(RkSpan* claims, RkSpan* sources) : IBatchTexts
{
    private const int PageSize = 4096;

    public long Bytes(int count)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            total += claims[i].Length + sources[i].Length;
        }
        return total;
    }

    public bool AllAscii(int start, int end) => false;

    public ReadOnlySpan<byte> Claim(int index, out int slack) => Item(claims + index, out slack);

    public ReadOnlySpan<byte> Source(int index, out int slack) => Item(sources + index, out slack);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> Item(RkSpan* item, out int slack)
    {
        byte* end = item->Data + item->Length;
        slack = (int)(-(nint)end & (PageSize - 1));
        return new ReadOnlySpan<byte>(item->Data, (int)item->Length);
    }
}
