using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Models.Retrieval;

/// <summary>
/// <see cref="IItemRetriever"/> over any <see cref="IVectorIndex"/> whose ids are catalog ordinals (how
/// <see cref="ItemVectorRows.AddTo"/> fills one): HNSW, IVF-PQ or the exact flat index. Distances become
/// scores, higher is better: -distance for inner product and L2, 1 - distance (the cosine) for cosine.
/// The id and distance buffers are per thread, so a search allocates nothing after a thread's first call.
/// </summary>
public sealed class IndexRetriever(IVectorIndex index) : IItemRetriever
{
    [ThreadStatic]
    private static long[]? t_ids;

    [ThreadStatic]
    private static float[]? t_distances;

    public IVectorIndex Index { get; } = index ?? throw new ArgumentNullException(nameof(index));

    public int Dimension => Index.Dimension;

    public int Retrieve(ReadOnlySpan<float> query, Span<int> items, Span<float> scores, SearchParameters? parameters = null, CancellationToken cancellationToken = default) =>
        RetrieveMany(query, items.Length, items, scores, parameters, cancellationToken);

    /// <summary>
    /// Several queries in one index call (item-to-item: one query per seed item): results of query q at
    /// [q * k, q * k + k), each block best first; a block shorter than k ends with ordinal -1. Returns the query count.
    /// </summary>
    public int RetrieveMany(ReadOnlySpan<float> queries, int k, Span<int> items, Span<float> scores, SearchParameters? parameters = null, CancellationToken cancellationToken = default)
    {
        int nq = queries.Length / Math.Max(Index.Dimension, 1);
        int n = nq * k;
        if (n == 0)
            return 0;
        if (items.Length < n || scores.Length < n)
            throw new ArgumentException($"{nq} queries x k={k} need {n} result slots; items holds {items.Length}, scores {scores.Length}", nameof(items));
        long[] ids = t_ids is { } i && i.Length >= n ? i : t_ids = new long[Math.Max(n, 256)];
        float[] distances = t_distances is { } d && d.Length >= n ? d : t_distances = new float[Math.Max(n, 256)];
        Search(Index, queries, k, ids, distances, parameters, cancellationToken);
        DistanceMetric metric = Index.Metric;
        for (int r = 0; r < n; r++)
        {
            items[r] = (int)ids[r];
            scores[r] = ids[r] < 0 ? float.NegativeInfinity : ScoreOf(metric, distances[r]);
        }
        return nq;
    }

    /// <summary>
    /// <see cref="IVectorIndex.Search"/> with a cancellation token: looked at before the search starts, and by HNSW also
    /// between hops, so a deadline stops a long graph walk midway (the other indexes' scans are short and bounded).
    /// </summary>
    public static void Search(IVectorIndex index, ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> distances, SearchParameters? parameters,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        cancellationToken.ThrowIfCancellationRequested();
        if (index is HnswIndex hnsw)
            hnsw.Search(queries, k, ids, distances, parameters, cancellationToken);
        else
            index.Search(queries, k, ids, distances, parameters);
    }

    /// <summary>Higher-is-better score of an index distance.</summary>
    public static float ScoreOf(DistanceMetric metric, float distance) => metric == DistanceMetric.Cosine ? 1f - distance : -distance;
}
