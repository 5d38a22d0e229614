using System;

namespace RagKernels.Bm25;

/// <summary>The scoring variants of shared/spec/bm25.md.</summary>
public enum Bm25Method
{
    Lucene = 0,
    Okapi = 1,
    Bm25L = 2,
    Bm25Plus = 3,
}

/// <summary>
/// Parameters and formulas of a variant. Every formula keeps the operation order of the spec
/// (and of the Python twin, ragkernels/bm25/_common.py), so scores agree to the last bit.
/// </summary>
public sealed record Bm25Scoring(Bm25Method Method, double K1, double B, double Delta, double Epsilon)
{
    /// <summary>The spec's defaults for <paramref name="method"/>.</summary>
    public static Bm25Scoring Default(Bm25Method method) => method switch
    {
        Bm25Method.Lucene => new(method, 1.2, 0.75, 0.0, 0.0),
        Bm25Method.Okapi => new(method, 1.5, 0.75, 0.0, 0.25),
        Bm25Method.Bm25L => new(method, 1.5, 0.75, 0.5, 0.0),
        Bm25Method.Bm25Plus => new(method, 1.5, 0.75, 1.0, 0.0),
        _ => throw new ArgumentException($"unknown BM25 method {(int)method}"),
    };

    /// <summary>Throws ArgumentException for values out of range (messages as the Python checks).</summary>
    public void Validate()
    {
        if (Method is < Bm25Method.Lucene or > Bm25Method.Bm25Plus)
        {
            throw new ArgumentException($"unknown BM25 method {(int)Method}");
        }
        if (!double.IsFinite(K1) || !double.IsFinite(B) || !double.IsFinite(Delta) || !double.IsFinite(Epsilon))
        {
            throw new ArgumentException("k1, b, delta and epsilon must be finite");
        }
        if (K1 < 0.0)
        {
            throw new ArgumentException($"k1 must be >= 0, got {K1}");
        }
        if (B < 0.0 || B > 1.0)
        {
            throw new ArgumentException($"b must be between 0 and 1, got {B}");
        }
        if (Delta < 0.0)
        {
            throw new ArgumentException($"delta must be >= 0, got {Delta}");
        }
    }

    /// <summary>Whether a document without a query term still scores for it (bm25l, bm25+).</summary>
    public bool ScoresAbsentTerms => Method is Bm25Method.Bm25L or Bm25Method.Bm25Plus;

    /// <summary>idf of a term in <paramref name="df"/> of <paramref name="n"/> documents (df ≥ 1).</summary>
    public double Idf(int n, int df) => Method switch
    {
        Bm25Method.Lucene => Math.Log((n - df + 0.5) / (df + 0.5) + 1.0),
        Bm25Method.Okapi => Math.Log(n - df + 0.5) - Math.Log(df + 0.5),
        Bm25Method.Bm25L => Math.Log((n + 1) / (df + 0.5)),
        _ => Math.Log((double)(n + 1) / df),
    };

    /// <summary>Score of a term with idf <paramref name="w"/> in a document of length <paramref name="dl"/>
    /// containing it <paramref name="tf"/> ≥ 1 times.</summary>
    public double TermScore(double w, double tf, double dl, double avgdl)
    {
        double k1 = K1, b = B;
        switch (Method)
        {
            case Bm25Method.Lucene:
                return w * (tf * (k1 + 1.0)) / (tf + k1 * ((1.0 - b) + (b * dl) / avgdl));
            case Bm25Method.Okapi:
                return w * ((tf * (k1 + 1.0)) / (tf + k1 * ((1.0 - b) + (b * dl) / avgdl)));
            case Bm25Method.Bm25L:
                double c = tf / ((1.0 - b) + (b * dl) / avgdl);
                return w * (k1 + 1.0) * (c + Delta) / (k1 + c + Delta);
            default:
                return w * (Delta + (tf * (k1 + 1.0)) / (k1 * ((1.0 - b) + (b * dl) / avgdl) + tf));
        }
    }

    /// <summary>Score of a term for a document without it: non-zero for bm25l and bm25+ only.</summary>
    public double AbsentScore(double w) => Method switch
    {
        Bm25Method.Bm25L => w * (K1 + 1.0) * (0.0 + Delta) / (K1 + 0.0 + Delta),
        Bm25Method.Bm25Plus => w * (Delta + 0.0),
        _ => 0.0,
    };
}
