namespace RagKernels.Vectors;

/// <summary>How a <see cref="VectorIndex"/> scores a stored vector against a query. Every score
/// is "higher is better". The numeric values are part of the C ABI and of the file format.</summary>
public enum VectorMetric
{
    /// <summary>The inner product q·x.</summary>
    Dot = 0,

    /// <summary>Cosine similarity, in [-1, 1]: stored vectors and the query are normalised to unit
    /// length (in float64, rounded once to float32), then scored by their inner product.</summary>
    Cosine = 1,

    /// <summary>The negative Euclidean distance −‖q − x‖₂ (0 for an identical vector, more negative
    /// further away). Negated so that "higher is better" holds for every metric; the plain
    /// (not squared) distance because that is what TensorPrimitives.Distance computes, and
    /// squaring it afterwards would add a rounding.</summary>
    L2 = 2,
}
