using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using RagKernels.Native;
using RagKernels.Native.Exports;
using Xunit;

namespace RagKernels.Tests;

/// <summary>rk_bm25_search_many_spans called as a C caller does: the same rows as
/// rk_bm25_search_many on the same queries, and its argument checks.</summary>
public unsafe class Bm25SearchManyExportTests
{
    private static readonly string[] s_documents =
    [
        "the quick brown fox", "a lazy dog sleeps", "the fox jumps over the dog", "İstanbul straße ΟΔΟΣ",
        "water boils at 100 degrees", "quick quick fox", "nothing in common here", "dog and fox and dog",
    ];

    private static readonly string[] s_queries =
    [
        "fox", "quick dog", "", "İSTANBUL", "water degrees fox", "unknown words only", "the", "Straße ΟΔΟΣ dog",
    ];

    private static ulong CreateIndex()
    {
        delegate* unmanaged[Cdecl]<int, double, double, double, double, int, int, ulong*, int> create = &Bm25Exports.Create;
        delegate* unmanaged[Cdecl]<ulong, byte*, long, long*, long, long*, long, byte*, long, long*, long*, int> add = &Bm25Exports.Add;
        ulong handle;
        Assert.Equal(Status.Ok, create(0, 1.2, 0.75, 0, 0, 0, 0, &handle)); // lucene, word tokenizer
        (byte[] text, long[] starts) = Pack(s_documents);
        (byte[] ids, long[] idOffsets) = Pack(s_documents.Select((_, i) => $"d{i}").ToArray());
        long[] keys = Enumerable.Range(1, s_documents.Length).Select(i => (long)i).ToArray();
        fixed (byte* t = text, d = ids)
        fixed (long* s = starts, o = idOffsets, k = keys)
        {
            Assert.Equal(Status.Ok, add(handle, t, text.Length, s, s_documents.Length, null, 0, d, ids.Length, o, k));
        }
        return handle;
    }

    private static (byte[] Text, long[] Starts) Pack(string[] items)
    {
        var text = new List<byte>();
        var starts = new long[items.Length + 1];
        for (int i = 0; i < items.Length; i++)
        {
            text.AddRange(Encoding.UTF8.GetBytes(items[i]));
            starts[i + 1] = text.Count;
        }
        return (text.ToArray(), starts);
    }

    /// <summary>Each query in its own native allocation of exactly its length, as rk_span.</summary>
    private static RkSpan[] Spans(byte[][] items, List<nint> allocations)
    {
        var spans = new RkSpan[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            byte* data = items[i].Length == 0 ? null : (byte*)NativeMemory.Alloc((nuint)items[i].Length);
            items[i].CopyTo(new Span<byte>(data, items[i].Length));
            allocations.Add((nint)data);
            spans[i] = new RkSpan { Data = data, Length = items[i].Length };
        }
        return spans;
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(0, 10)]
    public void SpansGiveTheRowsOfTheBufferForm(int threads, int k)
    {
        delegate* unmanaged[Cdecl]<ulong, byte*, long, long*, long, long*, long, long, int, long*, double*, int> packed = &Bm25Exports.SearchMany;
        delegate* unmanaged[Cdecl]<ulong, RkSpan*, long, long, int, long*, double*, int> spans = &Bm25Exports.SearchManySpans;
        delegate* unmanaged[Cdecl]<ulong, int> free = &Bm25Exports.Free;
        ulong handle = CreateIndex();
        // Every query many times over, so that the workers share the rows.
        string[] queries = Enumerable.Range(0, 40).SelectMany(_ => s_queries).ToArray();
        int n = queries.Length;
        (byte[] text, long[] starts) = Pack(queries);
        var allocations = new List<nint>();
        RkSpan[] items = Spans(queries.Select(Encoding.UTF8.GetBytes).ToArray(), allocations);
        var expectedDocs = new long[n * k];
        var expectedScores = new double[n * k];
        var docs = new long[n * k];
        var scores = new double[n * k];
        try
        {
            fixed (byte* t = text)
            fixed (long* s = starts, ed = expectedDocs, d = docs)
            fixed (double* es = expectedScores, sc = scores)
            fixed (RkSpan* q = items)
            {
                Assert.Equal(Status.Ok, packed(handle, t, text.Length, s, n, null, 0, k, threads, ed, es));
                Assert.Equal(Status.Ok, spans(handle, q, n, k, threads, d, sc));
            }
            Assert.Equal(expectedDocs, docs);
            Assert.Equal(expectedScores, scores);
            Assert.Contains(expectedDocs, doc => doc >= 0); // the queries do find documents
            Assert.Contains(expectedDocs, doc => doc == -1); // and some rows are not full
        }
        finally
        {
            allocations.ForEach(a => NativeMemory.Free((void*)a));
            Assert.Equal(Status.Ok, free(handle));
        }
    }

