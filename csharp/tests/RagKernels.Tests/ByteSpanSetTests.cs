using System.Collections.Generic;
using System.Text;
using RagKernels.Signals;
using Xunit;

namespace RagKernels.Tests;

/// <summary>ByteSpanSet on strings of every key form: packed (≤ 7 bytes), the inline mix of two
/// overlapping loads (8–16 bytes) and the general hash (longer).</summary>
public class ByteSpanSetTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void StringsDifferingInOneByteOrInLengthAreDistinctAndFound(bool startSmall)
    {
        // Every length 1..24, and for each a base string and variants that differ in exactly one
        // position (the first, each middle one, the last): the set must count them all as
        // distinct, find each, and not find strings that were never added. startSmall: the set is
        // told to expect one string, so it starts at its smallest and doubles several times
        // while the ~300 go in (each growth moves the entries made so far).
        var words = new List<string>();
        for (int length = 1; length <= 24; length++)
        {
            string word = new string('a', length);
            words.Add(word);
            for (int i = 0; i < length; i++)
            {
                words.Add(word.Substring(0, i) + 'b' + word.Substring(i + 1));
            }
        }
        var text = new StringBuilder();
        var starts = new List<(int Start, int Length)>();
        foreach (string word in words)
        {
            starts.Add((text.Length, word.Length));
            text.Append(word).Append(' ');
        }
        byte[] bytes = Encoding.ASCII.GetBytes(text.Append(new string(' ', 16)).ToString());
        string absent = new string('c', 12);
        byte[] absentBytes = Encoding.ASCII.GetBytes(absent + new string(' ', 16));
        var set = new ByteSpanSet();
        fixed (byte* p = bytes, q = absentBytes)
        {
            byte* limit = p + bytes.Length;
            set.Reset(startSmall ? 1 : words.Count);
            foreach ((int start, int length) in starts)
            {
                Assert.True(set.Add(p + start, length, ByteSpanSet.Key(p + start, length, limit)));
            }
            foreach ((int start, int length) in starts)
            {
                Assert.False(set.Add(p + start, length, ByteSpanSet.Key(p + start, length, limit)));
                Assert.True(set.Contains(p + start, length, ByteSpanSet.Key(p + start, length, limit)));
            }
            Assert.Equal(words.Count, set.Count);
            for (int length = 1; length <= 12; length++)
            {
                Assert.False(set.Contains(q, length, ByteSpanSet.Key(q, length, q + absentBytes.Length)));
            }
        }
    }

    [Fact]
    public unsafe void ClearMarksUnmarksEverythingAlsoWhenTheMarkStampWraps()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("alpha beta gamma-delta-epsilon" + new string(' ', 16));
        (int Start, int Length)[] words = [(0, 5), (6, 4), (11, 19)];
        var set = new ByteSpanSet();
        // The mark stamp one step before it wraps to 0 (reached after 2^32 - 2 clears otherwise).
        typeof(ByteSpanSet).GetField("_markStamp", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .SetValue(set, uint.MaxValue - 1);
        fixed (byte* p = bytes)
        {
            byte* limit = p + bytes.Length;
            for (int round = 0; round < 4; round++)
            {
                // Entries made afresh each round (a new entry is unmarked whatever the stamp).
                set.Reset(words.Length);
                foreach ((int start, int length) in words)
                {
                    set.Add(p + start, length, ByteSpanSet.Key(p + start, length, limit));
                }
                foreach ((int start, int length) in words)
                {
                    ulong key = ByteSpanSet.Key(p + start, length, limit);
                    Assert.True(set.Mark(p + start, length, key)); // unmarked after the last clear
                    Assert.False(set.Mark(p + start, length, key)); // marked now
                    Assert.True(set.Contains(p + start, length, key)); // still in the set
                }
                set.ClearMarks();
            }
        }
    }
}
