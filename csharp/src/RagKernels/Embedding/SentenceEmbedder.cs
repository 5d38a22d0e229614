using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace RagKernels.Embedding;

/// <summary>Options of a <see cref="SentenceEmbedder"/>.</summary>
/// <param name="MaxLength">Tokens per text with [CLS]/[SEP]; 0 = the folder's max_seq_length.</param>
/// <param name="Threads">ORT intra-op threads; 0 = ORT's default (one per physical core).</param>
/// <param name="Normalize">L2-normalise each vector.</param>
/// <param name="TokenizerOnly">Read only the tokenizer side (no model, no ONNX Runtime).</param>
/// <param name="RuntimePaths">Where to look for ONNX Runtime first (see <see cref="OrtApi.Get"/>).</param>
public readonly record struct EmbedderOptions(int MaxLength, int Threads, bool Normalize, bool TokenizerOnly, IReadOnlyList<string> RuntimePaths);

/// <summary>
/// Sentence embeddings from a sentence-transformers folder: tokenize, sort the texts by token
/// count, run batches padded to their longest text (not to the maximum) through ONNX Runtime,
/// pool, optionally normalise, and write each vector into its caller-order row.
/// </summary>
public sealed unsafe class SentenceEmbedder : IDisposable
{
    private readonly ModelFolder _folder;
    private readonly OrtSession? _session;
    private readonly bool _normalize;
    private int _dimension;

    public BertTokenizer Tokenizer => _folder.Tokenizer;
    public int MaxLength => _folder.MaxLength;
    /// <summary>The vector size (0 for a tokenizer-only instance whose folder declares none).</summary>
    public int Dimension => _dimension;
    /// <summary>True when opened without a model (tokenization only).</summary>
    public bool TokenizerOnly => _session is null;

    public SentenceEmbedder(string directory, EmbedderOptions options)
    {
        if (options.Threads < 0 || options.Threads > 1024)
        {
            throw new ArgumentException($"threads must be between 0 and 1024, got {options.Threads}");
        }
        _folder = new ModelFolder(directory, options.MaxLength, requireModel: !options.TokenizerOnly);
        _normalize = options.Normalize;
        _dimension = _folder.DeclaredDimension;
        if (!options.TokenizerOnly)
        {
            OrtApi ort = OrtApi.Get(options.RuntimePaths);
            _session = new OrtSession(ort, _folder.ModelPath!, options.Threads);
            if (_dimension <= 0)
            {
                // No configuration says the size: run [CLS] [SEP] once to learn it.
                long* probe = stackalloc long[] { Tokenizer.ClsId, Tokenizer.SepId, 1, 1, 0, 0 };
                using OrtSession.OrtOutput result = _session.Run(probe, probe + 2, probe + 4, 1, 2);
                _dimension = result.HiddenSize;
            }
        }
    }

    /// <summary>
    /// Embeds texts[i] = utf8[offsets[i]..offsets[i + 1]] (valid UTF-8, checked by the caller)
    /// into rows of <paramref name="output"/> (count × Dimension floats). Returns the
    /// nanoseconds spent inside ORT's Run, so callers can see what the rest costs.
    /// </summary>
    public long Embed(ReadOnlySpan<byte> utf8, ReadOnlySpan<long> offsets, int batchSize, Span<float> output) =>
        Embed(utf8, offsets, batchSize, output, null);

    /// <summary>A <see cref="RunCancellation"/> for this embedder's runtime (dispose it after the
    /// call); <paramref name="requested"/> as in its constructor.</summary>
    public RunCancellation CreateCancellation(Func<bool>? requested = null) =>
        _session is null
            ? throw new InvalidOperationException("this embedder was opened for tokenization only")
            : new RunCancellation(_session.Ort, requested);

