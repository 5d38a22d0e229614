using System;
using BenchmarkDotNet.Attributes;
using RagKernels.Fusion;
using RagKernels.Vectors;

namespace RagKernels.Benchmarks;

/// <summary>Exact top-10 over 10,000 x 384 cosine vectors, and fusion of two 100-long rankings
/// (the shapes of the Python report's rows). MemoryDiagnoser shows both allocate nothing.</summary>
[MemoryDiagnoser]
public class VectorBenchmarks
{
    private const int Dim = 384;
    private readonly VectorIndex _index = new(Dim, VectorMetric.Cosine);
    private readonly float[] _query = new float[Dim];
    private readonly long[] _ids = new long[10];
    private readonly float[] _scores = new float[10];
    private readonly ReciprocalRankFusion _fusion = new();
    private readonly long[] _rankings = new long[200];
    private readonly long[] _offsets = [0, 100, 200];
    private readonly long[] _fusedIds = new long[150];
    private readonly double[] _fusedScores = new double[150];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(6);
        var data = new float[10_000 * Dim];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }
        _index.Add(data, default, default);
        for (int i = 0; i < Dim; i++)
        {
            _query[i] = (float)(random.NextDouble() * 2 - 1);
        }
        for (int i = 0; i < 100; i++)
        {
            _rankings[i] = i;
            _rankings[100 + i] = 50 + i;
        }
        random.Shuffle(_rankings.AsSpan(0, 100));
        random.Shuffle(_rankings.AsSpan(100, 100));
    }

    [Benchmark]
    public int SearchTop10() => _index.Search(_query, _ids, _scores);

    [Benchmark]
    public int FuseTwo100() => _fusion.Fuse(_rankings, _offsets, default, 60, _fusedIds, _fusedScores);
}
