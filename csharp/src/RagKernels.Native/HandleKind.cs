namespace RagKernels.Native;

/// <summary>The kind of object behind a handle; part of the handle value, so a handle of one
/// kind passed where another is expected is refused.</summary>
internal enum HandleKind : byte
{
    TrendWindow = 1,
    Bm25Index = 2,
    Embedder = 3,
    VectorIndex = 4,
}
