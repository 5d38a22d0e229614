using System;
using System.Collections.Generic;
using RagKernels.Signals;
using Xunit;

namespace RagKernels.Tests;

public class TrendDropTests
{
    // Golden values from the Python reference (shared/spec/signals.md).
    public static IEnumerable<object[]> Golden() =>
    [
        [Array.Empty<double>(), 0.0],
        [new[] { 0.5 }, 0.0],
        [new[] { 0.5, 0.5, 0.5, 0.5, 0.5 }, -0.0],
        [new[] { 0.9, 0.7, 0.5, 0.3, 0.1 }, 0.8],
        [new[] { 0.8, 0.2 }, 0.6000000000000001],
        [new[] { 0.85, 0.8, 0.7 }, 0.15000000000000002],
        [new[] { 0.1, 0.2, 0.3 }, -0.19999999999999998],
        [new[] { 0.85, 0.82, 0.78, 0.71, 0.65, 0.58, 0.52, 0.48, 0.43, 0.39 }, 0.4914545454545454],
    ];

    [Theory]
    [MemberData(nameof(Golden))]
    public void MatchesGoldenValuesBitForBit(double[] values, double expected)
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(TrendDrop.Compute(values)));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteAnywhereGivesNaN(double bad)
    {
        for (int position = 0; position < 5; position++)
        {
            double[] values = [0.9, 0.7, 0.5, 0.3, 0.1];
            values[position] = bad;
            Assert.True(double.IsNaN(TrendDrop.Compute(values)));
        }
    }

    [Fact]
    public void ALinearSeriesDropsByItsRange()
    {
        // For y = a - s*i the fitted line is the series itself: drop = s*(n-1), for every length.
        for (int n = 2; n <= 64; n++)
        {
            var values = new double[n];
            for (int i = 0; i < n; i++)
            {
                values[i] = 10.0 - 0.25 * i;
            }
            Assert.Equal(0.25 * (n - 1), TrendDrop.Compute(values), 1e-9);
        }
    }

    [Fact]
    public void WindowEqualsTrendDropOfItsLastValuesAfterEveryPush()
    {
        var random = new Random(11);
        foreach (int size in new[] { 1, 2, 5, 7, 64 })
        {
            var window = new TrendWindow(size);
            var stream = new List<double>();
            for (int i = 0; i < 300; i++)
            {
                double score = random.NextDouble();
                stream.Add(score);
                int start = Math.Max(0, stream.Count - size);
                double expected = TrendDrop.Compute(stream.GetRange(start, stream.Count - start).ToArray());
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(window.Push(score)));
            }
            window.Reset();
            Assert.Equal(0, window.Count);
            Assert.Equal(0.0, window.Push(0.3));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(TrendWindow.MaxSize + 1)]
    public void WindowRejectsBadSizes(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrendWindow(size));
    }
}
