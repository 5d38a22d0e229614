using System.Runtime.InteropServices;

namespace RagKernels.Native;

/// <summary><c>rk_span</c> of ragkernels.h: one UTF-8 text of a gathered batch (pointer + byte
/// length), borrowed for the call.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RkSpan
{
    public byte* Data;
    public long Length;
}
