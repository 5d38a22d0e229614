namespace RagKernels.Bm25;

/// <summary>One indexed document, immutable once built: its key (a number the caller gives,
/// unique within the index, stable across add/remove), its external id (opaque bytes), its
/// distinct terms in order of first occurrence with their frequencies, and its length.</summary>
public sealed class Bm25Document
{
    public Bm25Document(long key, byte[] id, int[] terms, int[] frequencies, int length)
    {
        Key = key;
        Id = id;
        Terms = terms;
        Frequencies = frequencies;
        Length = length;
    }

    public long Key { get; }
    public byte[] Id { get; }
    /// <summary>Term numbers in the owning index's writer vocabulary.</summary>
    public int[] Terms { get; }
    public int[] Frequencies { get; }
    /// <summary>Number of tokens (the sum of the frequencies).</summary>
    public int Length { get; }
}
