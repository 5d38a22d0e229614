using System;

namespace RagKernels.Signals;

/// <summary>
/// trend_drop: the least-squares line through a window of scores, reported as its total drop
/// from the first point to the last (positive = falling). Semantics: shared/spec/signals.md.
/// </summary>
public static class TrendDrop
{
    /// <summary>
    /// Computes trend_drop over <paramref name="values"/>. Fewer than two values give 0.0;
    /// NaN or an infinity anywhere gives NaN.
    /// </summary>
    /// <remarks>
    /// Bit-exact with the Python twin: plain left-to-right sums in the same order, no
    /// compensation, no FMA contraction (RyuJIT never contracts a*b+c on its own).
    /// </remarks>
    public static double Compute(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n < 2)
        {
            return 0.0;
        }

        double sum = 0.0;
        for (int i = 0; i < n; i++)
        {
            sum += values[i];
        }
        if (!double.IsFinite(sum) && !AllFinite(values))
        {
            return double.NaN;
        }

        double xMean = (n - 1) / 2.0;
        double yMean = sum / n;
        double num = 0.0;
        double den = 0.0;
        for (int i = 0; i < n; i++)
        {
            double dx = i - xMean;
            num += dx * (values[i] - yMean);
        }
        for (int i = 0; i < n; i++)
        {
            double dx = i - xMean;
            den += dx * dx;
        }
        double slope = den > 1e-12 ? num / den : 0.0;
        return -slope * (n - 1);
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }
        return true;
    }
}
