using BenchmarkDotNet.Attributes;
using RagKernels.Signals;

namespace RagKernels.Benchmarks;

[MemoryDiagnoser]
public class TrendDropBenchmarks
{
    // The reference series of shared/spec/signals.md.
    private readonly double[] _series = [0.85, 0.82, 0.78, 0.71, 0.65, 0.58, 0.52, 0.48, 0.43, 0.39];
    private readonly TrendWindow _window = new(5);
    private int _next;

    [Benchmark]
    public double TrendDropReferenceSeries() => TrendDrop.Compute(_series);

    [Benchmark]
    public double TrendWindowPush()
    {
        _next = (_next + 1) % _series.Length;
        return _window.Push(_series[_next]);
    }
}
