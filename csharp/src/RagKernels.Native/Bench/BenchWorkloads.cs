using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace RagKernels.Native.Bench;

/// <summary>
/// Named C#-side workloads for rk_bench_kernel: the same kernels on the same reference inputs
/// as the Python benchmark rows of the same name, timed here without the FFI, so the report can
/// show what share of a call from Python is the crossing itself.
/// </summary>
/// <remarks>Each area registers its workloads from its own file; a workload's factory does the
/// setup once and returns the call to time.</remarks>
internal static class BenchWorkloads
{
    private static readonly Dictionary<string, Func<Func<double>>> s_factories = Build();

    // Sink for results so the JIT/AOT compiler cannot drop a timed call.
    private static double s_sink;

    private static Dictionary<string, Func<Func<double>>> Build()
    {
        var factories = new Dictionary<string, Func<Func<double>>>(StringComparer.Ordinal);
        SignalWorkloads.Register(factories);
        EmbedWorkloads.Register(factories);
        VectorWorkloads.Register(factories);
        Bm25Workloads.Register(factories);
        HybridWorkloads.Register(factories);
        return factories;
    }

    public static bool Exists(string name) => s_factories.ContainsKey(name);

    /// <summary>Every workload's name, sorted (BenchmarkDotNet runs them all).</summary>
    public static IEnumerable<string> Names
    {
        get
        {
            var names = new List<string>(s_factories.Keys);
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    /// <summary>Sets workload <paramref name="name"/> up and returns the call to time.</summary>
    public static Func<double> Create(string name) => s_factories[name]();

    /// <summary>Runs workload <paramref name="name"/> <paramref name="warmup"/> times untimed,
    /// then once per element of <paramref name="nanoseconds"/>, storing each call's time minus
    /// the median cost of timing an empty call.</summary>
    public static void Run(string name, int warmup, Span<double> nanoseconds)
    {
        Func<double> call = s_factories[name]();
        for (int i = 0; i < warmup; i++)
        {
            s_sink += call();
        }
        double overhead = TimerOverhead();
        double toNanoseconds = 1e9 / Stopwatch.Frequency;
        for (int i = 0; i < nanoseconds.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            s_sink += call();
            long end = Stopwatch.GetTimestamp();
            nanoseconds[i] = (end - start) * toNanoseconds - overhead;
        }
    }

    private static double TimerOverhead()
    {
        Func<double> empty = static () => 0.0;
        Span<double> samples = stackalloc double[1001];
        double toNanoseconds = 1e9 / Stopwatch.Frequency;
        for (int i = 0; i < samples.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            s_sink += empty();
            long end = Stopwatch.GetTimestamp();
            samples[i] = (end - start) * toNanoseconds;
        }
        samples.Sort();
        return samples[samples.Length / 2];
    }
}