    [Fact]
    public void SpansAreCheckedBeforeAnyWork()
    {
        delegate* unmanaged[Cdecl]<ulong, RkSpan*, long, long, int, long*, double*, int> spans = &Bm25Exports.SearchManySpans;
        delegate* unmanaged[Cdecl]<ulong, int> free = &Bm25Exports.Free;
        ulong handle = CreateIndex();
        var allocations = new List<nint>();
        RkSpan[] items = Spans([Encoding.UTF8.GetBytes("fox"), [0x66, 0xC3], Encoding.UTF8.GetBytes("dog")], allocations);
        var docs = Enumerable.Repeat(7L, 6).ToArray();
        var scores = new double[6];
        try
        {
            fixed (long* d = docs)
            fixed (double* sc = scores)
            fixed (RkSpan* q = items)
            {
                Assert.Equal(Status.InvalidUtf8, spans(handle, q, 3, 2, 1, d, sc));
                Assert.All(docs, doc => Assert.Equal(7L, doc)); // nothing written
                Assert.Equal(Status.Ok, spans(handle, q, 1, 2, 1, d, sc));
                Assert.Equal(Status.InvalidHandle, spans(handle + 1, q, 1, 2, 1, d, sc));
                Assert.Equal(Status.InvalidArgument, spans(handle, q, -1, 2, 1, d, sc));
                Assert.Equal(Status.InvalidArgument, spans(handle, q, 1, -2, 1, d, sc));
                Assert.Equal(Status.InvalidArgument, spans(handle, q, 1, 2, -1, d, sc));
                Assert.Equal(Status.NullPointer, spans(handle, null, 1, 2, 1, d, sc));
                Assert.Equal(Status.NullPointer, spans(handle, q, 1, 2, 1, null, sc));
                Assert.Equal(Status.Ok, spans(handle, null, 0, 2, 1, null, null)); // nothing to do
                q[2].Length = -3;
                Assert.Equal(Status.InvalidArgument, spans(handle, q, 3, 2, 1, d, sc));
                q[2].Length = 3;
                q[2].Data = null;
                Assert.Equal(Status.NullPointer, spans(handle, q, 3, 2, 1, d, sc));
                q[2].Length = 0; // an empty query may have no data
                q[1] = q[0];
                Assert.Equal(Status.Ok, spans(handle, q, 3, 2, 1, d, sc));
                Assert.Equal(-1L, docs[4]); // the empty query finds nothing
            }
        }
        finally
        {
            allocations.ForEach(a => NativeMemory.Free((void*)a));
            Assert.Equal(Status.Ok, free(handle));
        }
    }

    /// <summary>Pre-tokenized queries share one buffer; each query's tokens are checked for UTF-8
    /// on their own (checking the whole buffer for every query made a batch quadratic).</summary>
    [Fact]
    public void PreTokenizedQueriesAreCheckedQueryByQuery()
    {
        delegate* unmanaged[Cdecl]<ulong, byte*, long, long*, long, long*, long, long, int, long*, double*, int> many = &Bm25Exports.SearchMany;
        delegate* unmanaged[Cdecl]<ulong, int> free = &Bm25Exports.Free;
        ulong handle = CreateIndex();
        // Queries ["fox"], ["quick", "dog"], ["dog"]: tokens 0..1, 1..3 and 3..4 of one buffer.
        byte[] text = Encoding.UTF8.GetBytes("foxquickdogdog");
        long[] tokenOffsets = [0, 3, 8, 11, 14];
        long[] queryStarts = [0, 1, 3, 4];
        (byte[] plain, long[] plainStarts) = Pack(["fox", "quick dog", "dog"]);
        const int k = 3;
        var expectedDocs = new long[3 * k];
        var expectedScores = new double[3 * k];
        var docs = new long[3 * k];
        var scores = new double[3 * k];
        try
        {
            fixed (byte* t = text, p = plain)
            fixed (long* o = tokenOffsets, q = queryStarts, ps = plainStarts, ed = expectedDocs, d = docs)
            fixed (double* es = expectedScores, sc = scores)
            {
                Assert.Equal(Status.Ok, many(handle, p, plain.Length, ps, 3, null, 0, k, 1, ed, es));
                Assert.Equal(Status.Ok, many(handle, t, text.Length, q, 3, o, 4, k, 2, d, sc));
                Assert.Equal(expectedDocs, docs);
                Assert.Equal(expectedScores, scores);
                Assert.Contains(docs, doc => doc >= 0);

                // A bad byte in the last query's token fails the call before anything is written.
                Array.Fill(docs, 7L);
                t[13] = 0xFF;
                Assert.Equal(Status.InvalidUtf8, many(handle, t, text.Length, q, 3, o, 4, k, 1, d, sc));
                Assert.All(docs, doc => Assert.Equal(7L, doc));
                // The two queries before it are still fine on their own.
                Assert.Equal(Status.Ok, many(handle, t, text.Length, q, 2, o, 4, k, 1, d, sc));

                // "é" (C3 A9) split between the first query's token and the second's: the buffer as
                // a whole is valid UTF-8, but neither query's tokens are.
                t[13] = (byte)'g';
                t[2] = 0xC3;
                t[3] = 0xA9;
                Assert.True(System.Text.Unicode.Utf8.IsValid(text));
                Assert.Equal(Status.InvalidUtf8, many(handle, t, text.Length, q, 3, o, 4, k, 1, d, sc));
            }
        }
        finally
        {
            Assert.Equal(Status.Ok, free(handle));
        }
    }
}
