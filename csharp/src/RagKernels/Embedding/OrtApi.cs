using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace RagKernels.Embedding;

/// <summary>ONNX Runtime could not be found or loaded; the message lists where it was looked for.</summary>
public sealed class OnnxRuntimeNotFoundException(string message) : Exception(message);

/// <summary>ONNX Runtime returned an error status; <see cref="Code"/> is its OrtErrorCode and the
/// message is ORT's own.</summary>
public sealed class OrtException(int code, string message) : Exception(message)
{
    public const int NoSuchFile = 3, NoModel = 4, InvalidProtobuf = 7, InvalidGraph = 10, InvalidArgument = 2;

    /// <summary>OrtErrorCode: 1 FAIL, 2 INVALID_ARGUMENT, 3 NO_SUCHFILE, 4 NO_MODEL, 5 ENGINE_ERROR,
    /// 6 RUNTIME_EXCEPTION, 7 INVALID_PROTOBUF, 8 MODEL_LOADED, 9 NOT_IMPLEMENTED, 10 INVALID_GRAPH.</summary>
    public int Code { get; } = code;
}

/// <summary>
/// A hand-written binding of the few ONNX Runtime C API functions we need (the NuGet package
/// Microsoft.ML.OnnxRuntime cannot be used here, and it would drag reflection-based marshalling
/// into a NativeAOT library). The library is loaded at run time; <c>OrtGetApiBase()->GetApi(v)</c>
/// returns ORT's function table, whose slots (0-based, append-only across versions) are called
/// through C# function pointers. Slot numbers: shared/design/RECIPES.md, onnxruntime_c_api.h.
/// </summary>
/// <remarks>One instance per process: ORT allows one library and recommends one OrtEnv, so the
/// environment and the CPU memory description live as long as the process.</remarks>
public sealed unsafe class OrtApi
{
    /// <summary>The newest API version this binding was written against (ORT 1.22).</summary>
    public const uint ApiVersion = 22;

    private const int ElementFloat = 1, ElementInt64 = 7;

    private static readonly object s_lock = new();
    private static OrtApi? s_instance;

    private readonly void** _api;

    /// <summary>Where the library was loaded from (the name given to the loader).</summary>
    public string LibraryPath { get; }

    /// <summary>ORT's version string, e.g. "1.22.0".</summary>
    public string Version { get; }

    internal nint Env { get; }

    internal nint CpuMemory { get; }

    private OrtApi(string path, void** api, string version)
    {
        LibraryPath = path;
        _api = api;
        Version = version;
        nint env;
        fixed (byte* logId = "ragkernels\0"u8)
        {
            Check(((delegate* unmanaged[Cdecl]<int, byte*, nint*, nint>)_api[3])(3 /* ERROR */, logId, &env));
        }
        Env = env;
        nint memory;
        Check(((delegate* unmanaged[Cdecl]<int, int, nint*, nint>)_api[69])(1 /* arena */, 0 /* default */, &memory));
        CpuMemory = memory;
    }

    /// <summary>
    /// The process's ONNX Runtime, loading it on first use from the first of: each path in
    /// <paramref name="candidates"/> (the caller's explicit path, then its own finds), or, when
    /// none are given, RAGKERNELS_ONNXRUNTIME; then the system library path.
    /// Later calls return the runtime already loaded (a process can hold only one).
    /// </summary>
    /// <exception cref="OnnxRuntimeNotFoundException">No candidate could be loaded.</exception>
    public static OrtApi Get(IReadOnlyList<string> candidates)
    {
        lock (s_lock)
        {
            return s_instance ??= Load(candidates);
        }
    }

