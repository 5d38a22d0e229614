using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using RagKernels.Native.Bench;

namespace RagKernels.Native.Exports;

/// <summary>Exports used only by the benchmark report.</summary>
internal static unsafe class BenchExports
{
    /// <summary>
    /// <c>int32_t rk_bench_kernel(const uint8_t* name, int64_t name_length, int64_t warmup,
    /// double* nanoseconds, int64_t count)</c>: runs the C# workload called <c>name</c> (UTF-8)
    /// <c>warmup</c> times, then <c>count</c> timed times, writing each call's time in
    /// nanoseconds (timer cost subtracted) into the caller's array. Status: RK_OK,
    /// RK_NOT_FOUND (no such workload), RK_NULL_POINTER, RK_INVALID_ARGUMENT, RK_INVALID_UTF8.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bench_kernel", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkBenchKernel(byte* name, long nameLength, long warmup, double* nanoseconds, long count)
    {
        try
        {
            if (name == null && nameLength > 0)
            {
                return LastError.NullPointer("name");
            }
            if (nanoseconds == null && count > 0)
            {
                return LastError.NullPointer("nanoseconds");
            }
            if (nameLength < 0 || nameLength > 1024 || warmup < 0 || warmup > int.MaxValue || count < 0 || count > int.MaxValue)
            {
                return LastError.InvalidArgument("name_length must be 0..1024, warmup and count 0..2^31-1");
            }
            string kernel;
            try
            {
                kernel = new UTF8Encoding(false, true).GetString(name, (int)nameLength);
            }
            catch (DecoderFallbackException)
            {
                return LastError.Set(Status.InvalidUtf8, "name is not valid UTF-8");
            }
            if (!BenchWorkloads.Exists(kernel))
            {
                return LastError.Set(Status.NotFound, $"no C# benchmark workload named '{kernel}'");
            }
            BenchWorkloads.Run(kernel, (int)warmup, new Span<double>(nanoseconds, (int)count));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }
}
