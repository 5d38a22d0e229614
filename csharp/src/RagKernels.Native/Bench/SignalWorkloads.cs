using System;
using System.Collections.Generic;
using System.Text;
using RagKernels.Native.Exports;
using RagKernels.Signals;

namespace RagKernels.Native.Bench;

/// <summary>Signal workloads on the reference inputs of shared/spec/signals.md.</summary>
/// <remarks>The inputs are built exactly as python/ragkernels/bench/cases_signals.py builds
/// them, so the C# column times the same work as the Python rows of the same name.</remarks>
internal static class SignalWorkloads
{
    private static readonly double[] s_series = [0.85, 0.82, 0.78, 0.71, 0.65, 0.58, 0.52, 0.48, 0.43, 0.39];

    /// <summary>CLAIM of shared/spec/signals.md.</summary>
    public const string Claim = "The Team Plan costs $19 per user per month and supports up to 25 users with email support. "
        + "Phone support is available for all paid plans. We are SOC 2 Type II, ISO 27001, HIPAA, and FedRAMP certified.";

    /// <summary>SOURCE of shared/spec/signals.md.</summary>
    public const string Source = "Team Plan costs $19 per user per month, up to 25 users. Phone support is Enterprise only. "
        + "All paid plans include a 14-day free trial. SOC 2 Type II and ISO 27001 certified.";

    /// <summary>Pairs in the batch workloads.</summary>
    public const int BatchPairs = 10_000;

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

        byte[] claim = Encoding.UTF8.GetBytes(Claim);
        byte[] source = Encoding.UTF8.GetBytes(Source);
        byte[] longClaim = Encoding.UTF8.GetBytes(Words(Claim + " " + Source, 100, 0));
        byte[] longSource = Encoding.UTF8.GetBytes(Words(Source + " " + Claim, 500, 0));
        AddPair(factories, "", claim, source);
        AddPair(factories, " (100 vs 500 words)", longClaim, longSource);
        factories["entity_overlap_batch"] = static () => Batch(static (b, r) => b.EntityOverlap(r));
        factories["numerical_consistency_batch"] = static () => Batch(static (b, r) => b.NumericalConsistency(r));
        factories["negation_flip_batch"] = static () => Batch(static (b, r) => b.NegationFlip(r));
        factories["traceability_batch"] = static () => Batch(static (b, r) => b.Traceability(r));
        factories["entity_overlap_batch (100 x 100)"] = static () => CrossBatch(static (b, r) => b.EntityOverlap(r));
        factories["numerical_consistency_batch (100 x 100)"] = static () => CrossBatch(static (b, r) => b.NumericalConsistency(r));
        factories["negation_flip_batch (100 x 100)"] = static () => CrossBatch(static (b, r) => b.NegationFlip(r));
        factories["traceability_batch (100 x 100)"] = static () => CrossBatch(static (b, r) => b.Traceability(r));
    }

    /// <summary>Claims and sources of the cross-product rows (cases_signals.cross_pairs).</summary>
    public const int CrossSide = 100;

    private static void AddPair(Dictionary<string, Func<Func<double>>> factories, string suffix, byte[] a, byte[] b)
    {
        factories["entity_overlap" + suffix] = () => () => EntityOverlap.Compute(a, b);
        factories["numerical_consistency" + suffix] = () => () => NumericalConsistency.Compute(a, b);
        factories["negation_flip" + suffix] = () => () => NegationFlip.Compute(a, b) ? 1.0 : 0.0;
        factories["traceability" + suffix] = () => () => Traceability.Compute(a, b);
    }

    /// <summary>The first <paramref name="count"/> words of <paramref name="text"/>'s words
    /// repeated, starting at word <paramref name="rotation"/> (cases_signals.words).</summary>
    public static string Words(string text, int count, int rotation)
    {
        string[] words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var picked = new string[count];
        for (int i = 0; i < count; i++)
        {
            picked[i] = words[(rotation + i) % words.Length];
        }
        return string.Join(' ', picked);
    }

    private static Func<double> Batch(Func<PairBatch, double[], double> run)
    {
        var batch = new PairBatch(BatchPairs, 0);
        var results = new double[BatchPairs];
        return () => run(batch, results);
    }

    private static Func<double> CrossBatch(Func<PairBatch, double[], double> run)
    {
        var batch = new PairBatch(CrossSide * CrossSide, CrossSide);
        var results = new double[CrossSide * CrossSide];
        return () => run(batch, results);
    }

    /// <summary>The batch of cases_signals.batch_pairs: pair i is CLAIM and SOURCE, each
    /// rotated by i words; each text in its own pinned array, passed as rk_span (as the Python
    /// batches pass each str's own bytes). With <c>side</c> &gt; 0, cases_signals.cross_pairs
    /// instead: every one of <c>side</c> claims against every one of <c>side</c> sources, a
    /// claim's pairs one after another and all pointing at the claim's one array (as a repeated
    /// str object does).</summary>
    private sealed unsafe class PairBatch
    {
        private readonly byte[][] _texts; // keeps the pinned texts alive
        private readonly RkSpan[] _claims;
        private readonly RkSpan[] _sources;
        private readonly int _count;
        private readonly sbyte[] _codes;
        private readonly byte[] _flags;

        public PairBatch(int count, int side)
        {
            _count = count;
            int claimWords = Claim.Split(' ').Length;
            int sourceWords = Source.Split(' ').Length;
            _texts = new byte[2 * count][];
            _claims = new RkSpan[count];
            _sources = new RkSpan[count];
            for (int i = 0; i < count; i++)
            {
                if (side == 0)
                {
                    _claims[i] = Span(2 * i, Words(Claim, claimWords, i));
                    _sources[i] = Span(2 * i + 1, Words(Source, sourceWords, i));
                }
                else
                {
                    (int claim, int source) = Math.DivRem(i, side);
                    _claims[i] = source == 0 ? Span(2 * i, Words(Claim, claimWords, claim)) : _claims[i - 1];
                    _sources[i] = claim == 0 ? Span(2 * i + 1, Words(Source, sourceWords, source)) : _sources[source];
                }
            }
            _codes = new sbyte[count];
            _flags = new byte[count];
        }

        private RkSpan Span(int slot, string text)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(text);
            byte[] pinned = GC.AllocateUninitializedArray<byte>(utf8.Length, pinned: true);
            utf8.CopyTo(pinned, 0);
            _texts[slot] = pinned;
            return new RkSpan { Data = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref pinned[0]), Length = utf8.Length };
        }

        public double EntityOverlap(double[] results)
        {
            fixed (RkSpan* c = _claims, s = _sources)
            fixed (double* r = results)
            {
                return PairSignalExports.EntityOverlapSpans(c, s, _count, r);
            }
        }

        public double Traceability(double[] results)
        {
            fixed (RkSpan* c = _claims, s = _sources)
            fixed (double* r = results)
            {
                return PairSignalExports.TraceabilitySpans(c, s, _count, r);
            }
        }

        public double NumericalConsistency(double[] _)
        {
            fixed (RkSpan* c = _claims, s = _sources)
            fixed (sbyte* r = _codes)
            {
                return PairSignalExports.NumericalConsistencySpans(c, s, _count, r);
            }
        }

        public double NegationFlip(double[] _)
        {
            fixed (RkSpan* c = _claims, s = _sources)
            fixed (byte* r = _flags)
            {
                return PairSignalExports.NegationFlipSpans(c, s, _count, r);
            }
        }
    }
}
