using System;
using System.Numerics;
using System.Linq;
using System.Text;
using RagKernels.Native;
using RagKernels.Native.Exports;
using Xunit;

namespace RagKernels.Tests;

/// <summary>The pairwise signal exports called through unmanaged function pointers, as a C
/// caller does: statuses, messages, invalid UTF-8 (which Python can never send) and batches.</summary>
public unsafe class PairSignalExportTests
{
    // The exports the tests call, as the C ABI exposes them.
    private static readonly delegate* unmanaged[Cdecl]<byte*, long, byte*, long, double*, int> s_entity = &PairSignalExports.RkSignalEntityOverlap;
    private static readonly delegate* unmanaged[Cdecl]<byte*, long, byte*, long, int*, int> s_numerical = &PairSignalExports.RkSignalNumericalConsistency;
    private static readonly delegate* unmanaged[Cdecl]<byte*, long, byte*, long, int*, int> s_negation = &PairSignalExports.RkSignalNegationFlip;
    private static readonly delegate* unmanaged[Cdecl]<byte*, long, byte*, long, double*, int> s_trace = &PairSignalExports.RkSignalTraceability;
    internal static readonly delegate* unmanaged[Cdecl]<RkSpan*, RkSpan*, long, double*, int> s_entitySpans = &PairSignalExports.RkSignalEntityOverlapBatchSpans;
    internal static readonly delegate* unmanaged[Cdecl]<RkSpan*, RkSpan*, long, sbyte*, int> s_numericalSpans = &PairSignalExports.RkSignalNumericalConsistencyBatchSpans;
    internal static readonly delegate* unmanaged[Cdecl]<RkSpan*, RkSpan*, long, byte*, int> s_negationSpans = &PairSignalExports.RkSignalNegationFlipBatchSpans;
    internal static readonly delegate* unmanaged[Cdecl]<RkSpan*, RkSpan*, long, double*, int> s_traceSpans = &PairSignalExports.RkSignalTraceabilityBatchSpans;

    internal static string LastErrorMessage()
    {
        delegate* unmanaged[Cdecl]<byte*, long, long*, int> read = &CoreExports.RkLastErrorMessage;
        long needed;
        read(null, 0, &needed);
        var buffer = new byte[needed];
        fixed (byte* p = buffer)
        {
            Assert.Equal(Status.Ok, read(p, buffer.Length, &needed));
        }
        return Encoding.UTF8.GetString(buffer);
    }

