using System;

namespace RagKernels.Embedding;

/// <summary>How token vectors become one sentence vector (sentence-transformers' Pooling module,
/// 1_Pooling/config.json).</summary>
public enum PoolingMode
{
    /// <summary>Mean of the vectors of the real (unpadded) tokens.</summary>
    Mean,
    /// <summary>The [CLS] token's vector.</summary>
    Cls,
    /// <summary>Element-wise maximum over the real tokens.</summary>
    Max,
    /// <summary>Sum of the real tokens' vectors divided by the square root of their count.</summary>
    MeanSqrtLength,
}

/// <summary>Pooling of one sequence's token vectors and L2 normalisation, as sentence-transformers
/// computes them (in float32, summing tokens in order).</summary>
public static class Pooling
{
    /// <summary>Pools <paramref name="length"/> token vectors of size <c>output.Length</c> laid out
    /// row after row in <paramref name="tokens"/> into <paramref name="output"/>.</summary>
    public static void Pool(PoolingMode mode, ReadOnlySpan<float> tokens, int length, Span<float> output)
    {
        int dim = output.Length;
        if (mode == PoolingMode.Cls)
        {
            tokens[..dim].CopyTo(output);
            return;
        }
        if (mode == PoolingMode.Max)
        {
            tokens[..dim].CopyTo(output);
            for (int t = 1; t < length; t++)
            {
                ReadOnlySpan<float> row = tokens.Slice(t * dim, dim);
                for (int j = 0; j < dim; j++)
                {
                    output[j] = MathF.Max(output[j], row[j]);
                }
            }
            return;
        }
        output.Clear();
        for (int t = 0; t < length; t++)
        {
            ReadOnlySpan<float> row = tokens.Slice(t * dim, dim);
            for (int j = 0; j < dim; j++)
            {
                output[j] += row[j];
            }
        }
        float scale = mode == PoolingMode.Mean ? 1f / length : 1f / MathF.Sqrt(length);
        for (int j = 0; j < dim; j++)
        {
            output[j] *= scale;
        }
    }

    /// <summary>Divides <paramref name="vector"/> by its L2 norm (at least 1e-12, like
    /// torch.nn.functional.normalize), leaving a zero vector zero.</summary>
    public static void Normalize(Span<float> vector)
    {
        double sum = 0;
        foreach (float x in vector)
        {
            sum += (double)x * x;
        }
        float scale = (float)(1.0 / Math.Max(Math.Sqrt(sum), 1e-12));
        for (int j = 0; j < vector.Length; j++)
        {
            vector[j] *= scale;
        }
    }
}
