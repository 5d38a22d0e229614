"""The word lists of shared/spec/signals.md, exact (54 stop words, 24 negation words).

The C# kernels hold the same lists in csharp/src/RagKernels/Signals/WordLists.cs; a test
checks both against the spec's text.
"""

STOP_WORDS = frozenset(
    """
    the a an is are was were be been being have has had do does did will would could
    should may might shall can to of in for on with at by from as into through during
    before after above below between and but or if then than that this these those it its
    """.split()
)

# The apostrophe is ASCII U+0027; curly quotes never match.
NEG_WORDS = frozenset(
    """
    not no never neither nor cannot can't isn't aren't wasn't weren't won't wouldn't
    shouldn't couldn't doesn't don't didn't hasn't haven't hadn't without none nobody
    """.split()
)

# Words traceability ignores in a claim.
IGNORED_WORDS = STOP_WORDS | NEG_WORDS
