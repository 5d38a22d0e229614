using System.Runtime.InteropServices;

namespace RagKernels.Native;

/// <summary><c>rk_text</c> of ragkernels.h: one text of a gathered batch, in UTF-8 or in one of
/// the fixed-width forms a Python str keeps (PEP 393), borrowed for the call.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RkText
{
    /// <summary>RK_TEXT_UTF8: <see cref="Length"/> bytes of UTF-8.</summary>
    public const int Utf8 = 0;

    /// <summary>RK_TEXT_LATIN1, RK_TEXT_UCS2, RK_TEXT_UCS4: <see cref="Length"/> code points of
    /// this many bytes each (see RagKernels.Text.Utf8FromCodePoints).</summary>
    public const int Latin1 = 1, Ucs2 = 2, Ucs4 = 4;

    public void* Data;
    public long Length;
    public int Encoding;
    public int Reserved;
}
