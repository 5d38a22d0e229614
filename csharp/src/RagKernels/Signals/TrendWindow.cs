using System;

namespace RagKernels.Signals;

/// <summary>
/// A sliding window over a stream of coherence scores. <see cref="Push"/> returns exactly what
/// <see cref="TrendDrop.Compute"/> returns on the last <see cref="Size"/> scores (fewer while
/// the window fills), so a guard need not resend the window for every token.
/// </summary>
/// <remarks>Not thread-safe by itself; the C ABI serialises pushes on one window.</remarks>
public sealed class TrendWindow
{
    /// <summary>The largest window accepted: each push is O(size), so a larger one is almost
    /// certainly a mistake.</summary>
    public const int MaxSize = 1 << 20;

    // Every score is stored twice, at p and p + size, so the current window is always one
    // contiguous slice: no copy per push and the same summation order as TrendDrop.Compute.
    private readonly double[] _mirrored;
    private readonly int _size;
    private int _next;
    private int _count;

    public TrendWindow(int size)
    {
        if (size < 1 || size > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"window size must be between 1 and {MaxSize}");
        }
        _size = size;
        _mirrored = new double[2 * size];
    }

    public int Size => _size;

    public int Count => _count;

    /// <summary>The scores now in the window, oldest first.</summary>
    public ReadOnlySpan<double> Values
    {
        get
        {
            int start = _next - _count;
            if (start < 0)
            {
                start += _size;
            }
            return new ReadOnlySpan<double>(_mirrored, start, _count);
        }
    }

    /// <summary>Appends a score (dropping the oldest when full) and returns the current drop.</summary>
    public double Push(double score)
    {
        _mirrored[_next] = score;
        _mirrored[_next + _size] = score;
        _next = _next + 1 == _size ? 0 : _next + 1;
        if (_count < _size)
        {
            _count++;
        }
        return TrendDrop.Compute(Values);
    }

    /// <summary>Empties the window.</summary>
    public void Reset()
    {
        _next = 0;
        _count = 0;
    }
}
