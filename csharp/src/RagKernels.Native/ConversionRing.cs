using System;
using RagKernels.Text;

namespace RagKernels.Native;

/// <summary>
/// The UTF-8 that CodeUnitTexts made of one side's (claims' or sources') latest texts on this
/// thread: two pinned buffers used in turn, kept for the thread's later calls.
/// </summary>
/// <remarks>
/// Why two, and why a text equal to the latest one is not converted again: RunPairs compares
/// each text with the one before it (and a source with the next one) to let the kernels reuse
/// what they made of it, and a kernel reusing it may still point into that earlier text.
/// A text with the latest one's contents is handed out as that very buffer, and a different one
/// goes into the other buffer, so the latest text stays intact and two different texts never
/// share an address (which would make them look the same). A kernel reuses what it made of a
/// text only while the texts that follow have the same contents, so it never points into the
/// buffer that is written next (or, through a run of equal texts passed in other forms, only into
/// one that is rewritten with the same bytes).
/// </remarks>
internal sealed unsafe class ConversionRing
{
    /// <summary>Bytes readable past a converted text: as SignalScratch.Slack, what the kernels'
    /// block reads need.</summary>
    private const int Slack = 64;

    /// <summary>The most code points of this width whose UTF-8, plus the slack, fits one buffer.</summary>
    public static long MaxCodePoints(int width) => (Array.MaxLength - Slack) / Utf8FromCodePoints.MaxBytes(1, width);

    [ThreadStatic]
    private static ConversionRing? t_claims;

    [ThreadStatic]
    private static ConversionRing? t_sources;

    public static ConversionRing Claims => t_claims ??= new ConversionRing();

    public static ConversionRing Sources => t_sources ??= new ConversionRing();

    private readonly byte[][] _buffers = [NewBuffer(1024), NewBuffer(1024)];
    private int _latest = -1; // the buffer holding the latest conversion; -1: none
    private RkText _latestText; // what it was made from (readable while the call that gave it runs)
    private int _latestLength; // its UTF-8 bytes

    /// <summary>A new call starts: its texts are never taken for the last call's.</summary>
    public void Forget() => _latest = -1;

    /// <summary>The UTF-8 of <paramref name="text"/> (fixed-width code points), how many bytes
    /// after it may be read, and whether it has a UTF-8 form at all (else an empty span).</summary>
    public ReadOnlySpan<byte> Convert(RkText* text, out int slack, out bool converted)
    {
        int index;
        if (_latest >= 0 && SameAsLatest(text))
        {
            index = _latest;
        }
        else
        {
            index = _latest < 0 ? 0 : 1 - _latest;
            int needed = (int)Utf8FromCodePoints.MaxBytes(text->Length, text->Encoding) + Slack;
            if (_buffers[index].Length < needed)
            {
                _buffers[index] = NewBuffer(Math.Max(needed, _buffers[index].Length * 2L));
            }
            int written = Utf8FromCodePoints.Convert(text->Data, (int)text->Length, text->Encoding, Start(index));
            if (written < 0)
            {
                slack = 0;
                converted = false;
                return default; // the latest buffer is untouched
            }
            _latest = index;
            _latestText = *text;
            _latestLength = written;
        }
        slack = _buffers[index].Length - _latestLength;
        converted = true;
        return new ReadOnlySpan<byte>(Start(index), _latestLength);
    }

    /// <summary>Whether <paramref name="text"/> holds the code points the latest converted one
    /// held: the same memory, or equal code points (of any widths: a C caller may pass one text
    /// in two forms; a Python str of given contents always has one).</summary>
    private bool SameAsLatest(RkText* text)
    {
        if (text->Length != _latestText.Length)
        {
            return false;
        }
        if (text->Encoding == _latestText.Encoding)
        {
            if (text->Data == _latestText.Data)
            {
                return true;
            }
            int bytes = (int)(text->Length * text->Encoding);
            return new ReadOnlySpan<byte>(text->Data, bytes).SequenceEqual(new ReadOnlySpan<byte>(_latestText.Data, bytes));
        }
        for (long i = 0; i < text->Length; i++)
        {
            if (CodePoint(text->Data, text->Encoding, i) != CodePoint(_latestText.Data, _latestText.Encoding, i))
            {
                return false;
            }
        }
        return true;
    }

    private static uint CodePoint(void* data, int width, long index) => width switch
    {
        1 => ((byte*)data)[index],
        2 => ((ushort*)data)[index],
        _ => ((uint*)data)[index],
    };

    private byte* Start(int index) => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _buffers[index][0]);

    // Pinned (the pinned object heap): the kernels keep pointers into a text during a call.
    private static byte[] NewBuffer(long length) =>
        GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, length), pinned: true);
}
