using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using RagKernels.Text;
using Xunit;

namespace RagKernels.Tests;

/// <summary>Utf8FromCodePoints against .NET's own UTF-8 encoder on the same characters, and its
/// refusals (what Python's str.encode("utf-8") refuses).</summary>
public unsafe class Utf8FromCodePointsTests
{
    private static byte[]? Convert<T>(T[] points, int width) where T : unmanaged
    {
        var output = new byte[Utf8FromCodePoints.MaxBytes(points.Length, width) + 1];
        fixed (T* p = points)
        fixed (byte* o = output)
        {
            int written = Utf8FromCodePoints.Convert(p, points.Length, width, o);
            return written < 0 ? null : output[..written];
        }
    }

    private static byte[] Expected(IEnumerable<int> points) =>
        Encoding.UTF8.GetBytes(string.Concat(points.Select(char.ConvertFromUtf32)));

    [Fact]
    public void Latin1EveryByteAndAsciiRunsOfEveryLengthAroundIt()
    {
        var points = Enumerable.Range(0, 256).ToList();
        Assert.Equal(Expected(points), Convert(points.Select(p => (byte)p).ToArray(), 1));
        // Runs of ASCII (copied 16 at a time) before and after a non-ASCII byte, every length.
        foreach (int wide in new[] { 0x80, 0xE9, 0xFF })
        {
            for (int run = 0; run <= 40; run++)
            {
                int[] text = [.. Enumerable.Repeat((int)'A', run), wide, .. Enumerable.Repeat((int)'b', run), wide];
                Assert.Equal(Expected(text), Convert(text.Select(p => (byte)p).ToArray(), 1));
            }
        }
    }

    [Fact]
    public void Ucs2EveryCodePointButTheSurrogates()
    {
        int[] points = Enumerable.Range(0, 0x10000).Where(p => p < 0xD800 || p > 0xDFFF).ToArray();
        Assert.Equal(Expected(points), Convert(points.Select(p => (ushort)p).ToArray(), 2));
    }

    [Theory]
    [InlineData(new ushort[] { 0x61, 0xD800, 0x62 })] // a lone high surrogate
    [InlineData(new ushort[] { 0xDFFF })] // a lone low surrogate
    [InlineData(new ushort[] { 0x20, 0xD83D, 0xDE00, 0x20 })] // a "pair": two code points to Python, refused
    public void Ucs2RefusesEverySurrogate(ushort[] points) => Assert.Null(Convert(points, 2));

    [Fact]
    public void Ucs4EveryLengthOfUtf8AtItsBounds()
    {
        int[] points = [0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF, 0x41];
        Assert.Equal(Expected(points), Convert(points.Select(p => (uint)p).ToArray(), 4));
    }

    [Theory]
    [InlineData(0xD800u)]
    [InlineData(0xDFFFu)]
    [InlineData(0x110000u)]
    [InlineData(0xFFFFFFFFu)]
    public void Ucs4RefusesSurrogatesAndWhatIsAboveUnicode(uint bad) => Assert.Null(Convert(new uint[] { 0x41, bad, 0x42 }, 4));
}
