using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace RagKernels.Native.Exports;

/// <summary>Exports every caller needs: the ABI version, the last error, and an empty call.</summary>
internal static unsafe class CoreExports
{
    /// <summary>The ABI version this library implements. Bump it whenever an export is added,
    /// removed or changes its meaning; the Python package refuses a library whose version
    /// differs from the one in ragkernels.h (RK_ABI_VERSION).</summary>
    public const int AbiVersion = 6;

    /// <summary><c>int32_t rk_abi_version(void)</c>: returns <see cref="AbiVersion"/>. The one
    /// export that returns a value instead of a status: it cannot fail.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_abi_version", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkAbiVersion() => AbiVersion;

    /// <summary>
    /// <c>int32_t rk_last_error_message(uint8_t* buffer, int64_t capacity, int64_t* needed)</c>:
    /// copies the calling thread's last error message as UTF-8 (no terminating NUL) into the
    /// caller's buffer and stores its length in <c>*needed</c>. Returns RK_BUFFER_TOO_SMALL,
    /// copying nothing, when <c>capacity &lt; *needed</c>. <c>buffer</c> may be NULL when
    /// <c>capacity</c> is 0.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_last_error_message", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkLastErrorMessage(byte* buffer, long capacity, long* needed)
    {
        try
        {
            if (needed == null)
            {
                return Status.NullPointer;
            }
            string message = LastError.Message;
            int length = Encoding.UTF8.GetByteCount(message);
            *needed = length;
            if (capacity < length)
            {
                return Status.BufferTooSmall;
            }
            if (length > 0)
            {
                if (buffer == null)
                {
                    return Status.NullPointer;
                }
                Encoding.UTF8.GetBytes(message, new Span<byte>(buffer, length));
            }
            return Status.Ok;
        }
        catch (Exception)
        {
            // Reporting an error must not overwrite the error being reported.
            return Status.Internal;
        }
    }

    /// <summary>
    /// <c>int32_t rk_build_info(uint8_t* buffer, int64_t capacity, int64_t* needed)</c>: copies
    /// a one-line description of the build (runtime, target, ABI version) as UTF-8 without NUL,
    /// with the same buffer protocol as rk_last_error_message.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_build_info", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkBuildInfo(byte* buffer, long capacity, long* needed)
    {
        try
        {
            if (needed == null)
            {
                return LastError.NullPointer("needed");
            }
            string info = $"{RuntimeInformation.FrameworkDescription} NativeAOT; {RuntimeInformation.RuntimeIdentifier}; ABI {AbiVersion}";
            int length = Encoding.UTF8.GetByteCount(info);
            *needed = length;
            if (capacity < length)
            {
                return LastError.Set(Status.BufferTooSmall, $"buffer of {capacity} bytes is too small, {length} needed");
            }
            if (buffer == null)
            {
                return LastError.NullPointer("buffer");
            }
            Encoding.UTF8.GetBytes(info, new Span<byte>(buffer, length));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary><c>int32_t rk_bench_noop(void)</c>: does nothing and returns RK_OK. Benchmarks
    /// call it to measure the cost of crossing the boundary (the FFI floor).</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bench_noop", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkBenchNoop() => Status.Ok;
}
