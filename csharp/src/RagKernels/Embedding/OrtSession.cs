using System;
using System.IO;
using System.Runtime.InteropServices;

namespace RagKernels.Embedding;

/// <summary>
/// An ONNX Runtime inference session for a BERT-style encoder: int64 inputs
/// <c>input_ids</c>, <c>attention_mask</c> and (when the model has it) <c>token_type_ids</c>,
/// shaped [batch, sequence]; one float output [batch, sequence, hidden]
/// (<c>last_hidden_state</c> or <c>token_embeddings</c> when present, else the first).
/// </summary>
/// <remarks>ORT's Run is thread-safe. Dispose may race with Run (a Python finaliser against
/// a call on another thread): every Run holds a reference, and the session is released
/// exactly once, by whichever of Dispose or the last Run finishes last.</remarks>
public sealed unsafe class OrtSession : IDisposable
{
    private readonly OrtApi _ort;

    /// <summary>The ONNX Runtime this session runs on.</summary>
    internal OrtApi Ort => _ort;
    private readonly object _gate = new();
    private nint _session;
    private int _active;
    private bool _disposed;

    // Input and output names as NUL-terminated UTF-8, in native memory so their addresses
    // stay valid for every Run without pinning.
    private byte** _inputNames;
    private byte** _outputName;
    private readonly int _inputCount;
    private readonly bool _hasTokenTypes;

    public OrtSession(OrtApi ort, string modelPath, int intraOpThreads)
    {
        _ort = ort;
        _session = ort.CreateSession(modelPath, intraOpThreads);
        try
        {
            string[] inputs = ort.SessionNames(_session, outputs: false);
            string[] outputs = ort.SessionNames(_session, outputs: true);
            if (Array.IndexOf(inputs, "input_ids") < 0 || Array.IndexOf(inputs, "attention_mask") < 0)
            {
                throw new InvalidDataException(
                    $"{modelPath}: the model's inputs are [{string.Join(", ", inputs)}]; a BERT encoder with input_ids and attention_mask is needed");
            }
            foreach (string name in inputs)
            {
                if (name is not ("input_ids" or "attention_mask" or "token_type_ids"))
                {
                    throw new InvalidDataException($"{modelPath}: unsupported model input '{name}' (supported: input_ids, attention_mask, token_type_ids)");
                }
            }
            if (outputs.Length == 0)
            {
                throw new InvalidDataException($"{modelPath}: the model has no outputs");
            }
            _hasTokenTypes = Array.IndexOf(inputs, "token_type_ids") >= 0;
            _inputCount = _hasTokenTypes ? 3 : 2;
            string output = Array.IndexOf(outputs, "last_hidden_state") >= 0 ? "last_hidden_state"
                : Array.IndexOf(outputs, "token_embeddings") >= 0 ? "token_embeddings" : outputs[0];
            _inputNames = (byte**)NativeMemory.AllocZeroed(3, (nuint)sizeof(byte*));
            _outputName = (byte**)NativeMemory.AllocZeroed(1, (nuint)sizeof(byte*));
            _inputNames[0] = NativeString("input_ids");
            _inputNames[1] = NativeString("attention_mask");
            _inputNames[2] = NativeString("token_type_ids");
            _outputName[0] = NativeString(output);
        }
        catch
        {
            FreeNames();
            ort.ReleaseSession(_session);
            _session = 0;
            throw;
        }
    }

    /// <summary>Runs a batch of <paramref name="rows"/> × <paramref name="columns"/> tokens (the
    /// arrays must stay pinned during the call). The returned output [rows, columns, hidden] is
    /// valid, and the session kept alive, until it is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public OrtOutput Run(long* ids, long* mask, long* types, int rows, int columns, nint runOptions = 0)
    {
        Acquire();
        nint output = 0;
        nint* values = stackalloc nint[3];
        values[0] = values[1] = values[2] = 0;
        try
        {
            values[0] = _ort.CreateInt64Tensor(ids, rows, columns);
            values[1] = _ort.CreateInt64Tensor(mask, rows, columns);
            if (_hasTokenTypes)
            {
                values[2] = _ort.CreateInt64Tensor(types, rows, columns);
            }
            _ort.Run(_session, _inputNames, values, _inputCount, _outputName, &output, runOptions);
            Span<long> shape = stackalloc long[8];
            float* data = _ort.FloatTensor(output, shape, out int rank);
            if (rank != 3 || shape[0] != rows || shape[1] != columns)
            {
                throw new InvalidDataException(
                    $"the model's output has shape [{string.Join(", ", shape[..rank].ToArray())}]; [batch={rows}, sequence={columns}, hidden] is needed");
            }
            var result = new OrtOutput(this, output, data, (int)shape[2]);
            output = 0;
            return result;
        }
        catch
        {
            _ort.ReleaseValue(output);
            ReleaseReference();
            throw;
        }
        finally
        {
            _ort.ReleaseValue(values[0]);
            _ort.ReleaseValue(values[1]);
            _ort.ReleaseValue(values[2]);
        }
    }

    /// <summary>A batch's output, owned by ORT until disposed.</summary>
    public readonly struct OrtOutput(OrtSession session, nint value, float* data, int hiddenSize) : IDisposable
    {
        public float* Data { get; } = data;
        public int HiddenSize { get; } = hiddenSize;

        public void Dispose()
        {
            session._ort.ReleaseValue(value);
            session.ReleaseReference();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (_active == 0)
            {
                ReleaseNative();
            }
        }
    }

    private void Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _active++;
        }
    }

    private void ReleaseReference()
    {
        lock (_gate)
        {
            if (--_active == 0 && _disposed)
            {
                ReleaseNative();
            }
        }
    }

    // Called under _gate, once: _session is zeroed so no second release can happen.
    private void ReleaseNative()
    {
        _ort.ReleaseSession(_session);
        _session = 0;
        FreeNames();
    }

    private void FreeNames()
    {
        if (_inputNames != null)
        {
            for (int i = 0; i < 3; i++)
            {
                NativeMemory.Free(_inputNames[i]);
            }
            NativeMemory.Free(_inputNames);
            _inputNames = null;
        }
        if (_outputName != null)
        {
            NativeMemory.Free(_outputName[0]);
            NativeMemory.Free(_outputName);
            _outputName = null;
        }
    }

    private static byte* NativeString(string text)
    {
        byte[] bytes = OrtApi.Utf8Z(text);
        byte* copy = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(copy, bytes.Length));
        return copy;
    }
}
