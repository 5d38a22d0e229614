using System;

using RagKernels.Bm25;
using RagKernels.Filtering;
using RagKernels.Vectors;

namespace RagKernels.Fusion;

/// <summary>
/// Hybrid retrieval in one call: the BM25 top fetchK for a text, the vector top fetchK for an
/// embedding, and their reciprocal rank fusion (ranking 0 = BM25, ranking 1 = vectors, so equal
/// fused scores keep BM25's order first). Both indexes must give a chunk the same int64 id:
/// the BM25 document's integer id and the vector id. An optional <see cref="AllowedIds"/>
/// filter applies to both searches before their top-k.
/// </summary>
/// <remarks>One instance is a workspace for one thread at a time: it owns every buffer a query
/// needs (candidates, fusion table, results), so once they have grown to the largest fetchK
/// seen a search allocates nothing.</remarks>
public sealed class HybridSearch
{
    private readonly ReciprocalRankFusion _fusion = new();
    private readonly long[] _offsets = new long[3];
    private readonly double[] _weights = new double[2];
    private int[] _bm25Docs = new int[64];
    private double[] _bm25Scores = new double[64];
    private float[] _vectorScores = new float[64];
    // BM25 candidate ids, then vector candidate ids: the flat layout ReciprocalRankFusion reads.
    private long[] _candidates = new long[128];

    /// <summary>How many BM25 and vector candidates the last search fused.</summary>
    public int Bm25Found { get; private set; }

    public int VectorFound { get; private set; }

    /// <summary>
    /// Writes the best min(outIds.Length, distinct candidates) fused ids and scores, best first,
    /// and each one's 1-based rank in the BM25 and vector candidates (0 = not among them).
    /// Returns how many. <paramref name="vectors"/> null (or an empty <paramref name="vector"/>)
    /// means BM25 only.
    /// </summary>
    /// <exception cref="ArgumentException">bad fetchK, weights or rrfK; a query the indexes refuse;
    /// non-integer BM25 ids (<see cref="Bm25Snapshot.IntegerIdsNeeded"/>); an id twice in one index.</exception>
    public int Search(Bm25Index bm25, in Bm25Search.Query text, VectorIndex? vectors, ReadOnlySpan<float> vector,
        int fetchK, double bm25Weight, double vectorWeight, double rrfK, AllowedIds allowed,
        Span<long> outIds, Span<double> outScores, Span<int> bm25Ranks, Span<int> vectorRanks)
    {
        if (fetchK < 1)
        {
            throw new ArgumentException($"fetch_k must be at least 1, got {fetchK}");
        }
        if (outScores.Length < outIds.Length || bm25Ranks.Length < outIds.Length || vectorRanks.Length < outIds.Length)
        {
            throw new ArgumentException("outScores and the rank spans must have room for as many results as outIds");
        }
        _weights[0] = bm25Weight;
        _weights[1] = vectorWeight;
        _offsets.AsSpan().Clear();
        ReciprocalRankFusion.Validate(0, _offsets, _weights, rrfK);
        Bm25Search.Validate(text);
        Bm25Snapshot snapshot = bm25.Current;
        // Neither retriever returns more than it holds: a huge fetchK must not size the buffers.
        fetchK = Math.Max(1, Math.Min(fetchK, Math.Max(snapshot.Count, vectors is null || vector.IsEmpty ? 0 : vectors.Count)));
        EnsureCapacity(fetchK);

        long[] docIds = snapshot.RequireIntegerIds();
        int bm25Found = Bm25Search.Search(snapshot, text, fetchK, _bm25Docs, _bm25Scores, allowed);
        for (int i = 0; i < bm25Found; i++)
        {
            _candidates[i] = docIds[_bm25Docs[i]];
        }
        int vectorFound = 0;
        if (vectors is not null && !vector.IsEmpty)
        {
            vectorFound = vectors.Search(vector, _candidates.AsSpan(bm25Found, fetchK), _vectorScores.AsSpan(0, fetchK), allowed);
        }
        _offsets[1] = bm25Found;
        _offsets[2] = bm25Found + vectorFound;
        Bm25Found = bm25Found;
        VectorFound = vectorFound;

        ReadOnlySpan<long> bm25Ids = _candidates.AsSpan(0, bm25Found);
        ReadOnlySpan<long> vectorIds = _candidates.AsSpan(bm25Found, vectorFound);
        int n = _fusion.Fuse(_candidates.AsSpan(0, bm25Found + vectorFound), _offsets, _weights, rrfK, outIds, outScores);
        // Ranks by a scan of the candidates: fetchK is small, and this keeps the workspace flat.
        for (int i = 0; i < n; i++)
        {
            bm25Ranks[i] = bm25Ids.IndexOf(outIds[i]) + 1;
            vectorRanks[i] = vectorIds.IndexOf(outIds[i]) + 1;
        }
        return n;
    }

    private void EnsureCapacity(int fetchK)
    {
        if (fetchK > _bm25Docs.Length)
        {
            int size = Math.Max(fetchK, 2 * _bm25Docs.Length);
            _bm25Docs = new int[size];
            _bm25Scores = new double[size];
            _vectorScores = new float[size];
            _candidates = new long[2 * size];
        }
    }
}
