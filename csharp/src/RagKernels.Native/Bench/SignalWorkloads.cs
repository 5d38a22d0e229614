using System;
using System.Collections.Generic;
using RagKernels.Signals;

namespace RagKernels.Native.Bench;

/// <summary>Signal workloads on the reference inputs of shared/spec/signals.md.</summary>
internal static class SignalWorkloads
{
    private static readonly double[] s_series = [0.85, 0.82, 0.78, 0.71, 0.65, 0.58, 0.52, 0.48, 0.43, 0.39];

    public static void Register(Dictionary<string, Func<Func<double>>> factories)
    {
        factories["trend_drop"] = static () => static () => TrendDrop.Compute(s_series);
        factories["TrendWindow.push"] = static () =>
        {
            var window = new TrendWindow(5);
            foreach (double score in s_series.AsSpan(0, 5))
            {
                window.Push(score);
            }
            return () => window.Push(0.39);
        };
    }
}
