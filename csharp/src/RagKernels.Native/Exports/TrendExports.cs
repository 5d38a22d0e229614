using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RagKernels.Signals;

namespace RagKernels.Native.Exports;

/// <summary>trend_drop and the streaming trend window (shared/spec/signals.md).</summary>
internal static unsafe class TrendExports
{
    /// <summary>
    /// <c>int32_t rk_signal_trend_drop(const double* values, int64_t count, double* result)</c>:
    /// trend_drop of <c>count</c> doubles. <c>values</c> is borrowed for the call and may be
    /// NULL when <c>count</c> is 0. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT
    /// (negative or too large count).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_signal_trend_drop", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkSignalTrendDrop(double* values, long count, double* result)
    {
        try
        {
            if (result == null)
            {
                return LastError.NullPointer("result");
            }
            if (count < 0 || count > int.MaxValue)
            {
                return LastError.InvalidArgument($"count must be between 0 and {int.MaxValue}, got {count}");
            }
            if (values == null && count > 0)
            {
                return LastError.NullPointer("values");
            }
            *result = TrendDrop.Compute(new ReadOnlySpan<double>(values, (int)count));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_trend_window_create(int64_t size, uint64_t* handle)</c>: creates an empty
    /// window of <c>size</c> scores (1 ≤ size ≤ 1,048,576). The caller owns the handle and
    /// frees it with rk_trend_window_free. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_trend_window_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkTrendWindowCreate(long size, ulong* handle)
    {
        try
        {
            if (handle == null)
            {
                return LastError.NullPointer("handle");
            }
            if (size < 1 || size > TrendWindow.MaxSize)
            {
                return LastError.InvalidArgument($"window size must be between 1 and {TrendWindow.MaxSize}, got {size}");
            }
            *handle = HandleTable.Add(HandleKind.TrendWindow, new TrendWindow((int)size));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_trend_window_push(uint64_t handle, double score, double* drop)</c>: appends
    /// a score and stores trend_drop of the window's scores (oldest first) in <c>*drop</c>.
    /// Pushes on one window are serialised. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_HANDLE.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_trend_window_push", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkTrendWindowPush(ulong handle, double score, double* drop)
    {
        try
        {
            if (drop == null)
            {
                return LastError.NullPointer("drop");
            }
            if (!HandleTable.TryGet(handle, HandleKind.TrendWindow, out TrendWindow window))
            {
                return LastError.InvalidHandle("trend window");
            }
            lock (window)
            {
                *drop = window.Push(score);
            }
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary><c>int32_t rk_trend_window_reset(uint64_t handle)</c>: empties the window.
    /// Status: RK_OK, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_trend_window_reset", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkTrendWindowReset(ulong handle)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.TrendWindow, out TrendWindow window))
            {
                return LastError.InvalidHandle("trend window");
            }
            lock (window)
            {
                window.Reset();
            }
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }

    /// <summary><c>int32_t rk_trend_window_free(uint64_t handle)</c>: frees the window; the
    /// handle is invalid afterwards. Freeing twice returns RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_trend_window_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int RkTrendWindowFree(ulong handle)
    {
        try
        {
            return HandleTable.TryRemove(handle, HandleKind.TrendWindow, out TrendWindow _)
                ? Status.Ok
                : LastError.InvalidHandle("trend window");
        }
        catch (Exception e)
        {
            return LastError.FromException(e);
        }
    }
}
