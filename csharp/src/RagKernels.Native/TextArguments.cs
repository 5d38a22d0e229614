using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;
using RagKernels.Signals;
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

    /// <summary>
    /// Checks one side of a gathered batch: count rk_span (the array may be NULL only when count
    /// is 0), each 0 ≤ length ≤ int.MaxValue with data not NULL when length &gt; 0. UTF-8 is
    /// checked per item by the loop.
    /// </summary>
    public static int Spans(RkSpan* items, long count, string name)
    {
        if (count < 0 || count > MaxBatch)
        {
            return LastError.InvalidArgument($"count must be between 0 and {MaxBatch}, got {count}");
        }
        if (items == null && count > 0)
        {
            return LastError.NullPointer(name);
        }
        for (long i = 0; i < count; i++)
        {
            long length = items[i].Length;
            if (length < 0 || length > int.MaxValue)
            {
                return LastError.InvalidArgument($"{name}[{i}] length must be between 0 and {int.MaxValue}, got {length}");
            }
            if (items[i].Data == null && length > 0)
            {
                return LastError.NullPointer($"{name}[{i}]");
            }
        }
        return Status.Ok;
    }

    /// <summary>
    /// Checks one side of a batch of rk_text (the array may be NULL only when count is 0): each
    /// encoding RK_TEXT_UTF8, _LATIN1, _UCS2 or _UCS4, reserved 0, a length whose UTF-8 fits
    /// one buffer (UTF-8: up to int.MaxValue bytes), data not NULL when length &gt; 0. Whether
    /// each text is valid (UTF-8, or code points with a UTF-8 form) is checked by the loop.
    /// </summary>
    public static int Texts(RkText* items, long count, string name)
    {
        if (count < 0 || count > MaxBatch)
        {
            return LastError.InvalidArgument($"count must be between 0 and {MaxBatch}, got {count}");
        }
        if (items == null && count > 0)
        {
            return LastError.NullPointer(name);
        }
        for (long i = 0; i < count; i++)
        {
            int encoding = items[i].Encoding;
            if (encoding is not (RkText.Utf8 or RkText.Latin1 or RkText.Ucs2 or RkText.Ucs4))
            {
                return LastError.InvalidArgument(
                    $"{name}[{i}] encoding must be 0 (UTF-8), 1 (Latin-1), 2 (UCS-2) or 4 (UCS-4), got {encoding}");
            }
            if (items[i].Reserved != 0)
            {
                return LastError.InvalidArgument($"{name}[{i}] reserved must be 0, got {items[i].Reserved}");
            }
            long length = items[i].Length;
            long limit = encoding == RkText.Utf8 ? int.MaxValue : ConversionRing.MaxCodePoints(encoding);
            if (length < 0 || length > limit)
            {
                return LastError.InvalidArgument($"{name}[{i}] length must be between 0 and {limit}, got {length}");
            }
            if (items[i].Data == null && length > 0)
            {
                return LastError.NullPointer($"{name}[{i}]");
            }
        }
        return Status.Ok;
    }

    /// <summary>A pair kernel over UTF-8 spans writing one result. The slacks say how many bytes
    /// after each text may be read (what is there is masked off); <paramref name="ascii"/>: both
    /// texts are known to be ASCII (else they are valid UTF-8, ASCII or not);
    /// <paramref name="reuse"/>: which text the kernel's call just before on this thread, in this
    /// same batch call, had too (so what it made of it may be reused), and whether the next pair
    /// has the same source.</summary>
    public interface IPairKernel
    {
        void Run(ReadOnlySpan<byte> claim, int claimSlack, ReadOnlySpan<byte> source, int sourceSlack, int index, bool ascii,
            PairReuse reuse);
    }

    /// <summary>
    /// Runs <paramref name="kernel"/> on every pair, in parallel over all cores when the batch
    /// is big enough to pay for the hand-off. Each pair's texts are checked for UTF-8 first (or
    /// converted to it, see CodeUnitTexts); returns RK_INVALID_UTF8 naming the first bad item
    /// (its result is left unwritten).
    /// </summary>
    public static int RunPairs<TKernel, TTexts>(TKernel kernel, TTexts texts, int count)
        where TKernel : IPairKernel
        where TTexts : struct, IBatchTexts
    {
        int firstBad = int.MaxValue;
        int workers = Workers.Count(0, count / 16);
        if (workers == 1 || texts.Bytes(count) < 16 * 1024)
        {
            RunRange(kernel, texts, 0, count, ref firstBad);
        }
        else
        {
            firstBad = RunInParallel(kernel, texts, count, workers);
        }
        if (firstBad == int.MaxValue)
        {
            return Status.Ok;
        }
        int item = firstBad >> 1;
        bool claim = (firstBad & 1) == 0;
        return LastError.Set(Status.InvalidUtf8, $"{(claim ? "claims" : "sources")}[{item}] {texts.Refusal(item, claim)}");
    }

    /// <summary>RunRange over chunks of pairs that the workers take in turn; returns the smallest
    /// firstBad of all. Its own method: the lambda's captured state is allocated on entry to the
    /// method that declares it, and a small batch on one thread should allocate nothing.</summary>
    private static int RunInParallel<TKernel, TTexts>(TKernel kernel, TTexts texts, int count, int workers)
        where TKernel : IPairKernel
        where TTexts : struct, IBatchTexts
    {
        int firstBad = int.MaxValue;
        // Chunks of pairs handed out dynamically: pairs differ in length, so static halves
        // would leave a core idle.
        int chunk = Math.Max(16, count / (workers * 16));
        Workers.ForChunks(workers, count, chunk, (start, end) =>
        {
            int bad = int.MaxValue;
            RunRange(kernel, texts, (int)start, (int)end, ref bad);
            if (bad != int.MaxValue)
            {
                int seen;
                while (bad < (seen = Volatile.Read(ref firstBad)) && Interlocked.CompareExchange(ref firstBad, bad, seen) != seen)
                {
                }
            }
        });
        return firstBad;
    }

    // firstBad encodes item * 2 + side (0 = claims, 1 = sources), so the smallest is the first
    // error in the order the Python checks use: claims[0], sources[0], claims[1], ...
    private static void RunRange<TKernel, TTexts>(TKernel kernel, TTexts texts, int start, int end, ref int firstBad)
        where TKernel : IPairKernel
        where TTexts : struct, IBatchTexts
    {
        bool allAscii = texts.AllAscii(start, end);
        // The claim and source the kernel last ran on, here on this thread: a batch that scores
        // each claim against several sources passes one claim pair after pair (and each sentence
        // of an answer against one source passes that source), and its check and whatever the
        // kernel made of it are then reused. Usually that is one str object (same address); pairs
        // read from a file or a DataFrame repeat a text as equal but separate strs, so equal bytes
        // count too. Every text of the batch stays readable until the call returns.
        Seen lastClaim = default;
        bool lastSourceAscii = false;
        bool sourceRepeats = false; // this pair's source has the bytes of the last pair run here
        texts.Begin();
        for (int i = start; i < end; i++)
        {
            ReadOnlySpan<byte> claim = texts.Claim(i, out int claimSlack, out TextState claimState);
            ReadOnlySpan<byte> source = texts.Source(i, out int sourceSlack, out TextState sourceState);
            bool sameClaim = lastClaim.Holds(claim);
            bool sameSource = sourceRepeats;
            // Texts converted here are valid UTF-8 and need no test; they count as not ASCII.
            bool claimAscii = allAscii || (sameClaim ? lastClaim.Ascii
                : claimState == TextState.Unchecked && IsAscii(claim, claimSlack));
            // A source's ASCII test is skipped when its claim is not ASCII (then false: not known).
            bool sourceAscii = allAscii || (sameSource ? lastSourceAscii
                : claimAscii && sourceState == TextState.Unchecked && IsAscii(source, sourceSlack));
            bool ascii = claimAscii && sourceAscii;
            // A text with no UTF-8 form is refused whatever else is known of it; the caller's own
            // bytes are checked unless ASCII or the same as the last pair's. The claim is named
            // first in the error order, so it is checked even when the source is already refused.
            bool claimBad = claimState == TextState.Invalid
                || (claimState == TextState.Unchecked && !claimAscii && !sameClaim && !Utf8Text.IsValid(claim));
            if (claimBad || sourceState == TextState.Invalid
                || (sourceState == TextState.Unchecked && !sourceAscii && !sameSource && !Utf8Text.IsValid(source)))
            {
                firstBad = Math.Min(firstBad, claimBad ? i * 2 : i * 2 + 1);
                lastClaim = default; // the kernel does not run: it may not hold these texts
                sourceRepeats = false;
                continue;
            }
            // Compared once: as the next pair's sameSource too.
            bool nextSame = false;
            if (i + 1 < end)
            {
                ReadOnlySpan<byte> next = texts.Source(i + 1, out _, out TextState nextState);
                nextSame = nextState != TextState.Invalid && Same(source, next);
            }
            PairReuse reuse = (sameClaim ? PairReuse.SameClaim : 0) | (sameSource ? PairReuse.SameSource : 0)
                | (nextSame ? PairReuse.SourceRepeats : 0);
            kernel.Run(claim, claimSlack, source, sourceSlack, i, ascii, reuse);
            lastClaim = new Seen(claim, claimAscii);
            lastSourceAscii = sourceAscii;
            sourceRepeats = nextSame;
        }
    }

    /// <summary>A claim a batch loop has run: its bytes and whether it is ASCII (the default holds
    /// nothing, not even an empty claim).</summary>
    private readonly ref struct Seen(ReadOnlySpan<byte> text, bool ascii)
    {
        private readonly ReadOnlySpan<byte> _text = text;
        private readonly bool _ran = true;

        public bool Ascii => ascii;

        public bool Holds(ReadOnlySpan<byte> text) => _ran && Same(_text, text);
    }

    /// <summary>Whether two texts have the same bytes: the same span, or equal copies. Texts of
    /// equal length that differ (distinct claims or sources) mostly differ in their first 8
    /// bytes, which are compared first, inline.</summary>
    private static bool Same(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        if (Unsafe.AreSame(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b)))
        {
            return true;
        }
        if (a.Length >= 8 && Unsafe.ReadUnaligned<ulong>(ref MemoryMarshal.GetReference(a))
            != Unsafe.ReadUnaligned<ulong>(ref MemoryMarshal.GetReference(b)))
        {
            return false;
        }
        return a.SequenceEqual(b);
    }

    /// <summary>Whether <paramref name="text"/> is all ASCII, reading whole 16-byte blocks when
    /// <paramref name="slack"/> bytes after it may be read (the part past the end is masked off):
    /// per text of a few hundred bytes, Ascii.IsValid's entry and tail handling cost about as
    /// much as the test.</summary>
    private static bool IsAscii(ReadOnlySpan<byte> text, int slack)
    {
        int length = text.Length;
        int blocks = (length + 15) & ~15;
        if (!Vector128.IsHardwareAccelerated || (long)length + slack < blocks)
        {
            return System.Text.Ascii.IsValid(text);
        }
        fixed (byte* p = text)
        {
            Vector128<byte> seen = Vector128<byte>.Zero;
            int i = 0;
            for (; i + 16 <= length; i += 16)
            {
                seen |= Vector128.Load(p + i);
            }
            uint high = seen.ExtractMostSignificantBits();
            if (i < length)
            {
                high |= Vector128.Load(p + i).ExtractMostSignificantBits() & ((1u << (length - i)) - 1);
            }
            return high == 0;
        }
    }
}
