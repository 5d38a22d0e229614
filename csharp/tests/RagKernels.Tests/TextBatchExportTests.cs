using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using RagKernels.Native;
using RagKernels.Native.Exports;
using Xunit;

namespace RagKernels.Tests;

/// <summary>The "_texts" batch exports (one rk_text per text, UTF-8 or fixed-width code points)
/// as a C caller calls them: the same results as the "_spans" exports on the texts' UTF-8,
/// whatever form each text comes in, and the checks of every item.</summary>
public unsafe class TextBatchExportTests
{
    private static readonly delegate* unmanaged[Cdecl]<RkText*, RkText*, long, double*, int> s_entityTexts = &PairSignalExports.RkSignalEntityOverlapBatchTexts;
    private static readonly delegate* unmanaged[Cdecl]<RkText*, RkText*, long, sbyte*, int> s_numericalTexts = &PairSignalExports.RkSignalNumericalConsistencyBatchTexts;
    private static readonly delegate* unmanaged[Cdecl]<RkText*, RkText*, long, byte*, int> s_negationTexts = &PairSignalExports.RkSignalNegationFlipBatchTexts;
    private static readonly delegate* unmanaged[Cdecl]<RkText*, RkText*, long, double*, int> s_traceTexts = &PairSignalExports.RkSignalTraceabilityBatchTexts;

    /// <summary>Native memory for a batch's texts, freed at Dispose.</summary>
    private sealed class Memory : IDisposable
    {
        private readonly List<IntPtr> _blocks = [];

        public void* Copy(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length == 0)
            {
                return null;
            }
            void* p = NativeMemory.Alloc((nuint)bytes.Length); // exactly its length: no slack to read
            bytes.CopyTo(new Span<byte>(p, bytes.Length));
            _blocks.Add((IntPtr)p);
            return p;
        }

        public T* Array<T>(T[] items) where T : unmanaged
        {
            var p = (T*)NativeMemory.Alloc((nuint)Math.Max(1, items.Length), (nuint)sizeof(T));
            items.CopyTo(new Span<T>(p, items.Length));
            _blocks.Add((IntPtr)p);
            return p;
        }