    private static OrtApi Load(IReadOnlyList<string> candidates)
    {
        var names = new List<string>();
        foreach (string path in candidates)
        {
            if (!string.IsNullOrWhiteSpace(path))
            {
                names.Add(path);
            }
        }
        if (names.Count == 0 && Environment.GetEnvironmentVariable("RAGKERNELS_ONNXRUNTIME") is { Length: > 0 } fromEnvironment)
        {
            names.Add(fromEnvironment);
        }
        names.AddRange(OperatingSystem.IsWindows() ? ["onnxruntime.dll"]
            : OperatingSystem.IsMacOS() ? ["libonnxruntime.dylib"]
            : ["libonnxruntime.so.1", "libonnxruntime.so"]);

        var reasons = new List<string>();
        foreach (string name in names)
        {
            bool isPath = name.Contains('/') || name.Contains('\\');
            if (isPath && !File.Exists(name))
            {
                reasons.Add($"{name}: no such file");
                continue;
            }
            if (!NativeLibrary.TryLoad(name, out nint library))
            {
                reasons.Add($"{name}: cannot be loaded" + (isPath ? "" : " from the system library path"));
                continue;
            }
            if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out nint getApiBase))
            {
                reasons.Add($"{name}: does not export OrtGetApiBase (not ONNX Runtime)");
                continue;
            }
            void** apiBase = ((delegate* unmanaged[Cdecl]<void**>)getApiBase)();
            string version = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged[Cdecl]<byte*>)apiBase[1])()) ?? "?";
            // Every slot we call exists since API 11 (ORT 1.11); ask for the newest we know first.
            for (uint v = ApiVersion; v >= 11; v--)
            {
                void** api = ((delegate* unmanaged[Cdecl]<uint, void**>)apiBase[0])(v);
                if (api != null)
                {
                    return new OrtApi(name, api, version);
                }
            }
            reasons.Add($"{name}: ONNX Runtime {version} supports none of the API versions 11..{ApiVersion}");
        }
        throw new OnnxRuntimeNotFoundException(
            "ONNX Runtime not found (install the 'onnxruntime' Python package, rebuild ragkernels so that "
            + "its build places libonnxruntime in the package, or set RAGKERNELS_ONNXRUNTIME to the library's path): "
            + string.Join("; ", reasons));
    }

    /// <summary>Throws <see cref="OrtException"/> with ORT's message when <paramref name="status"/>
    /// is not NULL, releasing the status.</summary>
    internal void Check(nint status)
    {
        if (status == 0)
        {
            return;
        }
        int code = ((delegate* unmanaged[Cdecl]<nint, int>)_api[1])(status);
        string message = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint, nint>)_api[2])(status)) ?? "";
        ((delegate* unmanaged[Cdecl]<nint, void>)_api[93])(status);
        throw new OrtException(code, "onnxruntime: " + message);
    }

    internal nint CreateSession(string modelPath, int intraOpThreads)
    {
        nint options;
        Check(((delegate* unmanaged[Cdecl]<nint*, nint>)_api[10])(&options));
        try
        {
            Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_api[23])(options, 99 /* ENABLE_ALL */));
            Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_api[24])(options, intraOpThreads));
            // Batches run one at a time, so parallelism comes from inside the operators.
            Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_api[25])(options, 1));
            byte[] path = Utf8Z(modelPath);
            nint session;
            fixed (byte* p = path)
            {
                Check(((delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint>)_api[7])(Env, p, options, &session));
            }
            return session;
        }
        finally
        {
            ((delegate* unmanaged[Cdecl]<nint, void>)_api[100])(options);
        }
    }

    /// <summary>The names of a session's inputs (<paramref name="outputs"/> false) or outputs.</summary>
    internal string[] SessionNames(nint session, bool outputs)
    {
        nuint count;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_api[outputs ? 31 : 30])(session, &count));
        nint allocator;
        Check(((delegate* unmanaged[Cdecl]<nint*, nint>)_api[78])(&allocator));
        var names = new string[(int)count];
        for (int i = 0; i < names.Length; i++)
        {
            byte* name;
            Check(((delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)_api[outputs ? 37 : 36])(session, (nuint)i, allocator, &name));
            names[i] = Marshal.PtrToStringUTF8((nint)name) ?? "";
            Check(((delegate* unmanaged[Cdecl]<nint, void*, nint>)_api[76])(allocator, name));
        }
        return names;
    }

    /// <summary>An int64 tensor over caller memory (not copied: keep it pinned until released).</summary>
    internal nint CreateInt64Tensor(long* data, long rows, long columns)
    {
        long* shape = stackalloc long[2] { rows, columns };
        nint value;
        Check(((delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)_api[49])(
            CpuMemory, data, (nuint)(rows * columns * sizeof(long)), shape, 2, ElementInt64, &value));
        return value;
    }

    /// <summary>Runs the session; <paramref name="output"/> receives a value ORT allocated.
    /// <paramref name="runOptions"/>: 0 or an OrtRunOptions from <see cref="CreateRunOptions"/>.</summary>
    internal void Run(nint session, byte** inputNames, nint* inputs, int inputCount, byte** outputName, nint* output,
        nint runOptions = 0)
    {
        Check(((delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)_api[9])(
            session, runOptions, inputNames, inputs, (nuint)inputCount, outputName, 1, output));
    }

    // Run options (slots 39 CreateRunOptions, 46 RunOptionsSetTerminate, 97 ReleaseRunOptions;
    // onnxruntime_c_api.h, the same in API 11..23): a Run given options whose terminate flag
    // another thread sets stops early with an error status.

    /// <summary>A new OrtRunOptions; release it with <see cref="ReleaseRunOptions"/>.</summary>
    internal nint CreateRunOptions()
    {
        nint options;
        Check(((delegate* unmanaged[Cdecl]<nint*, nint>)_api[39])(&options));
        return options;
    }

    /// <summary>Makes every Run using <paramref name="options"/> stop as soon as it can
    /// (thread-safe: meant to be called while a Run is under way on another thread).</summary>
    internal void TerminateRuns(nint options) =>
        Check(((delegate* unmanaged[Cdecl]<nint, nint>)_api[46])(options));

    internal void ReleaseRunOptions(nint options)
    {
        if (options != 0)
        {
            ((delegate* unmanaged[Cdecl]<nint, void>)_api[97])(options);
        }
    }

    /// <summary>The float data and shape of a tensor value; throws for another element type.</summary>
    internal float* FloatTensor(nint value, Span<long> shape, out int rank)
    {
        nint info;
        Check(((delegate* unmanaged[Cdecl]<nint, nint*, nint>)_api[65])(value, &info));
        try
        {
            int type;
            Check(((delegate* unmanaged[Cdecl]<nint, int*, nint>)_api[60])(info, &type));
            if (type != ElementFloat)
            {
                throw new InvalidDataException($"the model's output has ONNX element type {type}; float32 (1) is needed");
            }
            nuint count;
            Check(((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_api[61])(info, &count));
            if ((int)count > shape.Length)
            {
                throw new InvalidDataException($"the model's output has rank {count}; 3 is needed");
            }
            rank = (int)count;
            fixed (long* dims = shape)
            {
                Check(((delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)_api[62])(info, dims, count));
            }
        }
        finally
        {
            ((delegate* unmanaged[Cdecl]<nint, void>)_api[99])(info);
        }
        void* data;
        Check(((delegate* unmanaged[Cdecl]<nint, void**, nint>)_api[51])(value, &data));
        return (float*)data;
    }

    internal void ReleaseValue(nint value)
    {
        if (value != 0)
        {
            ((delegate* unmanaged[Cdecl]<nint, void>)_api[96])(value);
        }
    }

    internal void ReleaseSession(nint session)
    {
        if (session != 0)
        {
            ((delegate* unmanaged[Cdecl]<nint, void>)_api[95])(session);
        }
    }

    internal static byte[] Utf8Z(string text)
    {
        byte[] bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text) + 1];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