    /// <summary>
    /// <see cref="Embed(ReadOnlySpan{byte}, ReadOnlySpan{long}, int, Span{float})"/> that stops
    /// early, throwing <see cref="OperationCanceledException"/> (output then unspecified), once
    /// <paramref name="cancellation"/> is cancelled: before the next batch, or inside ORT's Run
    /// of the batch under way. Null = never cancelled.
    /// </summary>
    public long Embed(ReadOnlySpan<byte> utf8, ReadOnlySpan<long> offsets, int batchSize, Span<float> output,
        RunCancellation? cancellation)
    {
        if (_session is null)
        {
            throw new InvalidOperationException("this embedder was opened for tokenization only");
        }
        int count = offsets.Length - 1;
        int dim = _dimension;
        if (count <= 0)
        {
            return 0;
        }
        int maxLength = MaxLength;
        // Token ids of every text, each in a maxLength-wide slot: texts are few enough per call
        // (the Python side chunks large inputs) that this is simpler than a growable buffer.
        int[] ids = ArrayPool<int>.Shared.Rent(checked(count * maxLength));
        int[] lengths = ArrayPool<int>.Shared.Rent(count);
        int[] order = ArrayPool<int>.Shared.Rent(count);
        long[] batch = [];
        long runTicks = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> text = utf8[(int)offsets[i]..(int)offsets[i + 1]];
                lengths[i] = Tokenizer.Encode(text, ids.AsSpan(i * maxLength, maxLength), maxLength);
                order[i] = i;
            }
            // Longest first: similar lengths share a batch, so little padding is computed.
            int[] lengthsRef = lengths;
            order.AsSpan(0, count).Sort((a, b) => lengthsRef[b] != lengthsRef[a] ? lengthsRef[b] - lengthsRef[a] : a - b);

            int widest = lengths[order[0]];
            batch = ArrayPool<long>.Shared.Rent(3 * Math.Min(batchSize, count) * widest);
            for (int first = 0; first < count; first += batchSize)
            {
                int rows = Math.Min(batchSize, count - first);
                int columns = lengths[order[first]];
                int cells = rows * columns;
                Span<long> inputIds = batch.AsSpan(0, cells);
                Span<long> mask = batch.AsSpan(cells, cells);
                Span<long> types = batch.AsSpan(2 * cells, cells);
                types.Clear();
                for (int r = 0; r < rows; r++)
                {
                    int text = order[first + r];
                    int length = lengths[text];
                    ReadOnlySpan<int> source = ids.AsSpan(text * maxLength, length);
                    Span<long> rowIds = inputIds.Slice(r * columns, columns);
                    Span<long> rowMask = mask.Slice(r * columns, columns);
                    for (int t = 0; t < length; t++)
                    {
                        rowIds[t] = source[t];
                    }
                    rowIds[length..].Fill(Tokenizer.PadId);
                    rowMask[..length].Fill(1);
                    rowMask[length..].Clear();
                }
                if (cancellation is not null && cancellation.IsCancelled)
                {
                    throw new OperationCanceledException("embed was cancelled");
                }
                long start = Stopwatch.GetTimestamp();
                fixed (long* p = batch)
                {
                    using OrtSession.OrtOutput result = RunBatch(p, cells, rows, columns, cancellation);
                    runTicks += Stopwatch.GetTimestamp() - start;
                    if (result.HiddenSize != dim)
                    {
                        throw new InvalidDataException($"the model's output has hidden size {result.HiddenSize} but the folder declares dimension {dim}");
                    }
                    var hidden = new ReadOnlySpan<float>(result.Data, checked(cells * dim));
                    for (int r = 0; r < rows; r++)
                    {
                        int text = order[first + r];
                        Span<float> vector = output.Slice(text * dim, dim);
                        Pooling.Pool(_folder.Pooling, hidden.Slice(r * columns * dim, columns * dim), lengths[text], vector);
                        if (_normalize)
                        {
                            Pooling.Normalize(vector);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(ids);
            ArrayPool<int>.Shared.Return(lengths);
            ArrayPool<int>.Shared.Return(order);
            if (batch.Length > 0)
            {
                ArrayPool<long>.Shared.Return(batch);
            }
        }
        return (long)(runTicks * (1e9 / Stopwatch.Frequency));
    }

    private OrtSession.OrtOutput RunBatch(long* p, int cells, int rows, int columns, RunCancellation? cancellation)
    {
        try
        {
            return _session!.Run(p, p + cells, p + 2 * cells, rows, columns, cancellation?.Options ?? 0);
        }
        catch (OrtException) when (cancellation is not null && cancellation.IsCancelled)
        {
            // ORT reports a terminated run as an error; the caller asked for it.
            throw new OperationCanceledException("embed was cancelled");
        }
    }

    public void Dispose() => _session?.Dispose();
}
