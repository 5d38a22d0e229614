using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using RagKernels.Text;

using RagKernels.Threading;

namespace RagKernels.Native;

/// <summary>
/// Checks for text arguments of the exports (UTF-8 pointer + byte length, or a batch as one
/// buffer + int64 offsets), and the parallel loop the batch exports share.
/// </summary>
internal static unsafe class TextArguments
{
    /// <summary>The largest batch: item * 2 + side must fit an int (see RunPairs).</summary>
    public const int MaxBatch = int.MaxValue / 2;

    /// <summary>Checks one text; on success <paramref name="span"/> views it. Returns a status.</summary>
    public static int Text(byte* pointer, long length, string name, out ReadOnlySpan<byte> span)
    {
        span = default;
        if (length < 0 || length > int.MaxValue)
        {
            return LastError.InvalidArgument($"{name} length must be between 0 and {int.MaxValue}, got {length}");
        }
        if (pointer == null && length > 0)
        {
            return LastError.NullPointer(name);
        }
        span = new ReadOnlySpan<byte>(pointer, (int)length);
        if (!Utf8Text.IsValid(span))
        {
            return LastError.Set(Status.InvalidUtf8, $"{name} is not valid UTF-8");
        }
        return Status.Ok;
    }

    /// <summary>
    /// Checks a batch's shape: count ≥ 0 and, for each side, a buffer and count + 1 offsets with
    /// 0 ≤ offsets[i] ≤ offsets[i + 1] ≤ buffer length. UTF-8 is checked per item by the loop.
    /// </summary>
    public static int Batch(byte* buffer, long bufferLength, long* offsets, long count, string name)
    {
        if (count < 0 || count > MaxBatch)
        {
            return LastError.InvalidArgument($"count must be between 0 and {MaxBatch}, got {count}");
        }
        if (offsets == null)
        {
            return LastError.NullPointer($"{name} offsets");
        }
        if (bufferLength < 0)
        {
            return LastError.InvalidArgument($"{name} length must not be negative, got {bufferLength}");
        }
        if (buffer == null && bufferLength > 0)
        {
            return LastError.NullPointer(name);
        }
        if (offsets[0] < 0)
        {
            return LastError.InvalidArgument($"{name} offsets[0] must not be negative, got {offsets[0]}");
        }
        for (long i = 0; i < count; i++)
        {
            long start = offsets[i];
            long end = offsets[i + 1];
            if (end < start || end > bufferLength || end - start > int.MaxValue)
            {
                return LastError.InvalidArgument(
                    $"{name} offsets must be non-decreasing and within the buffer: offsets[{i}] = {start}, offsets[{i + 1}] = {end}, length {bufferLength}");
            }
        }
        return Status.Ok;
    }

    /// <summary>Item <paramref name="index"/> of a checked batch.</summary>
    public static ReadOnlySpan<byte> Item(byte* buffer, long* offsets, int index) =>
        new(buffer + offsets[index], (int)(offsets[index + 1] - offsets[index]));

    /// <summary>A pair kernel over UTF-8 spans writing one result. <paramref name="ascii"/>: both
    /// texts are known to be ASCII (else they are valid UTF-8, ASCII or not).</summary>
    public interface IPairKernel
    {
        void Run(ReadOnlySpan<byte> claim, ReadOnlySpan<byte> source, int index, bool ascii);
    }

