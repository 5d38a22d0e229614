using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using System.Threading;
using RagKernels.Embedding;

namespace RagKernels.Native.Exports;

/// <summary>Sentence embeddings: a sentence-transformers ONNX folder run through ONNX Runtime.</summary>
internal static unsafe class EmbedExports
{
    /// <summary>
    /// <c>int32_t rk_embed_create(const uint8_t* model_dir, int64_t model_dir_length,
    /// const uint8_t* runtime_paths, int64_t runtime_paths_length, int64_t max_length,
    /// int32_t threads, int32_t normalize, int32_t tokenizer_only, uint64_t* handle)</c>:
    /// opens a model folder (UTF-8 path). <c>runtime_paths</c>: newline-separated places to load
    /// ONNX Runtime from, tried in order before the system library path (empty: the
    /// RAGKERNELS_ONNXRUNTIME variable); may be NULL when its length is 0. <c>max_length</c> 0 =
    /// the folder's max_seq_length; <c>threads</c> 0 = ORT's default; <c>tokenizer_only</c> 1 reads
    /// only the tokenizer (no model, no ORT: for rk_embed_tokenize). The caller owns the handle
    /// and frees it with rk_embed_free. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT,
    /// RK_INVALID_UTF8, RK_IO (folder or file missing), RK_FORMAT (bad configuration or model),
    /// RK_ONNXRUNTIME_MISSING, RK_INTERNAL (any other ONNX Runtime error, with its message).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_embed_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkEmbedCreate(byte* modelDir, long modelDirLength, byte* runtimePaths, long runtimePathsLength,
        long maxLength, int threads, int normalize, int tokenizerOnly, ulong* handle)
    {
        try
        {
            if (handle == null)
            {
                return LastError.NullPointer("handle");
            }
            *handle = 0;
            if (modelDir == null)
            {
                return LastError.NullPointer("model_dir");
            }
            if (runtimePaths == null && runtimePathsLength > 0)
            {
                return LastError.NullPointer("runtime_paths");
            }
            if (modelDirLength < 1 || modelDirLength > 65536 || runtimePathsLength < 0 || runtimePathsLength > 1 << 20)
            {
                return LastError.InvalidArgument("model_dir_length must be 1..65536 and runtime_paths_length 0..1048576");
            }
            if (maxLength < 0 || maxLength > 1 << 20)
            {
                return LastError.InvalidArgument($"max_length must be between 2 and 1048576 (0 = the model's), got {maxLength}");
            }
            if (normalize is not (0 or 1) || tokenizerOnly is not (0 or 1))
            {
                return LastError.InvalidArgument("normalize and tokenizer_only must be 0 or 1");
            }
            if (!TryDecode(modelDir, modelDirLength, out string directory) || !TryDecode(runtimePaths, runtimePathsLength, out string paths))
            {
                return LastError.Set(Status.InvalidUtf8, "model_dir and runtime_paths must be valid UTF-8");
            }
            var options = new EmbedderOptions((int)maxLength, threads, normalize == 1, tokenizerOnly == 1,
                paths.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            var embedder = new SentenceEmbedder(directory, options);
            *handle = HandleTable.Add(HandleKind.Embedder, embedder);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return FromException(e);
        }
    }

    /// <summary><c>int32_t rk_embed_dim(uint64_t handle, int64_t* dim, int64_t* max_length)</c>:
    /// the vector size and the tokens per text ([CLS]/[SEP] included). Status: RK_OK,
    /// RK_NULL_POINTER, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_embed_dim", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkEmbedDim(ulong handle, long* dim, long* maxLength)
    {
        try
        {
            if (dim == null || maxLength == null)
            {
                return LastError.NullPointer(dim == null ? "dim" : "max_length");
            }
            if (!HandleTable.TryGet(handle, HandleKind.Embedder, out SentenceEmbedder embedder))
            {
                return LastError.InvalidHandle("embedder");
            }
            *dim = embedder.Dimension;
            *maxLength = embedder.MaxLength;
            return Status.Ok;
        }
        catch (Exception e)
        {
            return FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_embed_run(uint64_t handle, const uint8_t* text, const int64_t* offsets,
    /// int64_t count, int64_t batch_size, float* output, int64_t output_length, int64_t* ort_run_ns)</c>:
    /// embeds text i = text[offsets[i]..offsets[i+1]) (UTF-8) for i &lt; count into row i of
    /// <c>output</c> (count × dim floats, row-major, caller-allocated). Texts are truncated to
    /// max_length tokens. <c>ort_run_ns</c> (may be NULL) receives the time spent inside ORT's Run.
    /// All buffers are borrowed for the call. Status: RK_OK, RK_NULL_POINTER,
    /// RK_INVALID_ARGUMENT (offsets, batch_size 1..65536, output_length ≠ count × dim),
    /// RK_INVALID_UTF8, RK_INVALID_HANDLE, RK_FORMAT, RK_INTERNAL (ORT's message).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_embed_run", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkEmbedRun(ulong handle, byte* text, long* offsets, long count, long batchSize, float* output,
        long outputLength, long* ortRunNs) =>
        Run(handle, text, offsets, count, batchSize, output, outputLength, ortRunNs, null);

    /// <summary>
    /// <c>int32_t rk_embed_run_cancellable(uint64_t handle, const uint8_t* text,
    /// const int64_t* offsets, int64_t count, int64_t batch_size, float* output,
    /// int64_t output_length, int64_t* ort_run_ns, const int32_t* cancel)</c>: rk_embed_run that
    /// stops early once <c>*cancel</c> is non-zero: read before each batch, and
    /// <c>rk_embed_cancel(handle, cancel)</c> (from another thread, after setting <c>*cancel</c>)
    /// also stops the ONNX Runtime Run under way. It then returns RK_CANCELLED (output
    /// unspecified); the embedder stays usable. <c>cancel</c> must stay valid until the call
    /// returns. Status: as rk_embed_run, plus RK_CANCELLED; RK_NULL_POINTER when cancel is NULL.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_embed_run_cancellable", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkEmbedRunCancellable(ulong handle, byte* text, long* offsets, long count, long batchSize,
        float* output, long outputLength, long* ortRunNs, int* cancel)
    {
        try
        {
            if (cancel == null)
            {
                if (ortRunNs != null)
                {
                    *ortRunNs = 0;
                }
                return LastError.NullPointer("cancel");
            }
            return Run(handle, text, offsets, count, batchSize, output, outputLength, ortRunNs, cancel);
        }
        catch (Exception e)
        {
            return FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_embed_cancel(uint64_t handle, const int32_t* cancel)</c>: stops the ONNX
    /// Runtime Run of every rk_embed_run_cancellable call on <c>handle</c> under way with this
    /// <c>cancel</c> pointer (the caller sets <c>*cancel</c> first: a call that has not started
    /// its Run yet sees the flag). RK_OK also when there is none. Status: RK_OK,
    /// RK_NULL_POINTER, RK_INVALID_HANDLE, RK_INTERNAL.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_embed_cancel", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkEmbedCancel(ulong handle, int* cancel)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Embedder, out SentenceEmbedder _))
            {
                return LastError.InvalidHandle("embedder");
            }
            if (cancel == null)
            {
                return LastError.NullPointer("cancel");
            }
            lock (Running)
            {
                foreach ((ulong Handle, nint Flag, RunCancellation Run) entry in Running)
                {
                    if (entry.Handle == handle && entry.Flag == (nint)cancel)
                    {
                        entry.Run.Cancel();
                    }
                }
            }
            return Status.Ok;
        }
        catch (Exception e)
        {
            return FromException(e);
        }
    }

    // The cancellable runs under way, by embedder handle and flag address, for rk_embed_cancel.
    private static readonly List<(ulong Handle, nint Flag, RunCancellation Run)> Running = [];

    private static int Run(ulong handle, byte* text, long* offsets, long count, long batchSize, float* output,
        long outputLength, long* ortRunNs, int* cancel)
    {
        try
        {
            if (ortRunNs != null)
            {
                *ortRunNs = 0;
            }
            if (!HandleTable.TryGet(handle, HandleKind.Embedder, out SentenceEmbedder embedder))
            {
                return LastError.InvalidHandle("embedder");
            }
            if (embedder.TokenizerOnly)
            {
                return LastError.InvalidArgument("this embedder was opened with tokenizer_only = 1 and cannot embed");
            }
            int status = CheckTexts(text, offsets, count, out ReadOnlySpan<byte> utf8, out ReadOnlySpan<long> bounds);
            if (status != Status.Ok)
            {
                return status;
            }
            if (batchSize < 1 || batchSize > 65536)
            {
                return LastError.InvalidArgument($"batch_size must be between 1 and 65536, got {batchSize}");
            }
            long needed = count * embedder.Dimension;
            if (outputLength != needed)
            {
                return LastError.InvalidArgument($"output must hold count × dim = {needed} floats, got {outputLength}");
            }
            if (output == null && needed > 0)
            {
                return LastError.NullPointer("output");
            }
            long ns;
            if (cancel == null)
            {
                ns = embedder.Embed(utf8, bounds, (int)batchSize, new Span<float>(output, (int)needed));
            }
            else
            {
                // The flag is written by another thread of the caller: read it afresh every time.
                nint flag = (nint)cancel;
                using RunCancellation cancellation = embedder.CreateCancellation(() => Volatile.Read(ref *(int*)flag) != 0);
                var entry = (handle, flag, cancellation);
                lock (Running)
                {
                    Running.Add(entry);
                }
                try
                {
                    ns = embedder.Embed(utf8, bounds, (int)batchSize, new Span<float>(output, (int)needed), cancellation);
                }
                finally
                {
                    lock (Running)
                    {
                        Running.Remove(entry);
                    }
                }
            }
            if (ortRunNs != null)
            {
                *ortRunNs = ns;
            }
            return Status.Ok;
        }
        catch (Exception e)
        {
            return FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_embed_tokenize(uint64_t handle, const uint8_t* text, const int64_t* offsets,
    /// int64_t count, int64_t max_length, int32_t* ids, int64_t capacity, int64_t* lengths,
    /// int64_t* needed)</c>: the token ids of each text ([CLS] … [SEP], truncated to
    /// <c>max_length</c> tokens, 0 = the embedder's), concatenated into <c>ids</c>, with each
    /// text's count in <c>lengths[count]</c> and the total in <c>*needed</c>. RK_BUFFER_TOO_SMALL
    /// when capacity &lt; *needed (lengths and needed are still written). Status: RK_OK,
    /// RK_NULL_POINTER, RK_INVALID_ARGUMENT, RK_INVALID_UTF8, RK_INVALID_HANDLE, RK_BUFFER_TOO_SMALL.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_embed_tokenize", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkEmbedTokenize(ulong handle, byte* text, long* offsets, long count, long maxLength, int* ids,
        long capacity, long* lengths, long* needed)
    {
        try
        {
            if (needed == null)
            {
                return LastError.NullPointer("needed");
            }
            *needed = 0;
            if (!HandleTable.TryGet(handle, HandleKind.Embedder, out SentenceEmbedder embedder))
            {
                return LastError.InvalidHandle("embedder");
            }
            int status = CheckTexts(text, offsets, count, out ReadOnlySpan<byte> utf8, out ReadOnlySpan<long> bounds);
            if (status != Status.Ok)
            {
                return status;
            }
            if (maxLength != 0 && (maxLength < 2 || maxLength > 1 << 24))
            {
                return LastError.InvalidArgument($"max_length must be between 2 and 16777216 (0 = the embedder's), got {maxLength}");
            }
            if (capacity < 0 || (ids == null && capacity > 0) || (lengths == null && count > 0))
            {
                return capacity < 0 ? LastError.InvalidArgument("capacity must not be negative") : LastError.NullPointer(ids == null ? "ids" : "lengths");
            }
            int limit = maxLength == 0 ? embedder.MaxLength : (int)maxLength;
            int[] scratch = new int[limit];
            long total = 0;
            for (int i = 0; i < count; i++)
            {
                int n = embedder.Tokenizer.Encode(utf8[(int)bounds[i]..(int)bounds[i + 1]], scratch, limit);
                lengths[i] = n;
                if (total + n <= capacity)
                {
                    scratch.AsSpan(0, n).CopyTo(new Span<int>(ids + total, n));
                }
                total += n;
            }
            *needed = total;
            return total > capacity
                ? LastError.Set(Status.BufferTooSmall, $"ids needs {total} entries, capacity is {capacity}")
                : Status.Ok;
        }
        catch (Exception e)
        {
            return FromException(e);
        }
    }

    /// <summary><c>int32_t rk_embed_free(uint64_t handle)</c>: frees the embedder and its ONNX
    /// Runtime session (after any run in progress on another thread finishes); the handle is
    /// invalid afterwards. Freeing twice returns RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_embed_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkEmbedFree(ulong handle)
    {
        try
        {
            if (!HandleTable.TryRemove(handle, HandleKind.Embedder, out SentenceEmbedder embedder))
            {
                return LastError.InvalidHandle("embedder");
            }
            embedder.Dispose();
            return Status.Ok;
        }
        catch (Exception e)
        {
            return FromException(e);
        }
    }

    /// <summary>Checks a batch of texts: pointers, offsets non-decreasing from 0, UTF-8 validity.</summary>
    private static int CheckTexts(byte* text, long* offsets, long count, out ReadOnlySpan<byte> utf8, out ReadOnlySpan<long> bounds)
    {
        utf8 = default;
        bounds = default;
        if (count < 0 || count > 1 << 24)
        {
            return LastError.InvalidArgument($"count must be between 0 and 16777216, got {count}");
        }
        if (offsets == null)
        {
            return LastError.NullPointer("offsets");
        }
        bounds = new ReadOnlySpan<long>(offsets, (int)count + 1);
        long total = bounds[(int)count];
        if (bounds[0] != 0 || total > int.MaxValue)
        {
            return LastError.InvalidArgument("offsets must start at 0 and end at most at 2^31-1");
        }
        if (text == null && total > 0)
        {
            return LastError.NullPointer("text");
        }
        for (int i = 0; i < count; i++)
        {
            if (bounds[i + 1] < bounds[i])
            {
                return LastError.InvalidArgument($"offsets must not decrease (offsets[{i + 1}] < offsets[{i}])");
            }
        }
        utf8 = new ReadOnlySpan<byte>(text, (int)total);
        for (int i = 0; i < count; i++)
        {
            if (!Utf8.IsValid(utf8[(int)bounds[i]..(int)bounds[i + 1]]))
            {
                return LastError.Set(Status.InvalidUtf8, $"text {i} is not valid UTF-8");
            }
        }
        return Status.Ok;
    }

    private static bool TryDecode(byte* bytes, long length, out string text)
    {
        try
        {
            text = length == 0 ? "" : new UTF8Encoding(false, true).GetString(bytes, (int)length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    private static int FromException(Exception e) => e switch
    {
        OnnxRuntimeNotFoundException => LastError.Set(Status.OnnxRuntimeMissing, e.Message),
        OrtException { Code: OrtException.NoSuchFile } => LastError.Set(Status.Io, e.Message),
        OrtException { Code: OrtException.NoModel or OrtException.InvalidProtobuf or OrtException.InvalidGraph } => LastError.Set(Status.Format, e.Message),
        OrtException => LastError.Set(Status.Internal, e.Message),
        _ => LastError.FromException(e),
    };
}
