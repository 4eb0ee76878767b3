using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// Neighbours of seed items through an index: item-to-item (seeds = the user's most recent items with a
/// vector, <see cref="Config.PipelineConfig.SeedItems"/> of them) or the item page's similar items (seed = the
/// request's item). One batched index call for all seeds; an item found from several seeds keeps its best
/// similarity; seeds themselves and items the request drops are left out. <paramref name="vectors"/> must be the rows the
/// index was built from: they seed the searches, and score a short allow list directly (<see cref="ListedItemsRetrieval"/>).
/// </summary>
public sealed class ItemNeighborsSource(string name, IndexRetriever retriever, IItemVectors vectors, bool fromRequestItem) : ICandidateSource
{
    public string Name { get; } = name;

    public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
    {
        int dim = retriever.Dimension;
        if (vectors.Dimension != dim || output.Capacity == 0)
            return ValueTask.CompletedTask;
        Span<int> single = stackalloc int[1];
        scoped ReadOnlySpan<int> candidates = context.RecentItems;
        if (fromRequestItem)
        {
            if (context.SeedItem < 0)
                return ValueTask.CompletedTask;
            single[0] = context.SeedItem;
            candidates = single;
        }
        int maxSeeds = fromRequestItem ? 1 : context.Config.SeedItems;

        // Gather the seeds' vectors into one query block (seed ordinals kept in the long scratch's head).
        int seeds = 0;
        Span<long> seedIds = output.LongScratch(maxSeeds + output.Capacity);
        Span<float> queries = output.FloatScratch(maxSeeds * dim);
        for (int i = 0; i < candidates.Length && seeds < maxSeeds; i++)
        {
            ReadOnlySpan<float> row = vectors.Row(candidates[i]);
            if (row.IsEmpty)
                continue;
            row.CopyTo(queries.Slice(seeds * dim, dim));
            seedIds[seeds++] = candidates[i];
        }
        if (seeds == 0)
            return ValueTask.CompletedTask;

        int dropped = context.SeenOverfetch + seeds;
        int k = Math.Min(output.Capacity + dropped, Math.Max(16, (output.Capacity + dropped) / seeds + 8));
        int hits = seeds * k;
        // Float scratch: [queries | hit scores | heap distances]; int scratch: hit ordinals, then merged ordinals.
        Span<float> floats = output.FloatScratch(seeds * dim + hits + hits + output.Capacity);
        queries = floats[..(seeds * dim)];
        Span<float> hitScores = floats.Slice(seeds * dim, hits);
        Span<float> mergedScores = floats.Slice(seeds * dim + hits, hits);
        Span<float> heapDistances = floats.Slice(seeds * dim + 2 * hits, output.Capacity);
        Span<int> ints = output.IntScratch(2 * hits);
        Span<int> hitItems = ints[..hits];
        Span<int> merged = ints.Slice(hits, hits);
        var parameters = context.SearchParameters(output.Config, retriever.Index);
        // The seed vectors are the index's own rows, so a short allow list is scored from them directly.
        if (context.ScansListedItems(retriever.Index))
            ListedItemsRetrieval.RetrieveMany(context, vectors, retriever.Index.Metric, queries, k, hitItems, hitScores, cancellationToken);
        else
            retriever.RetrieveMany(queries, k, hitItems, hitScores, parameters, cancellationToken);

        var best = output.Map;
        best.Reset(hits);
        int m = 0;
        for (int h = 0; h < hits; h++)
        {
            int item = hitItems[h];
            if (item < 0 || IsSeed(seedIds[..seeds], item) || !context.Allows(item))
                continue;
            int slot = best.GetOrAdd(item, m);
            if (slot == m)
            {
                merged[m] = item;
                mergedScores[m++] = hitScores[h];
            }
            else if (hitScores[h] > mergedScores[slot])
            {
                mergedScores[slot] = hitScores[h];
            }
        }
        output.AddBest(merged[..m], mergedScores[..m], heapDistances, seedIds.Slice(maxSeeds, output.Capacity));
        return ValueTask.CompletedTask;
    }

    private static bool IsSeed(ReadOnlySpan<long> seeds, int item)
    {
        foreach (long s in seeds)
        {
            if (s == item)
                return true;
        }
        return false;
    }
}
