using System;
using System.Collections.Generic;
using System.IO;

namespace RagKernels.Native;

/// <summary>
/// The per-thread message of the last failed call, read back through rk_last_error_message.
/// Each shim returns the status these helpers return, so recording an error and reporting it
/// are one statement.
/// </summary>
internal static class LastError
{
    [ThreadStatic]
    private static string? t_message;

    public static string Message => t_message ?? "";

    public static int Set(int status, string message)
    {
        t_message = message;
        return status;
    }

    public static int InvalidArgument(string message) => Set(Status.InvalidArgument, message);

    public static int NullPointer(string argument) => Set(Status.NullPointer, $"{argument} must not be NULL");

    public static int InvalidHandle(string what) => Set(Status.InvalidHandle, $"invalid {what} handle (closed, freed, or not a {what})");

    /// <summary>Maps an exception that reached a shim to a status. Nothing may escape an export:
    /// under NativeAOT an unhandled exception terminates the host process.</summary>
    public static int FromException(Exception e)
    {
        int status = e switch
        {
            OutOfMemoryException or InsufficientExecutionStackException => Status.OutOfMemory,
            KeyNotFoundException => Status.NotFound,
            ObjectDisposedException => Status.InvalidHandle,
            InvalidDataException => Status.Format,
            FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException => Status.Io,
            OperationCanceledException => Status.Cancelled,
            ArgumentException or FormatException or OverflowException => Status.InvalidArgument,
            _ => Status.Internal,
        };
        string message = status == Status.Internal ? $"{e.GetType().Name}: {e.Message}" : e.Message;
        return Set(status, message);
    }
}
