using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// Exact retrieval over a request's allow list: each query against the listed items' own vectors, what an index
/// returns for the same query and filter, without asking the index. An index answers a very selective filter by an
/// exact scan too, but it finds the allowed items by testing the filter on every item it holds: at 1M items that pass
/// costs ~20 ms per search (item-to-item runs one per seed), against one distance per listed item here.
/// <para>
/// Results have <see cref="IndexRetriever.RetrieveMany"/>'s layout and scores: query q's block at [q * k, q * k + k),
/// best first, ended by ordinal -1; higher is better (inner product: the dot; cosine: the cosine; L2: minus the squared
/// distance). Items without a vector (no row, or an all-zero one: not in the index either) and items the request's hard
/// filters refuse are left out, as the index filter leaves them out.
/// </para>
/// </summary>
public static class AllowListRetrieval
{
    /// <summary>An allow list this short is always scored directly: a few thousand distances cost well under a millisecond.</summary>
    public const int AlwaysScanAtOrBelow = 1024;

    /// <summary>
    /// A longer one while it is under this share of the index: below it the indexes scan exactly as well
    /// (<c>ExactFilterThreshold</c>), over every item they hold; above it they walk the graph, which beats a long list.
    /// </summary>
    public const double MaxShareOfIndex = 0.03;

    [ThreadStatic]
    private static float[]? t_distances;

    [ThreadStatic]
    private static long[]? t_ids;

    /// <summary>
    /// Top <paramref name="k"/> of the allow list for each query in <paramref name="queries"/> (rows of
    /// <paramref name="vectors"/>' dimension). Returns the query count.
    /// </summary>
    public static int RetrieveMany(RequestContext context, IItemVectors vectors, DistanceMetric metric, ReadOnlySpan<float> queries, int k,
        Span<int> items, Span<float> scores, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(vectors);
        int dim = vectors.Dimension;
        int nq = dim == 0 ? 0 : queries.Length / dim;
        int n = nq * k;
        if (n == 0)
            return 0;
        if (items.Length < n || scores.Length < n)
            throw new ArgumentException($"{nq} queries x k={k} need {n} result slots; items holds {items.Length}, scores {scores.Length}", nameof(items));
        cancellationToken.ThrowIfCancellationRequested();
        float[] distances = t_distances is { } d && d.Length >= k ? d : t_distances = new float[Math.Max(k, 256)];
        long[] ids = t_ids is { } i && i.Length >= k ? i : t_ids = new long[Math.Max(k, 256)];
        ReadOnlySpan<int> allowed = context.AllowList;
        for (int q = 0; q < nq; q++)
        {
            ReadOnlySpan<float> query = queries.Slice(q * dim, dim);
            var heap = new TopKHeap(distances.AsSpan(0, k), ids.AsSpan(0, k));
            float queryNorm = metric == DistanceMetric.Cosine ? MathF.Sqrt(DotProduct.Compute(query, query)) : 0f;
            foreach (int item in allowed)
            {
                if (!context.PassesHardFilters(item))
                    continue;
                ReadOnlySpan<float> row = vectors.Row(item);
                if (row.Length != dim || !row.ContainsAnyExcept(0f))
                    continue;
                float distance = Distance(metric, query, queryNorm, row);
                if (distance <= heap.Threshold)
                    heap.Push(distance, item);
            }
            int found = heap.SortAscending();
            Span<int> outItems = items.Slice(q * k, k);
            Span<float> outScores = scores.Slice(q * k, k);
            for (int r = 0; r < k; r++)
            {
                outItems[r] = r < found ? (int)ids[r] : -1;
                outScores[r] = r < found ? IndexRetriever.ScoreOf(metric, distances[r]) : float.NegativeInfinity;
            }
        }
        return nq;
    }

    /// <summary>The index's distance for the metric: lower is better (cosine indexes hold unit rows, so 1 - cosine).</summary>
    private static float Distance(DistanceMetric metric, ReadOnlySpan<float> query, float queryNorm, ReadOnlySpan<float> row)
    {
        switch (metric)
        {
            case DistanceMetric.InnerProduct:
                return -DotProduct.Compute(query, row);
            case DistanceMetric.Cosine:
                float rowNorm = MathF.Sqrt(DotProduct.Compute(row, row));
                return queryNorm == 0 ? 1f : 1f - DotProduct.Compute(query, row) / (queryNorm * rowNorm);
            default:
                return SquaredL2.Compute(query, row);
        }
    }
}
