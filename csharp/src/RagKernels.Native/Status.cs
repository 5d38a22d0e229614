namespace RagKernels.Native;

/// <summary>
/// Status codes returned by every export (mirrored as RK_* in ragkernels.h). 0 is success.
/// 1–99 apply to every area; 100–199 are reserved for signals, 200–299 for BM25,
/// 300–399 for embeddings, 400–499 for vector and hybrid retrieval.
/// </summary>
internal static class Status
{
    public const int Ok = 0;
    /// <summary>An argument is out of range or malformed (Python: ValueError).</summary>
    public const int InvalidArgument = 1;
    /// <summary>A required pointer was NULL (Python: ValueError).</summary>
    public const int NullPointer = 2;
    /// <summary>An output buffer is too small; the size needed was reported (Python: retried).</summary>
    public const int BufferTooSmall = 3;
    /// <summary>A handle is stale, freed, forged or of another kind (Python: ValueError).</summary>
    public const int InvalidHandle = 4;
    /// <summary>A text argument is not valid UTF-8 (Python: ValueError).</summary>
    public const int InvalidUtf8 = 5;
    /// <summary>An id or key is unknown (Python: KeyError).</summary>
    public const int NotFound = 6;
    /// <summary>A file could not be read or written (Python: OSError).</summary>
    public const int Io = 7;
    /// <summary>A file or buffer is corrupt, truncated or of a foreign format (Python: ValueError).</summary>
    public const int Format = 8;
    /// <summary>Memory could not be allocated (Python: MemoryError).</summary>
    public const int OutOfMemory = 9;
    /// <summary>The operation was cancelled through its cancellation flag (Python: KeyboardInterrupt is re-raised).</summary>
    public const int Cancelled = 10;
    /// <summary>Embeddings: ONNX Runtime could not be found or loaded; the message lists where it
    /// was looked for (Python: ImportError).</summary>
    public const int OnnxRuntimeMissing = 300;
    /// <summary>An unexpected internal failure; the message says what (Python: RuntimeError).</summary>
    public const int Internal = 99;
}
