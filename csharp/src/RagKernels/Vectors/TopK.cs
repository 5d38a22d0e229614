using System;

namespace RagKernels.Vectors;

/// <summary>
/// Keeps the best <c>k</c> (score, row) pairs of a scan in a binary min-heap laid out in
/// caller-supplied spans, so a search allocates nothing. The order is total: a higher score
/// is better, and on equal scores the lower row (the earlier insertion) is better, which makes
/// results deterministic and identical to a stable sort by descending score.
/// </summary>
internal ref struct TopK
{
    private readonly Span<float> _scores;
    private readonly Span<int> _rows;
    private int _count;

    public TopK(Span<float> scores, Span<int> rows)
        : this(scores, rows, 0)
    {
    }

    /// <summary>Resumes a heap whose first <paramref name="count"/> entries were left by an
    /// earlier TopK over the same spans (a scan done in blocks).</summary>
    public TopK(Span<float> scores, Span<int> rows, int count)
    {
        _scores = scores;
        _rows = rows;
        _count = count;
    }

    public readonly int Count => _count;

    /// <summary>The score a new row must beat to enter a full heap (−∞ while not full).</summary>
    public readonly float Threshold => _count < _scores.Length ? float.NegativeInfinity : _scores[0];

    // "a is worse than b": the heap keeps the worst pair at the root.
    private static bool Worse(float scoreA, int rowA, float scoreB, int rowB) =>
        scoreA < scoreB || (scoreA == scoreB && rowA > rowB);

    /// <summary>Offers a row. Rows must be offered in increasing order: then a row whose score
    /// only equals the worst kept score never enters (it came later, so it is worse).</summary>
    public void Offer(float score, int row)
    {
        if (_count < _scores.Length)
        {
            int i = _count++;
            _scores[i] = score;
            _rows[i] = row;
            SiftUp(i);
        }
        else if (score > _scores[0])
        {
            _scores[0] = score;
            _rows[0] = row;
            SiftDown(0);
        }
    }

    /// <summary>Sorts the kept pairs best first in place (heap sort: no allocation) and returns
    /// their number.</summary>
    public int SortBestFirst()
    {
        int n = _count;
        // Repeatedly move the worst to the end of the shrinking heap: the span ends up best first.
        for (int end = n - 1; end > 0; end--)
        {
            (_scores[0], _scores[end]) = (_scores[end], _scores[0]);
            (_rows[0], _rows[end]) = (_rows[end], _rows[0]);
            _count = end;
            SiftDown(0);
        }
        _count = n;
        return n;
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Worse(_scores[i], _rows[i], _scores[parent], _rows[parent]))
            {
                break;
            }
            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            int left = 2 * i + 1;
            if (left >= _count)
            {
                break;
            }
            int worst = left;
            int right = left + 1;
            if (right < _count && Worse(_scores[right], _rows[right], _scores[left], _rows[left]))
            {
                worst = right;
            }
            if (!Worse(_scores[worst], _rows[worst], _scores[i], _rows[i]))
            {
                break;
            }
            Swap(i, worst);
            i = worst;
        }
    }

    private readonly void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_rows[a], _rows[b]) = (_rows[b], _rows[a]);
    }
}
