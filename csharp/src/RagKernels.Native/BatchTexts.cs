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

    /// <summary>This thread starts a run of pairs (Claim and Source below come from it until the
    /// next Begin on this thread).</summary>
    void Begin();

    /// <summary>Claim <paramref name="index"/> as UTF-8, how many bytes after it may be read, and
    /// what is known of it. The caller's own bytes stay readable for the whole call; UTF-8 made
    /// here is rewritten once two claims with other contents have been asked for after it
    /// (ConversionRing; sources likewise).</summary>
    ReadOnlySpan<byte> Claim(int index, out int slack, out TextState state);

    /// <summary>Source <paramref name="index"/>, as <see cref="Claim"/>.</summary>
    ReadOnlySpan<byte> Source(int index, out int slack, out TextState state);

    /// <summary>Why item <paramref name="index"/> of a side was refused (after "claims[i] ").</summary>
    string Refusal(int index, bool claim);
}

/// <summary>What a batch layout knows of a text it hands out.</summary>
internal enum TextState : byte
{
    /// <summary>The caller's UTF-8: to be checked (ASCII, or else valid UTF-8).</summary>
    Unchecked,

    /// <summary>Made here: valid UTF-8, and treated as not known to be ASCII.</summary>
    Valid,

    /// <summary>Has no UTF-8 form (a surrogate code point): the pair is refused.</summary>
    Invalid,
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

    public void Begin()
    {
    }

    public ReadOnlySpan<byte> Claim(int index, out int slack, out TextState state)
    {
        state = TextState.Unchecked;
        return Item(claims, claimOffsets, index, _claimsEnd, out slack);
    }

    public ReadOnlySpan<byte> Source(int index, out int slack, out TextState state)
    {
        state = TextState.Unchecked;
        return Item(sources, sourceOffsets, index, _sourcesEnd, out slack);
    }

    public string Refusal(int index, bool claim) => "is not valid UTF-8";

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

    public void Begin()
    {
    }

    public ReadOnlySpan<byte> Claim(int index, out int slack, out TextState state)
    {
        state = TextState.Unchecked;
        return Item(claims[index].Data, claims[index].Length, out slack);
    }

    public ReadOnlySpan<byte> Source(int index, out int slack, out TextState state)
    {
        state = TextState.Unchecked;
        return Item(sources[index].Data, sources[index].Length, out slack);
    }

    public string Refusal(int index, bool claim) => "is not valid UTF-8";

    /// <summary>A text in the caller's memory, readable to the end of the page it ends in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ReadOnlySpan<byte> Item(byte* data, long length, out int slack)
    {
        byte* end = data + length;
        slack = (int)(-(nint)end & (PageSize - 1));
        return new ReadOnlySpan<byte>(data, (int)length);
    }
}

/// <summary>A batch as one rk_text per text (the "_texts" exports): UTF-8 texts are read where
/// they are, as GatheredTexts does; texts of fixed-width code points (a Python str that is not
/// ASCII, as it holds itself) are converted to UTF-8 by the thread that runs their pair, into
/// that thread's ConversionRing, so the conversion runs on all cores.</summary>
internal unsafe struct CodeUnitTexts(RkText* claims, RkText* sources) : IBatchTexts
{
    // This thread's rings, looked up once per run of pairs (Begin) rather than per text: each
    // RunPairs range works on its own copy of this struct.
    private ConversionRing? _claimRing;
    private ConversionRing? _sourceRing;

    public readonly long Bytes(int count)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            total += claims[i].Length * Math.Max(1, claims[i].Encoding) + sources[i].Length * Math.Max(1, sources[i].Encoding);
        }
        return total;
    }

    public readonly bool AllAscii(int start, int end) => false;

    public void Begin()
    {
        _claimRing = ConversionRing.Claims;
        _sourceRing = ConversionRing.Sources;
        _claimRing.Forget();
        _sourceRing.Forget();
    }

    public readonly ReadOnlySpan<byte> Claim(int index, out int slack, out TextState state) =>
        Item(claims + index, _claimRing!, out slack, out state);

    public readonly ReadOnlySpan<byte> Source(int index, out int slack, out TextState state) =>
        Item(sources + index, _sourceRing!, out slack, out state);

    public readonly string Refusal(int index, bool claim)
    {
        int encoding = (claim ? claims : sources)[index].Encoding;
        return encoding == RkText.Utf8 ? "is not valid UTF-8"
            : encoding == RkText.Ucs4 ? "holds a surrogate code point (U+D800-U+DFFF) or one above U+10FFFF: it has no UTF-8 form"
            : "holds a surrogate code point (U+D800-U+DFFF): it has no UTF-8 form";
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> Item(RkText* text, ConversionRing ring, out int slack, out TextState state)
    {
        if (text->Encoding == RkText.Utf8)
        {
            state = TextState.Unchecked;
            return GatheredTexts.Item((byte*)text->Data, text->Length, out slack);
        }
        ReadOnlySpan<byte> utf8 = ring.Convert(text, out slack, out bool converted);
        state = converted ? TextState.Valid : TextState.Invalid;
        return utf8;
    }
}
