using System.Text;
using BenchmarkDotNet.Attributes;
using RagKernels.Signals;

namespace RagKernels.Benchmarks;

/// <summary>The four pairwise signals on the reference CLAIM/SOURCE of shared/spec/signals.md
/// and on a 100-word claim against a 500-word source (built as cases_signals.py builds it).</summary>
[MemoryDiagnoser]
public class PairSignalBenchmarks
{
    private const string Claim = "The Team Plan costs $19 per user per month and supports up to 25 users with email support. "
        + "Phone support is available for all paid plans. We are SOC 2 Type II, ISO 27001, HIPAA, and FedRAMP certified.";
    private const string Source = "Team Plan costs $19 per user per month, up to 25 users. Phone support is Enterprise only. "
        + "All paid plans include a 14-day free trial. SOC 2 Type II and ISO 27001 certified.";

    private byte[] _claim = [];
    private byte[] _source = [];

    [Params("reference", "100 vs 500 words")]
    public string Input { get; set; } = "reference";

    [GlobalSetup]
    public void Setup()
    {
        bool reference = Input == "reference";
        _claim = Encoding.UTF8.GetBytes(reference ? Claim : Words(Claim + " " + Source, 100));
        _source = Encoding.UTF8.GetBytes(reference ? Source : Words(Source + " " + Claim, 500));
    }

    private static string Words(string text, int count)
    {
        string[] words = text.Split(' ');
        var picked = new string[count];
        for (int i = 0; i < count; i++)
        {
            picked[i] = words[i % words.Length];
        }
        return string.Join(' ', picked);
    }

    [Benchmark]
    public double EntityOverlapPair() => EntityOverlap.Compute(_claim, _source);

    [Benchmark]
    public int NumericalConsistencyPair() => NumericalConsistency.Compute(_claim, _source);

    [Benchmark]
    public bool NegationFlipPair() => NegationFlip.Compute(_claim, _source);

    [Benchmark]
    public double TraceabilityPair() => Traceability.Compute(_claim, _source);
}
