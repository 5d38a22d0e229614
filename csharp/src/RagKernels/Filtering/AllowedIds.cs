using System;

namespace RagKernels.Filtering;

/// <summary>
/// A metadata filter as the kernels see it: the ids a search may return, sorted ascending
/// without duplicates, or no filter at all. Searches test a row against it before the row can
/// enter their top-k heap, so excluded rows never take a place (a filter is not a score of 0).
/// Membership is a binary search, done only for rows that would enter the heap.
/// </summary>
public readonly ref struct AllowedIds
{
    private readonly ReadOnlySpan<long> _ids;

    /// <summary>A filter that keeps exactly <paramref name="ids"/> (ascending, distinct: see
    /// <see cref="Validate"/>).</summary>
    public AllowedIds(ReadOnlySpan<long> ids)
    {
        _ids = ids;
        IsActive = true;
    }

    /// <summary>No filter: every row is allowed.</summary>
    public static AllowedIds All => default;

    /// <summary>False for <see cref="All"/>.</summary>
    public bool IsActive { get; }

    public bool Contains(long id) => !IsActive || _ids.BinarySearch(id) >= 0;

    /// <summary>Checks that <paramref name="ids"/> is strictly ascending (the Python package
    /// sorts and de-duplicates before calling, so this only guards the C ABI).</summary>
    /// <exception cref="ArgumentException">an id is not greater than the one before it.</exception>
    public static void Validate(ReadOnlySpan<long> ids)
    {
        for (int i = 1; i < ids.Length; i++)
        {
            if (ids[i] <= ids[i - 1])
            {
                throw new ArgumentException($"allowed ids must be sorted ascending without duplicates (allowed[{i}] = {ids[i]} after {ids[i - 1]})");
            }
        }
    }
}