    /// <summary>How many bytes after <paramref name="item"/> a kernel may read (up to
    /// <paramref name="readableEnd"/>, the end of the batch's checked bytes): a batch's items lie
    /// back to back, so vector loops can read whole blocks past an item's end instead of copying
    /// its tail (what they read there is masked off).</summary>
    public static int Slack(ReadOnlySpan<byte> item, byte* readableEnd)
    {
        byte* end = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(item)) + item.Length;
        return (int)Math.Min(int.MaxValue, readableEnd - end);
    }

    /// <summary>
    /// Runs <paramref name="kernel"/> on every pair, in parallel over all cores when the batch
    /// is big enough to pay for the hand-off. Each pair's texts are checked for UTF-8 first;
    /// returns RK_INVALID_UTF8 naming the first bad item (its result is left unwritten).
    /// </summary>
    public static int RunPairs<TKernel>(TKernel kernel, byte* claims, long* claimOffsets, byte* sources, long* sourceOffsets, int count)
        where TKernel : IPairKernel
    {
        int firstBad = int.MaxValue;
        long totalBytes = claimOffsets[count] - claimOffsets[0] + sourceOffsets[count] - sourceOffsets[0];
        int workers = Workers.Count(0, count / 16);
        if (workers == 1 || totalBytes < 16 * 1024)
        {
            RunRange(kernel, claims, claimOffsets, sources, sourceOffsets, 0, count, ref firstBad);
        }
        else
        {
            // Chunks of pairs handed out dynamically: pairs differ in length, so static halves
            // would leave a core idle.
            int chunk = Math.Max(16, count / (workers * 16));
            nint c = (nint)claims, co = (nint)claimOffsets, s = (nint)sources, so = (nint)sourceOffsets;
            Workers.ForChunks(workers, count, chunk, (start, end) =>
            {
                int bad = int.MaxValue;
                RunRange(kernel, (byte*)c, (long*)co, (byte*)s, (long*)so, (int)start, (int)end, ref bad);
                if (bad != int.MaxValue)
                {
                    int seen;
                    while (bad < (seen = Volatile.Read(ref firstBad)) && Interlocked.CompareExchange(ref firstBad, bad, seen) != seen)
                    {
                    }
                }
            });
        }
        if (firstBad == int.MaxValue)
        {
            return Status.Ok;
        }
        int item = firstBad >> 1;
        string side = (firstBad & 1) == 0 ? "claims" : "sources";
        return LastError.Set(Status.InvalidUtf8, $"{side}[{item}] is not valid UTF-8");
    }

    // firstBad encodes item * 2 + side (0 = claims, 1 = sources), so the smallest is the first
    // error in the order the Python checks use: claims[0], sources[0], claims[1], ...
    private static void RunRange<TKernel>(TKernel kernel, byte* claims, long* claimOffsets, byte* sources, long* sourceOffsets,
        int start, int end, ref int firstBad)
        where TKernel : IPairKernel
    {
        // One ASCII check over the range's bytes, per side, stands for the per-text UTF-8 checks
        // when it passes (ASCII is valid UTF-8): on texts of a few hundred bytes the per-call
        // setup of a check cost as much as the check (perf: ~10% of numerical_consistency).
        bool ascii = IsAscii(claims, claimOffsets, start, end) && IsAscii(sources, sourceOffsets, start, end);
        for (int i = start; i < end; i++)
        {
            ReadOnlySpan<byte> claim = Item(claims, claimOffsets, i);
            ReadOnlySpan<byte> source = Item(sources, sourceOffsets, i);
            if (ascii)
            {
                kernel.Run(claim, source, i, true);
                continue;
            }
            if (!Utf8Text.IsValid(claim))
            {
                firstBad = Math.Min(firstBad, i * 2);
                continue;
            }
            if (!Utf8Text.IsValid(source))
            {
                firstBad = Math.Min(firstBad, i * 2 + 1);
                continue;
            }
            kernel.Run(claim, source, i, false);
        }
    }

    /// <summary>Whether items [start, end) of a checked batch side are all ASCII (false also for a
    /// range too large for one span: the per-text checks then run).</summary>
    private static bool IsAscii(byte* buffer, long* offsets, int start, int end)
    {
        long length = offsets[end] - offsets[start];
        return length <= int.MaxValue && System.Text.Ascii.IsValid(new ReadOnlySpan<byte>(buffer + offsets[start], (int)length));
    }
}
