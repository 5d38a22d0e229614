using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RagKernels.Signals;

namespace RagKernels.Native.Exports;

/// <summary>
/// The pairwise scoring signals (shared/spec/signals.md): entity_overlap,
/// numerical_consistency, negation_flip and traceability, one pair at a time or a batch.
/// </summary>
/// <remarks>
/// Texts are UTF-8 pointer + byte length, borrowed for the call (NULL allowed for length 0).
/// A batch is, per side, one UTF-8 buffer and count + 1 int64 offsets (item i is bytes
/// offsets[i]..offsets[i+1]); results go to the caller's array of count elements.
/// The "_spans" batch forms take one rk_span (UTF-8 pointer + length) per text instead, the
/// "_texts" forms one rk_text (UTF-8, or fixed-width code points as a Python str holds them).
/// Statuses: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT (negative length, bad offsets or
/// count), RK_INVALID_UTF8 (the message names the argument or item; in a batch the other
/// results may already be written).
/// </remarks>
internal static unsafe class PairSignalExports
{
    /// <summary><c>int32_t rk_signal_entity_overlap(const uint8_t* a, int64_t a_len, const uint8_t* b,
    /// int64_t b_len, double* result)</c>: entity_overlap in [0, 1].</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_entity_overlap", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalEntityOverlap(byte* a, long aLength, byte* b, long bLength, double* result)
    {
        try
        {
            int status = Pair(a, aLength, "text_a", b, bLength, "text_b", result, out ReadOnlySpan<byte> ta, out ReadOnlySpan<byte> tb);
            if (status == Status.Ok)
            {
                *result = EntityOverlap.Compute(ta, tb);
            }
            return status;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary><c>int32_t rk_signal_numerical_consistency(const uint8_t* a, int64_t a_len,
    /// const uint8_t* b, int64_t b_len, int32_t* result)</c>: 1 = True, 0 = False, -1 = None.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_numerical_consistency", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalNumericalConsistency(byte* a, long aLength, byte* b, long bLength, int* result)
    {
        try
        {
            int status = Pair(a, aLength, "text_a", b, bLength, "text_b", result, out ReadOnlySpan<byte> ta, out ReadOnlySpan<byte> tb);
            if (status == Status.Ok)
            {
                *result = NumericalConsistency.Compute(ta, tb);
            }
            return status;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary><c>int32_t rk_signal_negation_flip(const uint8_t* claim, int64_t claim_len,
    /// const uint8_t* source, int64_t source_len, int32_t* result)</c>: 1 = True, 0 = False.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_negation_flip", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalNegationFlip(byte* claim, long claimLength, byte* source, long sourceLength, int* result)
    {
        try
        {
            int status = Pair(claim, claimLength, "claim", source, sourceLength, "source", result, out ReadOnlySpan<byte> c, out ReadOnlySpan<byte> s);
            if (status == Status.Ok)
            {
                *result = NegationFlip.Compute(c, s) ? 1 : 0;
            }
            return status;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary><c>int32_t rk_signal_traceability(const uint8_t* claim, int64_t claim_len,
    /// const uint8_t* source, int64_t source_len, double* result)</c>: traceability in [0, 1].</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_traceability", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalTraceability(byte* claim, long claimLength, byte* source, long sourceLength, double* result)
    {
        try
        {
            int status = Pair(claim, claimLength, "claim", source, sourceLength, "source", result, out ReadOnlySpan<byte> c, out ReadOnlySpan<byte> s);
            if (status == Status.Ok)
            {
                *result = Traceability.Compute(c, s);
            }
            return status;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary><c>int32_t rk_signal_entity_overlap_batch(const uint8_t* claims, int64_t claims_len,
    /// const int64_t* claim_offsets, const uint8_t* sources, int64_t sources_len,
    /// const int64_t* source_offsets, int64_t count, double* results)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_entity_overlap_batch", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalEntityOverlapBatch(byte* claims, long claimsLength, long* claimOffsets,
        byte* sources, long sourcesLength, long* sourceOffsets, long count, double* results) =>
        PackedBatch(new EntityOverlapKernel(results), claims, claimsLength, claimOffsets, sources, sourcesLength, sourceOffsets, count, results);

    /// <summary><c>int32_t rk_signal_numerical_consistency_batch(..., int64_t count, int8_t* results)</c>
    /// (arguments as rk_signal_entity_overlap_batch): 1 = True, 0 = False, -1 = None.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_numerical_consistency_batch", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalNumericalConsistencyBatch(byte* claims, long claimsLength, long* claimOffsets,
        byte* sources, long sourcesLength, long* sourceOffsets, long count, sbyte* results) =>
        PackedBatch(new NumericalConsistencyKernel(results), claims, claimsLength, claimOffsets, sources, sourcesLength, sourceOffsets, count, results);

    /// <summary><c>int32_t rk_signal_negation_flip_batch(..., int64_t count, uint8_t* results)</c>
    /// (arguments as rk_signal_entity_overlap_batch): 1 = True, 0 = False, one byte each
    /// (the layout of a numpy bool array).</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_negation_flip_batch", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalNegationFlipBatch(byte* claims, long claimsLength, long* claimOffsets,
        byte* sources, long sourcesLength, long* sourceOffsets, long count, byte* results) =>
        PackedBatch(new NegationFlipKernel(results), claims, claimsLength, claimOffsets, sources, sourcesLength, sourceOffsets, count, results);

    /// <summary><c>int32_t rk_signal_traceability_batch(..., int64_t count, double* results)</c>
    /// (arguments as rk_signal_entity_overlap_batch).</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_traceability_batch", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalTraceabilityBatch(byte* claims, long claimsLength, long* claimOffsets,
        byte* sources, long sourcesLength, long* sourceOffsets, long count, double* results) =>
        PackedBatch(new TraceabilityKernel(results), claims, claimsLength, claimOffsets, sources, sourcesLength, sourceOffsets, count, results);

    /// <summary><c>int32_t rk_signal_entity_overlap_batch_spans(const rk_span* claims, const rk_span* sources,
    /// int64_t count, double* results)</c>: rk_signal_entity_overlap_batch over one rk_span per text.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_entity_overlap_batch_spans", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalEntityOverlapBatchSpans(RkSpan* claims, RkSpan* sources, long count, double* results) =>
        EntityOverlapSpans(claims, sources, count, results);

    /// <summary><c>int32_t rk_signal_numerical_consistency_batch_spans(const rk_span* claims,
    /// const rk_span* sources, int64_t count, int8_t* results)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_numerical_consistency_batch_spans", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalNumericalConsistencyBatchSpans(RkSpan* claims, RkSpan* sources, long count, sbyte* results) =>
        NumericalConsistencySpans(claims, sources, count, results);

    /// <summary><c>int32_t rk_signal_negation_flip_batch_spans(const rk_span* claims, const rk_span* sources,
    /// int64_t count, uint8_t* results)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_negation_flip_batch_spans", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalNegationFlipBatchSpans(RkSpan* claims, RkSpan* sources, long count, byte* results) =>
        NegationFlipSpans(claims, sources, count, results);

    /// <summary><c>int32_t rk_signal_traceability_batch_spans(const rk_span* claims, const rk_span* sources,
    /// int64_t count, double* results)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_traceability_batch_spans", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalTraceabilityBatchSpans(RkSpan* claims, RkSpan* sources, long count, double* results) =>
        TraceabilitySpans(claims, sources, count, results);

    /// <summary><c>int32_t rk_signal_entity_overlap_batch_texts(const rk_text* claims, const rk_text* sources,
    /// int64_t count, double* results)</c>: rk_signal_entity_overlap_batch over one rk_text per text.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_entity_overlap_batch_texts", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalEntityOverlapBatchTexts(RkText* claims, RkText* sources, long count, double* results) =>
        TextBatch(new EntityOverlapKernel(results), claims, sources, count, results);

    /// <summary><c>int32_t rk_signal_numerical_consistency_batch_texts(const rk_text* claims,
    /// const rk_text* sources, int64_t count, int8_t* results)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_numerical_consistency_batch_texts", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalNumericalConsistencyBatchTexts(RkText* claims, RkText* sources, long count, sbyte* results) =>
        TextBatch(new NumericalConsistencyKernel(results), claims, sources, count, results);

    /// <summary><c>int32_t rk_signal_negation_flip_batch_texts(const rk_text* claims, const rk_text* sources,
    /// int64_t count, uint8_t* results)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_negation_flip_batch_texts", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalNegationFlipBatchTexts(RkText* claims, RkText* sources, long count, byte* results) =>
        TextBatch(new NegationFlipKernel(results), claims, sources, count, results);

    /// <summary><c>int32_t rk_signal_traceability_batch_texts(const rk_text* claims, const rk_text* sources,
    /// int64_t count, double* results)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_traceability_batch_texts", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalTraceabilityBatchTexts(RkText* claims, RkText* sources, long count, double* results) =>
        TraceabilityTexts(claims, sources, count, results);

    // Also run by the C# benchmarks (the Python batches call the _texts forms).
    internal static int TraceabilityTexts(RkText* claims, RkText* sources, long count, double* results) =>
        TextBatch(new TraceabilityKernel(results), claims, sources, count, results);

    // The span batches, also run by the C# benchmarks (they are what the Python batches call).
    internal static int EntityOverlapSpans(RkSpan* claims, RkSpan* sources, long count, double* results) =>
        SpanBatch(new EntityOverlapKernel(results), claims, sources, count, results);

    internal static int NumericalConsistencySpans(RkSpan* claims, RkSpan* sources, long count, sbyte* results) =>
        SpanBatch(new NumericalConsistencyKernel(results), claims, sources, count, results);

    internal static int NegationFlipSpans(RkSpan* claims, RkSpan* sources, long count, byte* results) =>
        SpanBatch(new NegationFlipKernel(results), claims, sources, count, results);

    internal static int TraceabilitySpans(RkSpan* claims, RkSpan* sources, long count, double* results) =>
        SpanBatch(new TraceabilityKernel(results), claims, sources, count, results);

    /// <summary>A batch export over one buffer + offsets per side: checks, then runs the kernel.</summary>
    private static int PackedBatch<TKernel>(TKernel kernel, byte* claims, long claimsLength, long* claimOffsets,
        byte* sources, long sourcesLength, long* sourceOffsets, long count, void* results)
        where TKernel : TextArguments.IPairKernel
    {
        try
        {
            int status = CheckPacked(claims, claimsLength, claimOffsets, sources, sourcesLength, sourceOffsets, count, results);
            return status != Status.Ok ? status
                : TextArguments.RunPairs(kernel, new PackedTexts(claims, claimOffsets, sources, sourceOffsets, (int)count), (int)count);
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>A batch export over one rk_span per text: checks, then runs the kernel.</summary>
    private static int SpanBatch<TKernel>(TKernel kernel, RkSpan* claims, RkSpan* sources, long count, void* results)
        where TKernel : TextArguments.IPairKernel
    {
        try
        {
            int status = CheckSpans(claims, sources, count, results);
            return status != Status.Ok ? status : TextArguments.RunPairs(kernel, new GatheredTexts(claims, sources), (int)count);
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>A batch export over one rk_text per text: checks, then runs the kernel.</summary>
    private static int TextBatch<TKernel>(TKernel kernel, RkText* claims, RkText* sources, long count, void* results)
        where TKernel : TextArguments.IPairKernel
    {
        try
        {
            int status = TextArguments.Texts(claims, count, "claims");
            if (status == Status.Ok)
            {
                status = TextArguments.Texts(sources, count, "sources");
            }
            if (status == Status.Ok && results == null && count > 0)
            {
                status = LastError.NullPointer("results");
            }
            return status != Status.Ok ? status : TextArguments.RunPairs(kernel, new CodeUnitTexts(claims, sources), (int)count);
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    private static int CheckSpans(RkSpan* claims, RkSpan* sources, long count, void* results)
    {
        int status = TextArguments.Spans(claims, count, "claims");
        if (status != Status.Ok)
        {
            return status;
        }
        status = TextArguments.Spans(sources, count, "sources");
        if (status != Status.Ok)
        {
            return status;
        }
        return results == null && count > 0 ? LastError.NullPointer("results") : Status.Ok;
    }

    private static int Pair(byte* a, long aLength, string aName, byte* b, long bLength, string bName, void* result,
        out ReadOnlySpan<byte> textA, out ReadOnlySpan<byte> textB)
    {
        textB = default;
        if (result == null)
        {
            textA = default;
            return LastError.NullPointer("result");
        }
        int status = TextArguments.Text(a, aLength, aName, out textA);
        return status != Status.Ok ? status : TextArguments.Text(b, bLength, bName, out textB);
    }

    private static int CheckPacked(byte* claims, long claimsLength, long* claimOffsets, byte* sources, long sourcesLength,
        long* sourceOffsets, long count, void* results)
    {
        int status = TextArguments.Batch(claims, claimsLength, claimOffsets, count, "claims");
        if (status != Status.Ok)
        {
            return status;
        }
        status = TextArguments.Batch(sources, sourcesLength, sourceOffsets, count, "sources");
        if (status != Status.Ok)
        {
            return status;
        }
        return results == null && count > 0 ? LastError.NullPointer("results") : Status.Ok;
    }

    // reuse (see TextArguments.IPairKernel, PairReuse): each signal reuses what it made of a
    // claim or source the pair shares with the one before.
    private readonly struct EntityOverlapKernel(double* results) : TextArguments.IPairKernel
    {
        public void Run(ReadOnlySpan<byte> claim, int claimSlack, ReadOnlySpan<byte> source, int sourceSlack, int index, bool ascii,
            PairReuse reuse) =>
            results[index] = EntityOverlap.Compute(claim, source, claimSlack, sourceSlack, reuse);
    }

    private readonly struct NumericalConsistencyKernel(sbyte* results) : TextArguments.IPairKernel
    {
        public void Run(ReadOnlySpan<byte> claim, int claimSlack, ReadOnlySpan<byte> source, int sourceSlack, int index, bool ascii,
            PairReuse reuse) =>
            results[index] = (sbyte)NumericalConsistency.Compute(claim, source, ascii, reuse);
    }

    private readonly struct NegationFlipKernel(byte* results) : TextArguments.IPairKernel
    {
        public void Run(ReadOnlySpan<byte> claim, int claimSlack, ReadOnlySpan<byte> source, int sourceSlack, int index, bool ascii,
            PairReuse reuse) =>
            results[index] = NegationFlip.Compute(claim, source, claimSlack, sourceSlack, reuse) ? (byte)1 : (byte)0;
    }

    private readonly struct TraceabilityKernel(double* results) : TextArguments.IPairKernel
    {
        public void Run(ReadOnlySpan<byte> claim, int claimSlack, ReadOnlySpan<byte> source, int sourceSlack, int index, bool ascii,
            PairReuse reuse) =>
            results[index] = Traceability.Compute(claim, source, reuse);
    }
}
