using System;
using System.Text;
using RagKernels.Native;
using RagKernels.Native.Exports;
using Xunit;

namespace RagKernels.Tests;

/// <summary>The exports called the way a C caller calls them: through unmanaged function pointers.</summary>
public unsafe class ExportTests
{
    private static string LastErrorMessage()
    {
        delegate* unmanaged[Cdecl]<byte*, long, long*, int> read = &CoreExports.RkLastErrorMessage;
        long needed;
        Assert.Equal(Status.BufferTooSmall == read(null, 0, &needed) ? Status.BufferTooSmall : Status.Ok, read(null, 0, &needed));
        var buffer = new byte[needed];
        fixed (byte* p = buffer)
        {
            Assert.Equal(Status.Ok, read(p, buffer.Length, &needed));
        }
        return Encoding.UTF8.GetString(buffer);
    }

    [Fact]
    public void AbiVersionIsTheHeadersVersion()
    {
        delegate* unmanaged[Cdecl]<int> version = &CoreExports.RkAbiVersion;
        Assert.Equal(CoreExports.AbiVersion, version());
    }

    [Fact]
    public void TrendDropExportReportsBadArguments()
    {
        delegate* unmanaged[Cdecl]<double*, long, double*, int> trendDrop = &TrendExports.RkSignalTrendDrop;
        double result;
        Assert.Equal(Status.InvalidArgument, trendDrop(null, -1, &result));
        Assert.Contains("count must be between", LastErrorMessage());
        Assert.Equal(Status.NullPointer, trendDrop(null, 2, &result));
        Assert.Equal("values must not be NULL", LastErrorMessage());
        double[] values = [0.8, 0.2];
        fixed (double* p = values)
        {
            Assert.Equal(Status.NullPointer, trendDrop(p, 2, null));
            Assert.Equal(Status.Ok, trendDrop(p, 2, &result));
        }
        Assert.Equal(0.6000000000000001, result);
    }

    [Fact]
    public void WindowHandlesSurviveMisuse()
    {
        delegate* unmanaged[Cdecl]<long, ulong*, int> create = &TrendExports.RkTrendWindowCreate;
        delegate* unmanaged[Cdecl]<ulong, double, double*, int> push = &TrendExports.RkTrendWindowPush;
        delegate* unmanaged[Cdecl]<ulong, int> free = &TrendExports.RkTrendWindowFree;
        ulong handle;
        Assert.Equal(Status.Ok, create(5, &handle));
        double drop;
        Assert.Equal(Status.Ok, push(handle, 0.9, &drop));
        Assert.Equal(Status.Ok, push(handle, 0.1, &drop));
        Assert.Equal(0.8, drop, 15);
        foreach (ulong forged in new[] { 0UL, ulong.MaxValue, handle + 1, handle ^ (1UL << 33), handle & 0xFFFF_FFFF })
        {
            Assert.Equal(Status.InvalidHandle, push(forged, 0.5, &drop));
            Assert.Equal(Status.InvalidHandle, free(forged));
        }
        Assert.Equal(Status.Ok, free(handle));
        Assert.Equal(Status.InvalidHandle, free(handle));
        Assert.Equal(Status.InvalidHandle, push(handle, 0.5, &drop));
        Assert.Contains("invalid trend window handle", LastErrorMessage());
    }
}