        public void Dispose()
        {
            foreach (IntPtr p in _blocks)
            {
                NativeMemory.Free((void*)p);
            }
        }
    }

    /// <summary>text as an rk_text in <paramref name="encoding"/> (its code points at that width,
    /// or its UTF-8 for 0).</summary>
    private static RkText Text(Memory memory, string text, int encoding)
    {
        int[] points = text.EnumerateRunes().Select(r => r.Value).ToArray();
        byte[] bytes = encoding switch
        {
            0 => Encoding.UTF8.GetBytes(text),
            1 => points.Select(p => checked((byte)p)).ToArray(),
            2 => MemoryMarshal.AsBytes(points.Select(p => checked((ushort)p)).ToArray().AsSpan()).ToArray(),
            _ => MemoryMarshal.AsBytes(points.Select(p => (uint)p).ToArray().AsSpan()).ToArray(),
        };
        return new RkText { Data = memory.Copy(bytes), Length = encoding == 0 ? bytes.Length : points.Length, Encoding = encoding };
    }

    /// <summary>The narrowest widths a Python str of this text could come in, and UTF-8.</summary>
    private static int[] Forms(string text)
    {
        int widest = text.EnumerateRunes().Select(r => r.Value).DefaultIfEmpty(0).Max();
        return widest < 0x100 ? [0, 1, 2, 4] : widest < 0x10000 ? [0, 2, 4] : [0, 4];
    }

    private static readonly string[] s_texts =
    [
        "", "Paris", "Café Müller in Zürich", "The Team Plan costs $19 per user per month and supports up to 25 users.",
        "Phone support is not available for all paid plans.", "Phone support is available for all paid plans.", "İstanbul and ΣΑΣ Ltd reported 3.5% growth in 2024",
        "We never said the Acme Corp price was 1,200 dollars", "Die Münchner Rück AG didn’t pay 7 of 12 invoices",
        "no 😀 Delta Force", "a\u001cb\u00a0c \u2003 ΟΔΟΣ 12",
    ];

    [Fact]
    public void TextBatchesEqualTheSpanBatchesOnTheirUtf8InEveryForm()
    {
        // Pairs of the texts, each side in a random form, with runs where a claim or a source
        // repeats: as the same memory, as an equal copy (possibly in another form), or changes
        // to a text of the same length. Over 16 KB, so the batch also runs on several threads.
        var random = new Random(7);
        var claims = new List<string>();
        var sources = new List<string>();
        while (claims.Count < 600)
        {
            string claim = s_texts[random.Next(s_texts.Length)], source = s_texts[random.Next(s_texts.Length)];
            for (int k = random.Next(1, 5); k > 0; k--)
            {
                claims.Add(random.Next(3) == 0 ? s_texts[random.Next(s_texts.Length)] : claim);
                sources.Add(source);
            }
        }
        using var memory = new Memory();
        RkText[] claimTexts = new RkText[claims.Count], sourceTexts = new RkText[sources.Count];
        RkSpan[] claimSpans = new RkSpan[claims.Count], sourceSpans = new RkSpan[sources.Count];
        for (int i = 0; i < claims.Count; i++)
        {
            foreach ((List<string> side, RkText[] texts, RkSpan[] spans) in new[] { (claims, claimTexts, claimSpans), (sources, sourceTexts, sourceSpans) })
            {
                string text = side[i];
                bool again = i > 0 && side[i - 1] == text && random.Next(2) == 0;
                int[] forms = Forms(text);
                texts[i] = again ? texts[i - 1] : Text(memory, text, forms[random.Next(forms.Length)]);
                byte[] utf8 = Encoding.UTF8.GetBytes(text);
                spans[i] = new RkSpan { Data = (byte*)memory.Copy(utf8), Length = utf8.Length };
            }
        }
        Assert.Contains(claimTexts, t => t.Encoding == 1);
        Assert.Contains(claimTexts, t => t.Encoding == 2);
        Assert.Contains(sourceTexts, t => t.Encoding == 4);
        int n = claims.Count;
        RkText* ct = memory.Array(claimTexts), st = memory.Array(sourceTexts);
        RkSpan* cs = memory.Array(claimSpans), ss = memory.Array(sourceSpans);
        double[] e1 = new double[n], e2 = new double[n], t1 = new double[n], t2 = new double[n];
        sbyte[] n1 = new sbyte[n], n2 = new sbyte[n];
        byte[] g1 = new byte[n], g2 = new byte[n];
        fixed (double* pe1 = e1, pe2 = e2, pt1 = t1, pt2 = t2)
        fixed (sbyte* pn1 = n1, pn2 = n2)
        fixed (byte* pg1 = g1, pg2 = g2)
        {
            Assert.Equal(Status.Ok, s_entityTexts(ct, st, n, pe1));
            Assert.Equal(Status.Ok, PairSignalExportTests.s_entitySpans(cs, ss, n, pe2));
            Assert.Equal(Status.Ok, s_numericalTexts(ct, st, n, pn1));
            Assert.Equal(Status.Ok, PairSignalExportTests.s_numericalSpans(cs, ss, n, pn2));
            Assert.Equal(Status.Ok, s_negationTexts(ct, st, n, pg1));
            Assert.Equal(Status.Ok, PairSignalExportTests.s_negationSpans(cs, ss, n, pg2));
            Assert.Equal(Status.Ok, s_traceTexts(ct, st, n, pt1));
            Assert.Equal(Status.Ok, PairSignalExportTests.s_traceSpans(cs, ss, n, pt2));
        }
        Assert.Equal(e2, e1);
        Assert.Equal(n2, n1);
        Assert.Equal(g2, g1);
        Assert.Equal(t2, t1);
        Assert.Contains(t1, x => x > 0 && x < 1); // the texts do make the signals vary
        Assert.Contains((byte)1, g1);
    }

    [Fact]
    public void ASmallTextBatchAllocatesNothingInTheSteadyState()
    {
        // One thread (under 16 KB of text): every text converted, into buffers the thread keeps.
        using var memory = new Memory();
        RkText[] claims = [.. s_texts.Select((t, i) => Text(memory, t, Forms(t)[Forms(t).Length - 1 - i % 2]))];
        RkText[] sources = [.. s_texts.Reverse().Select(t => Text(memory, t, Forms(t)[^1]))];
        RkText* c = memory.Array(claims), s = memory.Array(sources);
        int n = claims.Length;
        var results = new double[n];
        fixed (double* r = results)
        {
            double* output = r;
            Assert.Equal(Status.Ok, s_traceTexts(c, s, n, output)); // grows this thread's buffers
            Allocations.AssertSteadyStateAllocatesNothing(() => s_traceTexts(c, s, n, output), calls: 50);
        }
        string[] reversed = [.. s_texts.Reverse()];
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(RagKernels.Signals.Traceability.Compute(Encoding.UTF8.GetBytes(s_texts[i]), Encoding.UTF8.GetBytes(reversed[i])),
                results[i]);
        }
    }

    [Fact]
    public void TextBatchesCheckEveryItem()
    {
        using var memory = new Memory();
        RkText[] claims = [.. Enumerable.Range(0, 6).Select(i => Text(memory, "Paris " + i, i % 2 == 0 ? 0 : 2))];
        RkText[] sources = [.. Enumerable.Range(0, 6).Select(i => Text(memory, "Paris Ελλάδα x" + i, i % 3 == 0 ? 4 : 2))];
        RkText* c = memory.Array(claims), s = memory.Array(sources);
        var results = new double[6];
        fixed (double* r = results)
        {
            Assert.Equal(Status.Ok, s_traceTexts(c, s, 6, r));
            Assert.Equal(0.5, results[1]); // "paris" of "paris" and "1"

            RkText saved = s[2];
            s[2].Encoding = 3;
            Assert.Equal(Status.InvalidArgument, s_traceTexts(c, s, 6, r));
            Assert.Equal("sources[2] encoding must be 0 (UTF-8), 1 (Latin-1), 2 (UCS-2) or 4 (UCS-4), got 3", PairSignalExportTests.LastErrorMessage());
            s[2] = saved;
            s[2].Reserved = 1;
            Assert.Equal(Status.InvalidArgument, s_traceTexts(c, s, 6, r));
            Assert.Equal("sources[2] reserved must be 0, got 1", PairSignalExportTests.LastErrorMessage());
            s[2] = saved;
            s[2].Length = -1;
            Assert.Equal(Status.InvalidArgument, s_traceTexts(c, s, 6, r));
            s[2].Length = int.MaxValue; // fine as UTF-8 bytes, too many UCS-2 code points for one buffer
            Assert.Equal(Status.InvalidArgument, s_traceTexts(c, s, 6, r));
            Assert.StartsWith("sources[2] length must be between 0 and ", PairSignalExportTests.LastErrorMessage());
            s[2] = saved;
            s[2].Data = null;
            Assert.Equal(Status.NullPointer, s_traceTexts(c, s, 6, r));
            Assert.Equal("sources[2] must not be NULL", PairSignalExportTests.LastErrorMessage());
            s[2] = saved;
            Assert.Equal(Status.NullPointer, s_traceTexts(c, s, 6, null));
            Assert.Equal(Status.NullPointer, s_traceTexts(null, s, 6, r));
            Assert.Equal(Status.Ok, s_traceTexts(null, null, 0, null)); // empty batch

            // Texts with no UTF-8 form: the first bad item in the order claims[0], sources[0],
            // claims[1], ... is named, whatever the form.
            ushort[] surrogate = [0x50, 0xD800, 0x61];
            uint[] beyond = [0x50, 0x110000];
            fixed (ushort* u2 = surrogate)
            fixed (uint* u4 = beyond)
            {
                s[4] = new RkText { Data = u2, Length = 3, Encoding = 2 };
                Assert.Equal(Status.InvalidUtf8, s_traceTexts(c, s, 6, r));
                Assert.Equal("sources[4] holds a surrogate code point (U+D800-U+DFFF): it has no UTF-8 form", PairSignalExportTests.LastErrorMessage());
                c[3] = new RkText { Data = u4, Length = 2, Encoding = 4 };
                Assert.Equal(Status.InvalidUtf8, s_traceTexts(c, s, 6, r));
                Assert.Equal("claims[3] holds a surrogate code point (U+D800-U+DFFF) or one above U+10FFFF: it has no UTF-8 form",
                    PairSignalExportTests.LastErrorMessage());
                byte[] broken = [0x50, 0xFF];
                fixed (byte* b = broken)
                {
                    c[1] = new RkText { Data = b, Length = 2, Encoding = 0 };
                    Assert.Equal(Status.InvalidUtf8, s_traceTexts(c, s, 6, r));
                    Assert.Equal("claims[1] is not valid UTF-8", PairSignalExportTests.LastErrorMessage());
                    s[1] = new RkText { Data = u2, Length = 3, Encoding = 2 }; // its source is bad too: the claim is named
                    Assert.Equal(Status.InvalidUtf8, s_traceTexts(c, s, 6, r));
                    Assert.Equal("claims[1] is not valid UTF-8", PairSignalExportTests.LastErrorMessage());
                }
            }
        }
    }
}
