namespace RagKernels.Signals;

/// <summary>What to do with each match of a pattern scan (a struct, so the calls inline).</summary>
internal unsafe interface IMatchVisitor
{
    /// <summary>One match: its bytes (inside the scanned text) and its ByteSpanSet key.
    /// Returns false to stop the scan.</summary>
    bool Visit(byte* match, int length, ulong key);
}

/// <summary>Adds every match to a set.</summary>
internal readonly unsafe struct AddToSet(ByteSpanSet set) : IMatchVisitor
{
    public bool Visit(byte* match, int length, ulong key)
    {
        set.Add(match, length, key);
        return true;
    }
}

/// <summary>Adds every match to its own set and counts the distinct ones also in another set.</summary>
internal unsafe struct CountCommon(ByteSpanSet own, ByteSpanSet other) : IMatchVisitor
{
    public int Common;

    public bool Visit(byte* match, int length, ulong key)
    {
        if (own.Add(match, length, key) && other.Contains(match, length, key))
        {
            Common++;
        }
        return true;
    }
}
