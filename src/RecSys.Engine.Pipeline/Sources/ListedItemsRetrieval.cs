using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// Exact retrieval over the items a request lists (<see cref="RequestContext.ScansListedItems"/>: a short allow list, or
/// the members of a few included categories): each query against the listed items' own vectors, what an index returns
/// for the same query and filter, without asking the index.
/// <list type="bullet">
///   <item>An index answers a very selective filter by an exact scan too, but it finds the allowed items by testing the
///   filter on every item it holds: at 1M items that pass cost ~20 ms per search (item-to-item runs one per seed).</item>
///   <item>A category filter above the index's exact threshold walks the graph admitting only that category, and a
///   category lies in one region of the embedding space: a query elsewhere crosses much of the graph (110-150 ms a
///   request at 1M for one category of 16).</item>
/// </list>
/// Results have <see cref="IndexRetriever.RetrieveMany"/>'s layout and scores: query q's block at [q * k, q * k + k),
/// best first, ended by ordinal -1; higher is better (inner product: the dot; cosine: the cosine; L2: minus the squared
/// distance). Items without a vector (no row, or an all-zero one: not in the index either) and items the request's hard
/// filters refuse are left out, as the index filter leaves them out. Several queries share one pass over the rows, a
/// block at a time, so item-to-item's seeds read each listed row once.
/// </summary>
public static class ListedItemsRetrieval
{
    /// <summary>A list this short is always scored directly: a few thousand distances cost well under a millisecond.</summary>
    public const int AlwaysScanAtOrBelow = 1024;

    /// <summary>
    /// An allow list while it is under this share of the index: below it the indexes scan exactly as well
    /// (<c>ExactFilterThreshold</c>), over every item they hold; above it they walk the graph, which an allow list of
    /// items spread over the space does not slow much.
    /// </summary>
    public const double MaxShareOfIndex = 0.03;

    /// <summary>
    /// Included categories against an index other than HNSW, while their members are under this share of it: IVF-PQ
    /// finds an admitted item only in the lists it probes, and categories follow the embedding space, so a category the
    /// query's own lists leave out is found badly; a flat index scans every item. (HNSW's filtered walk takes
    /// categories past <see cref="Config.PipelineConfig.CategoryScanMaxItems"/>.)
    /// </summary>
    public const double MaxCategoryShareOfIndex = 0.13;

    private const int Block = 64;

    [ThreadStatic]
    private static float[]? t_distances;

    [ThreadStatic]
    private static long[]? t_ids;

    [ThreadStatic]
    private static int[]? t_counts;

    /// <summary>
    /// Top <paramref name="k"/> of the listed items for each query in <paramref name="queries"/> (rows of
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
        // One heap per query, side by side: [q * k, q * k + k) of the distance and id buffers, its size in counts[q].
        float[] distances = t_distances is { } d && d.Length >= n ? d : t_distances = new float[Math.Max(n, 256)];
        long[] ids = t_ids is { } i && i.Length >= n ? i : t_ids = new long[Math.Max(n, 256)];
        int[] counts = t_counts is { } c && c.Length >= nq ? c : t_counts = new int[Math.Max(nq, 16)];
        counts.AsSpan(0, nq).Clear();
        Span<float> queryNorms = nq <= 64 ? stackalloc float[nq] : new float[nq];
        for (int q = 0; q < nq; q++)
        {
            ReadOnlySpan<float> query = queries.Slice(q * dim, dim);
            queryNorms[q] = metric == DistanceMetric.Cosine ? MathF.Sqrt(DotProduct.Compute(query, query)) : 0f;
        }

        ReadOnlySpan<int> listed = context.ListedItems();
        int prefetchBytes = Sse.IsSupported ? dim * sizeof(float) : 0;
        for (int start = 0; start < listed.Length; start += Block)
        {
            ReadOnlySpan<int> block = listed.Slice(start, Math.Min(Block, listed.Length - start));
            // The rows are scattered over the table (a category's items are every so many ordinals apart): start every
            // row's loads before the first distance, so the misses overlap instead of queueing one after another.
            if (prefetchBytes > 0)
            {
                foreach (int item in block)
                    Prefetch(vectors.StoredRow(item), prefetchBytes);
            }
            for (int q = 0; q < nq; q++)
            {
                ReadOnlySpan<float> query = queries.Slice(q * dim, dim);
                var heap = new TopKHeap(distances.AsSpan(q * k, k), ids.AsSpan(q * k, k), counts[q]);
                foreach (int item in block)
                {
                    ReadOnlySpan<float> row = vectors.StoredRow(item);
                    if (row.Length != dim)
                        continue;
                    float distance = Distance(metric, query, queryNorms[q], row);
                    // An all-zero row is in no index: tested only for a row that would be kept.
                    if (distance <= heap.Threshold && row.ContainsAnyExcept(0f))
                        heap.Push(distance, item);
                }
                counts[q] = heap.Count;
            }
            if ((start & 0xFFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
        }

        for (int q = 0; q < nq; q++)
        {
            var heap = new TopKHeap(distances.AsSpan(q * k, k), ids.AsSpan(q * k, k), counts[q]);
            int found = heap.SortAscending();
            Span<int> outItems = items.Slice(q * k, k);
            Span<float> outScores = scores.Slice(q * k, k);
            // Each item is listed once (RequestContext.ListedItems), so each takes one slot.
            for (int r = 0; r < found; r++)
            {
                outItems[r] = (int)ids[q * k + r];
                outScores[r] = IndexRetriever.ScoreOf(metric, distances[q * k + r]);
            }
            outItems[found..].Fill(-1);
            outScores[found..].Fill(float.NegativeInfinity);
        }
        return nq;
    }

    private static unsafe void Prefetch(ReadOnlySpan<float> row, int bytes)
    {
        if (row.IsEmpty)
            return;
        byte* p = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(row));
        for (int off = 0; off < bytes; off += 64)
            Sse.Prefetch0(p + off);
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