    private static readonly byte[][] s_invalid =
    [
        [0x80], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x50, 0x61, 0x72, 0x69, 0x73, 0xFF],
    ];

    private delegate int DoubleSignal(byte* a, long aLength, byte* b, long bLength, double* result);

    [Fact]
    public void SingleExportsRejectInvalidUtf8()
    {
        byte[] good = "Paris 7 not"u8.ToArray();
        double d = 42;
        int i = 42;
        foreach (byte[] bad in s_invalid)
        {
            fixed (byte* g = good, x = bad)
            {
                Assert.Equal(Status.InvalidUtf8, s_entity(x, bad.Length, g, good.Length, &d));
                Assert.Equal("text_a is not valid UTF-8", LastErrorMessage());
                Assert.Equal(Status.InvalidUtf8, s_entity(g, good.Length, x, bad.Length, &d));
                Assert.Equal("text_b is not valid UTF-8", LastErrorMessage());
                Assert.Equal(Status.InvalidUtf8, s_numerical(x, bad.Length, g, good.Length, &i));
                Assert.Equal(Status.InvalidUtf8, s_numerical(g, good.Length, x, bad.Length, &i));
                Assert.Equal(Status.InvalidUtf8, s_negation(x, bad.Length, g, good.Length, &i));
                Assert.Equal("claim is not valid UTF-8", LastErrorMessage());
                Assert.Equal(Status.InvalidUtf8, s_trace(g, good.Length, x, bad.Length, &d));
                Assert.Equal("source is not valid UTF-8", LastErrorMessage());
            }
        }
        Assert.Equal(42, d); // nothing written on failure
        Assert.Equal(42, i);
    }

    [Fact]
    public void SingleExportsCheckPointersAndLengths()
    {
        double d;
        int i;
        Assert.Equal(Status.NullPointer, s_trace(null, 0, null, 0, null));
        Assert.Equal("result must not be NULL", LastErrorMessage());
        Assert.Equal(Status.NullPointer, s_trace(null, 3, null, 0, &d));
        Assert.Equal("claim must not be NULL", LastErrorMessage());
        Assert.Equal(Status.InvalidArgument, s_trace(null, -1, null, 0, &d));
        Assert.Contains("claim length must be between 0 and", LastErrorMessage());
        Assert.Equal(Status.Ok, s_trace(null, 0, null, 0, &d));
        Assert.Equal(1.0, d);
        Assert.Equal(Status.Ok, s_numerical(null, 0, null, 0, &i));
        Assert.Equal(-1, i);
        fixed (byte* c = "costs $99 per month"u8, s = "price is $99"u8)
        {
            Assert.Equal(Status.Ok, s_trace(c, 19, s, 12, &d));
            Assert.Equal(0.25, d);
            Assert.Equal(Status.Ok, s_numerical(c, 19, s, 12, &i));
            Assert.Equal(1, i);
        }
    }

    private static (byte[] Buffer, long[] Offsets) Pack(params byte[][] items)
    {
        var offsets = new long[items.Length + 1];
        var buffer = new System.Collections.Generic.List<byte>();
        for (int k = 0; k < items.Length; k++)
        {
            buffer.AddRange(items[k]);
            offsets[k + 1] = buffer.Count;
        }
        return (buffer.ToArray(), offsets);
    }

    /// <summary>40 pairs, so the parallel path runs too; item 29's source and item 31's claim
    /// are not valid UTF-8.</summary>
    private static (byte[][] Claims, byte[][] Sources) FortyPairsTwoInvalid()
    {
        var claims = new byte[40][];
        var sources = new byte[40][];
        for (int k = 0; k < 40; k++)
        {
            claims[k] = Encoding.UTF8.GetBytes($"Paris {k} " + new string('x', 1000));
            sources[k] = Encoding.UTF8.GetBytes($"Paris {k} " + new string('y', 1000));
        }
        sources[29] = [0x61, 0xED, 0xA0, 0x80];
        claims[31] = [0xC3];
        return (claims, sources);
    }

    [Fact]
    public void BatchExportsNameTheFirstInvalidItem()
    {
        delegate* unmanaged[Cdecl]<byte*, long, long*, byte*, long, long*, long, double*, int> trace = &PairSignalExports.RkSignalTraceabilityBatch;
        delegate* unmanaged[Cdecl]<byte*, long, long*, byte*, long, long*, long, sbyte*, int> numerical = &PairSignalExports.RkSignalNumericalConsistencyBatch;
        delegate* unmanaged[Cdecl]<byte*, long, long*, byte*, long, long*, long, byte*, int> negation = &PairSignalExports.RkSignalNegationFlipBatch;
        delegate* unmanaged[Cdecl]<byte*, long, long*, byte*, long, long*, long, double*, int> entity = &PairSignalExports.RkSignalEntityOverlapBatch;
        (byte[][] claims, byte[][] sources) = FortyPairsTwoInvalid();
        (byte[] cb, long[] co) = Pack(claims);
        (byte[] sb, long[] so) = Pack(sources);
        var doubles = new double[40];
        var codes = new sbyte[40];
        var flags = new byte[40];
        fixed (byte* c = cb, s = sb, f = flags)
        fixed (long* cop = co, sop = so)
        fixed (double* r = doubles)
        fixed (sbyte* n = codes)
        {
            Assert.Equal(Status.InvalidUtf8, trace(c, cb.Length, cop, s, sb.Length, sop, 40, r));
            Assert.Equal("sources[29] is not valid UTF-8", LastErrorMessage());
            Assert.Equal(Status.InvalidUtf8, numerical(c, cb.Length, cop, s, sb.Length, sop, 40, n));
            Assert.Equal("sources[29] is not valid UTF-8", LastErrorMessage());
            Assert.Equal(Status.InvalidUtf8, negation(c, cb.Length, cop, s, sb.Length, sop, 40, f));
            Assert.Equal(Status.InvalidUtf8, entity(c, cb.Length, cop, s, sb.Length, sop, 40, r));
            // The first 29 pairs are fine and computed.
            Assert.Equal(1.0, doubles[0]);
            Assert.Equal(Status.Ok, trace(c, cb.Length, cop, s, sb.Length, sop, 29, r));
            Assert.Equal(Status.Ok, numerical(c, cb.Length, cop, s, sb.Length, sop, 29, n));
            Assert.Equal(1, codes[5]);
        }
    }

    [Fact]
    public void BatchExportsCheckOffsetsAndPointers()
    {
        delegate* unmanaged[Cdecl]<byte*, long, long*, byte*, long, long*, long, double*, int> trace = &PairSignalExports.RkSignalTraceabilityBatch;
        (byte[] cb, long[] co) = Pack("a b"u8.ToArray(), "c"u8.ToArray());
        double* results = stackalloc double[2];
        fixed (byte* c = cb)
        fixed (long* o = co)
        {
            Assert.Equal(Status.Ok, trace(c, cb.Length, o, c, cb.Length, o, 2, results));
            Assert.Equal(1.0, results[0]);
            Assert.Equal(Status.InvalidArgument, trace(c, cb.Length, o, c, cb.Length, o, -1, results));
            Assert.Equal(Status.NullPointer, trace(c, cb.Length, null, c, cb.Length, o, 2, results));
            Assert.Equal("claims offsets must not be NULL", LastErrorMessage());
            Assert.Equal(Status.NullPointer, trace(c, cb.Length, o, c, cb.Length, o, 2, null));
            Assert.Equal(Status.InvalidArgument, trace(c, 2, o, c, cb.Length, o, 2, results)); // offsets past the buffer
            Assert.Contains("claims offsets must be non-decreasing and within the buffer", LastErrorMessage());
            long[] backwards = [0, 3, 1];
            fixed (long* b = backwards)
            {
                Assert.Equal(Status.InvalidArgument, trace(c, cb.Length, o, c, cb.Length, b, 2, results));
                Assert.Contains("sources offsets", LastErrorMessage());
            }
            Assert.Equal(Status.Ok, trace(null, 0, o, null, 0, o, 0, null)); // empty batch
        }
    }

    /// <summary>Each text in its own native allocation of exactly its length (as Python str
    /// objects lie apart), as rk_span; free with <see cref="FreeSpans"/>.</summary>
    private static RkSpan* Spans(byte[][] items)
    {
        var spans = (RkSpan*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)Math.Max(1, items.Length), (nuint)sizeof(RkSpan));
        for (int k = 0; k < items.Length; k++)
        {
            byte* data = items[k].Length == 0 ? null : (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)items[k].Length);
            items[k].CopyTo(new Span<byte>(data, items[k].Length));
            spans[k] = new RkSpan { Data = data, Length = items[k].Length };
        }
        return spans;
    }

    private static void FreeSpans(RkSpan* spans, int count)
    {
        for (int k = 0; k < count; k++)
        {
            System.Runtime.InteropServices.NativeMemory.Free(spans[k].Data);
        }
        System.Runtime.InteropServices.NativeMemory.Free(spans);
    }

    private static readonly string[] s_spanTexts =
    [
        "", "Paris", "Paris and Team Plan", "The Team Plan costs $19 per user per month and supports up to 25 users.",
        "Phone support is not available for all paid plans.", "Phone support is available for all paid plans.", "İstanbul and ΣΑΣ Ltd reported 3.5% growth in 2024",
        "We never said the Acme Corp price was 1,200 dollars", "no", "Team Plan costs $19 per user per month, up to 25 users.",
        "Die Münchner Rück AG didn't pay 7 of 12 invoices", "a\u001cb\u00a0c Delta Force",
    ];

    /// <summary>Runs the four span batches on the pairs and checks every result against the
    /// single-call export on the same pair; returns the batches' results.</summary>
    private static (double[] Entities, sbyte[] Numbers, byte[] Negations, double[] Traces) BatchesEqualSingleCalls(
        RkSpan* c, RkSpan* s, int n)
    {
        var entities = new double[n];
        var numbers = new sbyte[n];
        var negations = new byte[n];
        var traces = new double[n];
        fixed (double* e = entities, t = traces)
        fixed (sbyte* nu = numbers)
        fixed (byte* ne = negations)
        {
            Assert.Equal(Status.Ok, s_entitySpans(c, s, n, e));
            Assert.Equal(Status.Ok, s_numericalSpans(c, s, n, nu));
            Assert.Equal(Status.Ok, s_negationSpans(c, s, n, ne));
            Assert.Equal(Status.Ok, s_traceSpans(c, s, n, t));
        }
        for (int k = 0; k < n; k++)
        {
            double d;
            int i;
            Assert.Equal(Status.Ok, s_entity(c[k].Data, c[k].Length, s[k].Data, s[k].Length, &d));
            Assert.Equal(d, entities[k]);
            Assert.Equal(Status.Ok, s_numerical(c[k].Data, c[k].Length, s[k].Data, s[k].Length, &i));
            Assert.Equal(i, numbers[k]);
            Assert.Equal(Status.Ok, s_negation(c[k].Data, c[k].Length, s[k].Data, s[k].Length, &i));
            Assert.Equal(i, negations[k]);
            Assert.Equal(Status.Ok, s_trace(c[k].Data, c[k].Length, s[k].Data, s[k].Length, &d));
            Assert.Equal(d, traces[k]);
        }
        return (entities, numbers, negations, traces);
    }

    /// <summary>
    /// A claim passed pair after pair (the same address: one str object) has its side built once
    /// per thread, within one call only: the results equal the single calls, for consecutive and
    /// interleaved repeats, and a text changed in place between two calls is read afresh.
    /// </summary>
    [Fact]
    public void SpanBatchesReuseARepeatedClaimWithinOneCallOnly()
    {
        byte[][] texts = s_spanTexts.Select(t => Encoding.UTF8.GetBytes(t)).ToArray();
        RkSpan* distinct = Spans(texts);
        // Every claim against every source (claims repeated pair after pair), then claims
        // interleaved (0 0 1 0 2 2 0 ...): enough pairs for the parallel path.
        var order = new System.Collections.Generic.List<(int Claim, int Source)>();
        for (int a = 0; a < texts.Length; a++)
        {
            for (int b = 0; b < texts.Length; b++)
            {
                order.Add((a, b));
            }
        }
        var random = new Random(3);
        for (int k = 0; k < 2000; k++)
        {
            order.Add((random.Next(3) == 0 ? random.Next(texts.Length) : order[^1].Claim, random.Next(texts.Length)));
        }
        int n = order.Count;
        var claims = new RkSpan[n];
        var sources = new RkSpan[n];
        for (int k = 0; k < n; k++)
        {
            claims[k] = distinct[order[k].Claim];
            sources[k] = distinct[order[k].Source];
        }
        try
        {
            for (int round = 0; round < 2; round++)
            {
                double[] traces;
                fixed (RkSpan* c = claims, s = sources)
                {
                    (_, _, _, traces) = BatchesEqualSingleCalls(c, s, n);
                }
                Assert.Contains(traces, x => x > 0 && x < 1);
                // Between the calls, every text changes in place (same address and length).
                for (int k = 0; k < texts.Length; k++)
                {
                    ChangeInPlace(distinct[k]);
                }
            }
        }
        finally
        {
            FreeSpans(distinct, texts.Length);
        }

        // One signal called twice on one small batch (run on the calling thread alone), its claim
        // changed in place in between: the second call must not reuse what the first one built.
        RkSpan* pair = Spans([Encoding.UTF8.GetBytes("Paris, Team Plan costs 19 dollars"), Encoding.UTF8.GetBytes("Team Plan costs 19")]);
        try
        {
            ClaimChangedBetweenTwoBatches(pair[0], pair[1], s_trace, s_traceSpans);
            ClaimChangedBetweenTwoBatches(pair[0], pair[1], s_entity, s_entitySpans);
            ClaimChangedBetweenTwoBatches(pair[0], pair[1], s_numerical, s_numericalSpans);
        }
        finally
        {
            FreeSpans(pair, 2);
        }
    }

    /// <summary>The single call, the batch of (claim, source) twice, the claim changed in place, at
    /// once the batch again (nothing else runs on this thread in between: a batch this small runs
    /// on the caller alone), the single call again. The batches must equal the single calls, and
    /// the change must matter.</summary>
    private static void ClaimChangedBetweenTwoBatches<TSingle, TBatch>(RkSpan claim, RkSpan source,
        delegate* unmanaged[Cdecl]<byte*, long, byte*, long, TSingle*, int> single,
        delegate* unmanaged[Cdecl]<RkSpan*, RkSpan*, long, TBatch*, int> batch)
        where TSingle : unmanaged, INumber<TSingle>
        where TBatch : unmanaged, INumber<TBatch>
    {
        RkSpan* claims = stackalloc RkSpan[2] { claim, claim };
        RkSpan* sources = stackalloc RkSpan[2] { source, source };
        TBatch* before = stackalloc TBatch[2];
        TBatch* after = stackalloc TBatch[2];
        TSingle expectedBefore, expectedAfter;
        Assert.Equal(Status.Ok, single(claim.Data, claim.Length, source.Data, source.Length, &expectedBefore));
        Assert.Equal(Status.Ok, batch(claims, sources, 2, before));
        ChangeInPlace(claim);
        Assert.Equal(Status.Ok, batch(claims, sources, 2, after));
        Assert.Equal(Status.Ok, single(claim.Data, claim.Length, source.Data, source.Length, &expectedAfter));
        Assert.NotEqual(expectedBefore, expectedAfter);
        // The single calls return int where the numerical batch writes sbyte: compared as doubles.
        double b = double.CreateChecked(expectedBefore), a = double.CreateChecked(expectedAfter);
        Assert.Equal([b, b, a, a], [double.CreateChecked(before[0]), double.CreateChecked(before[1]),
            double.CreateChecked(after[0]), double.CreateChecked(after[1])]);
    }

    /// <summary>Reverses the text's bytes where it lies (non-ASCII bytes become 'X', so that it
    /// stays valid UTF-8): other words, same address and length.</summary>
    /// <summary>
    /// A claim repeated as equal but separate copies (as pairs read from a file come) is reused
    /// like one passed at one address; a claim of the same length that differs, in its first 8
    /// bytes or only later, is not: the batches equal the single calls either way.
    /// </summary>
    [Fact]
    public void SpanBatchesTellEqualCopiesOfAClaimFromClaimsOfTheSameLength()
    {
        // Each group: two claims of one length, equal in their first 8 bytes, whose results against
        // the group's source differ in the signal named (so a wrong reuse changes a result).
        (string Claim, string Twin, string Source)[] groups =
        [
            ("Phone support is not available for all paid plans.", "Phone support is now available for all paid plans.",
                "Phone support is available for all paid plans."), // traceability
            ("Team Plan costs $19 per user", "Team Plan costs $29 per user", "Team Plan costs $19 per user per month"), // numerical
            ("Acme Corp sells to Paris", "Acme Corp sells to Parks", "Acme Corp opened in Paris"), // entity_overlap
            ("Zeta is first in the list", "Alpha is first in the list", "Alpha is first in the list"), // differ in the first 8 bytes
        ];
        var pairs = new System.Collections.Generic.List<(string Claim, string Source)>();
        var random = new Random(5);
        while (pairs.Count < 3000)
        {
            var (claim, twin, source) = groups[random.Next(groups.Length)];
            // A run of pairs whose claims alternate between the two at random, each a fresh copy.
            for (int run = random.Next(1, 6); run > 0; run--)
            {
                pairs.Add((random.Next(2) == 0 ? claim : twin, source));
            }
        }
        int n = pairs.Count;
        RkSpan* claims = Spans(pairs.Select(p => Encoding.UTF8.GetBytes(p.Claim)).ToArray());
        RkSpan* sources = Spans(pairs.Select(p => Encoding.UTF8.GetBytes(p.Source)).ToArray());
        try
        {
            var (entities, numbers, _, traces) = BatchesEqualSingleCalls(claims, sources, n);
            // The groups do tell the claims apart (else this test could not catch a wrong reuse).
            double ResultOf<T>(T[] results, string claim) => Convert.ToDouble(results[pairs.FindIndex(p => p.Claim == claim)]);
            Assert.NotEqual(ResultOf(traces, groups[0].Claim), ResultOf(traces, groups[0].Twin));
            Assert.NotEqual(ResultOf(numbers, groups[1].Claim), ResultOf(numbers, groups[1].Twin));
            Assert.NotEqual(ResultOf(entities, groups[2].Claim), ResultOf(entities, groups[2].Twin));
            Assert.NotEqual(ResultOf(traces, groups[3].Claim), ResultOf(traces, groups[3].Twin));
        }
        finally
        {
            FreeSpans(claims, n);
            FreeSpans(sources, n);
        }
    }

    private static void ChangeInPlace(RkSpan text)
    {
        var bytes = new Span<byte>(text.Data, (int)text.Length);
        bytes.Reverse();
        for (int j = 0; j < bytes.Length; j++)
        {
            bytes[j] = bytes[j] >= 0x80 ? (byte)'X' : bytes[j];
        }
    }

    [Fact]
    public void SpanBatchesEqualTheSingleCalls()
    {
        // Every ordered pair of the texts, repeated with the texts grown past 64 bytes (the block
        // size of the vector scans) so that tails and the parallel path are both taken.
        var claims = new System.Collections.Generic.List<byte[]>();
        var sources = new System.Collections.Generic.List<byte[]>();
        foreach (int repeat in new[] { 1, 3 })
        {
            foreach (string a in s_spanTexts)
            {
                foreach (string b in s_spanTexts)
                {
                    claims.Add(Encoding.UTF8.GetBytes(string.Join(" ", System.Linq.Enumerable.Repeat(a, repeat))));
                    sources.Add(Encoding.UTF8.GetBytes(string.Join(" ", System.Linq.Enumerable.Repeat(b, repeat))));
                }
            }
        }
        int n = claims.Count;
        RkSpan* c = Spans(claims.ToArray()), s = Spans(sources.ToArray());
        try
        {
            (double[] entities, sbyte[] numbers, byte[] negations, double[] traces) = BatchesEqualSingleCalls(c, s, n);
            Assert.Contains((byte)1, negations); // the texts do make each signal vary
            Assert.Contains((sbyte)-1, numbers);
            Assert.Contains((sbyte)0, numbers);
            Assert.Contains(traces, x => x > 0 && x < 1);
            Assert.Contains(entities, x => x > 0 && x < 1);
        }
        finally
        {
            FreeSpans(c, n);
            FreeSpans(s, n);
        }
    }

    [Fact]
    public void SpanBatchesCheckEveryItem()
    {
        (byte[][] claims, byte[][] sources) = FortyPairsTwoInvalid();
        RkSpan* c = Spans(claims), s = Spans(sources);
        var results = new double[40];
        var codes = new sbyte[40];
        try
        {
            fixed (double* r = results)
            fixed (sbyte* n = codes)
            {
                Assert.Equal(Status.InvalidUtf8, s_traceSpans(c, s, 40, r));
                Assert.Equal("sources[29] is not valid UTF-8", LastErrorMessage());
                Assert.Equal(Status.InvalidUtf8, s_numericalSpans(c, s, 40, n));
                Assert.Equal("sources[29] is not valid UTF-8", LastErrorMessage());
                Assert.Equal(Status.Ok, s_traceSpans(c, s, 29, r));
                Assert.Equal(2.0 / 3, results[0]); // "paris" and "0" of the claim's three words are in the source
                Assert.Equal(Status.InvalidArgument, s_traceSpans(c, s, -1, r));
                Assert.Equal(Status.NullPointer, s_traceSpans(null, s, 1, r));
                Assert.Equal("claims must not be NULL", LastErrorMessage());
                Assert.Equal(Status.NullPointer, s_traceSpans(c, s, 1, null));
                Assert.Equal(Status.Ok, s_traceSpans(null, null, 0, null)); // empty batch
                RkSpan saved = s[3];
                s[3] = new RkSpan { Data = saved.Data, Length = -1 };
                Assert.Equal(Status.InvalidArgument, s_traceSpans(c, s, 40, r));
                Assert.Equal($"sources[3] length must be between 0 and {int.MaxValue}, got -1", LastErrorMessage());
                s[3] = new RkSpan { Data = saved.Data, Length = 1L << 31 };
                Assert.Equal(Status.InvalidArgument, s_traceSpans(c, s, 40, r));
                s[3] = new RkSpan { Data = null, Length = 5 };
                Assert.Equal(Status.NullPointer, s_traceSpans(c, s, 40, r));
                Assert.Equal("sources[3] must not be NULL", LastErrorMessage());
                s[3] = new RkSpan { Data = null, Length = 0 }; // an empty text may have no data
                Assert.Equal(Status.InvalidUtf8, s_traceSpans(c, s, 40, r));
                Assert.Equal("sources[29] is not valid UTF-8", LastErrorMessage());
                s[3] = saved;
            }
        }
        finally
        {
            FreeSpans(c, 40);
            FreeSpans(s, 40);
        }
    }
}
