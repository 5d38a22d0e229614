using System;
using System.Threading;

namespace RagKernels.Embedding;

/// <summary>
/// Lets another thread stop a <see cref="SentenceEmbedder.Embed(ReadOnlySpan{byte}, ReadOnlySpan{long}, int, Span{float}, RunCancellation?)"/>
/// call early (Ctrl-C in Python): the call asks <see cref="IsCancelled"/> before each batch, and
/// the batch under way runs with this object's OrtRunOptions, whose terminate flag
/// <see cref="Cancel"/> sets, so ORT stops it too (one batch of a MiniLM-sized model can take
/// half a second). The call then throws <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class RunCancellation : IDisposable
{
    private readonly OrtApi _ort;
    private readonly Func<bool>? _requested;
    private readonly object _gate = new();
    private nint _options;
    private volatile bool _cancelled;

    /// <param name="ort">The runtime of the session that will run.</param>
    /// <param name="requested">Also counts as cancelled when this returns true (e.g. a flag the
    /// caller sets from another thread); null = only <see cref="Cancel"/>.</param>
    internal RunCancellation(OrtApi ort, Func<bool>? requested)
    {
        _ort = ort;
        _requested = requested;
        _options = ort.CreateRunOptions();
    }

    /// <summary>The OrtRunOptions to run with (0 once disposed).</summary>
    internal nint Options => _options;

    /// <summary>True once <see cref="Cancel"/> was called or the caller's flag is set.</summary>
    public bool IsCancelled => _cancelled || (_requested?.Invoke() ?? false);

    /// <summary>Stops the call: thread-safe, idempotent, harmless after the call ended.</summary>
    public void Cancel()
    {
        lock (_gate)
        {
            _cancelled = true;
            if (_options != 0)
            {
                _ort.TerminateRuns(_options);
            }
        }
    }

    /// <summary>Releases the run options; the call using them must have returned.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            nint options = _options;
            _options = 0;
            _ort.ReleaseRunOptions(options);
        }
    }
}
