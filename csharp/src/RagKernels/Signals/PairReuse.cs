using System;

namespace RagKernels.Signals;

/// <summary>
/// What a pair of a batch shares with its neighbours, so that a signal can reuse what it made of
/// a text instead of making it again. Guards score pairs in runs: one claim against each of its
/// retrieved chunks (the claim repeats), or each sentence of an answer against one chunk (the
/// source repeats). "The same" means the same bytes, at the same address or as an equal copy
/// that is still readable where it was seen.
/// </summary>
[Flags]
public enum PairReuse
{
    None = 0,

    /// <summary>The signal's call just before on this thread had the same claim.</summary>
    SameClaim = 1,

    /// <summary>The signal's call just before on this thread had the same source.</summary>
    SameSource = 2,

    /// <summary>The next pair (to be run next on this thread) has the same source: a hint that
    /// what is made of this source once will be used again.</summary>
    SourceRepeats = 4,
}
