using System;
using System.Text;
using RagKernels.Native;
using RagKernels.Native.Exports;
using Xunit;

namespace RagKernels.Tests;

/// <summary>The pairwise signal exports called through unmanaged function pointers, as a C
/// caller does: statuses, messages, invalid UTF-8 (which Python can never send) and batches.</summary>
public unsafe class PairSignalExportTests
{
    private static string LastErrorMessage()
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
        delegate* unmanaged[Cdecl]<byte*, long, byte*, long, double*, int> entity = &PairSignalExports.RkSignalEntityOverlap;
        delegate* unmanaged[Cdecl]<byte*, long, byte*, long, int*, int> numerical = &PairSignalExports.RkSignalNumericalConsistency;
        delegate* unmanaged[Cdecl]<byte*, long, byte*, long, int*, int> negation = &PairSignalExports.RkSignalNegationFlip;
        delegate* unmanaged[Cdecl]<byte*, long, byte*, long, double*, int> trace = &PairSignalExports.RkSignalTraceability;
        byte[] good = "Paris 7 not"u8.ToArray();
        double d = 42;
        int i = 42;
        foreach (byte[] bad in s_invalid)
        {
            fixed (byte* g = good, x = bad)
            {
                Assert.Equal(Status.InvalidUtf8, entity(x, bad.Length, g, good.Length, &d));
                Assert.Equal("text_a is not valid UTF-8", LastErrorMessage());
                Assert.Equal(Status.InvalidUtf8, entity(g, good.Length, x, bad.Length, &d));
                Assert.Equal("text_b is not valid UTF-8", LastErrorMessage());
                Assert.Equal(Status.InvalidUtf8, numerical(x, bad.Length, g, good.Length, &i));
                Assert.Equal(Status.InvalidUtf8, numerical(g, good.Length, x, bad.Length, &i));
                Assert.Equal(Status.InvalidUtf8, negation(x, bad.Length, g, good.Length, &i));
                Assert.Equal("claim is not valid UTF-8", LastErrorMessage());
                Assert.Equal(Status.InvalidUtf8, trace(g, good.Length, x, bad.Length, &d));
                Assert.Equal("source is not valid UTF-8", LastErrorMessage());
            }
        }
        Assert.Equal(42, d); // nothing written on failure
        Assert.Equal(42, i);
    }

    [Fact]
    public void SingleExportsCheckPointersAndLengths()
    {
        delegate* unmanaged[Cdecl]<byte*, long, byte*, long, double*, int> trace = &PairSignalExports.RkSignalTraceability;
        delegate* unmanaged[Cdecl]<byte*, long, byte*, long, int*, int> numerical = &PairSignalExports.RkSignalNumericalConsistency;
        double d;
        int i;
        Assert.Equal(Status.NullPointer, trace(null, 0, null, 0, null));
        Assert.Equal("result must not be NULL", LastErrorMessage());
        Assert.Equal(Status.NullPointer, trace(null, 3, null, 0, &d));
        Assert.Equal("claim must not be NULL", LastErrorMessage());
        Assert.Equal(Status.InvalidArgument, trace(null, -1, null, 0, &d));
        Assert.Contains("claim length must be between 0 and", LastErrorMessage());
        Assert.Equal(Status.Ok, trace(null, 0, null, 0, &d));
        Assert.Equal(1.0, d);
        Assert.Equal(Status.Ok, numerical(null, 0, null, 0, &i));
        Assert.Equal(-1, i);
        fixed (byte* c = "costs $99 per month"u8, s = "price is $99"u8)
        {
            Assert.Equal(Status.Ok, trace(c, 19, s, 12, &d));
            Assert.Equal(0.25, d);
            Assert.Equal(Status.Ok, numerical(c, 19, s, 12, &i));
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

    [Fact]
    public void BatchExportsNameTheFirstInvalidItem()
    {
        delegate* unmanaged[Cdecl]<byte*, long, long*, byte*, long, long*, long, double*, int> trace = &PairSignalExports.RkSignalTraceabilityBatch;
        delegate* unmanaged[Cdecl]<byte*, long, long*, byte*, long, long*, long, sbyte*, int> numerical = &PairSignalExports.RkSignalNumericalConsistencyBatch;
        delegate* unmanaged[Cdecl]<byte*, long, long*, byte*, long, long*, long, byte*, int> negation = &PairSignalExports.RkSignalNegationFlipBatch;
        delegate* unmanaged[Cdecl]<byte*, long, long*, byte*, long, long*, long, double*, int> entity = &PairSignalExports.RkSignalEntityOverlapBatch;
        // 40 pairs, so the parallel path runs too; item 29's source and item 31's claim are bad.
        var claims = new byte[40][];
        var sources = new byte[40][];
        for (int k = 0; k < 40; k++)
        {
            claims[k] = Encoding.UTF8.GetBytes($"Paris {k} " + new string('x', 1000));
            sources[k] = Encoding.UTF8.GetBytes($"Paris {k} " + new string('y', 1000));
        }
        sources[29] = [0x61, 0xED, 0xA0, 0x80];
        claims[31] = [0xC3];
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
}
