using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using RagKernels.Native.Bench;

namespace RagKernels.Benchmarks;

/// <summary>
/// Every workload of the Python report's "C# (no FFI)" column, under BenchmarkDotNet with
/// allocations measured: the suite covers each kernel on the same input as the report by
/// construction, and a workload added for the report is benchmarked here without more code.
/// </summary>
[MemoryDiagnoser]
public class WorkloadBenchmarks
{
    private Func<double> _call = static () => 0.0;

    public static IEnumerable<string> Workloads => BenchWorkloads.Names;

    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _call = BenchWorkloads.Create(Workload);

    [Benchmark]
    public double Run() => _call();
}
