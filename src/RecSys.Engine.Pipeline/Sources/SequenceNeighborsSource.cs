using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// "Watched next": the precomputed neighbour lists of the sequence model (items taken up near each other in users'
/// time-ordered histories, <see cref="SequenceCoOccurrence"/>) summed over the user's newest
/// <see cref="Config.PipelineConfig.SequenceSeeds"/> items, the newer weighing more with
/// <see cref="Config.PipelineConfig.SequenceSeedHalfLife"/>. Reads only those lists (seeds x neighbours entries),
/// never the catalog; an event recorded now changes the seeds of the very next request. Items added after training
/// have no list and are skipped as seeds.
/// </summary>
public sealed class SequenceNeighborsSource(ItemKnn model) : ICandidateSource
{
    public string Name => SourceNames.Sequence;

    public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
    {
        ReadOnlySpan<int> recent = context.RecentItems;
        int seeds = Math.Min(recent.Length, context.Config.SequenceSeeds);
        if (seeds == 0 || output.Capacity == 0)
            return ValueTask.CompletedTask;
        int most = 0;
        for (int s = 0; s < seeds; s++)
        {
            if ((uint)recent[s] < (uint)model.ItemCount)
                most += model.NeighborsOf(recent[s]).Items.Length;
        }
        if (most == 0)
            return ValueTask.CompletedTask;

        Span<int> merged = output.IntScratch(most);
        Span<float> floats = output.FloatScratch(most + output.Capacity);
        Span<float> sums = floats[..most];
        Span<long> heapIds = output.LongScratch(output.Capacity);
        var slots = output.Map;
        slots.Reset(most);
        int m = 0;
        float halfLife = context.Config.SequenceSeedHalfLife;
        // 2^(-1/h) per position older: the newest seed counts 1.
        float decay = halfLife > 0 ? MathF.Pow(0.5f, 1f / halfLife) : 1f, weight = 1f / decay;
        for (int s = 0; s < seeds; s++)
        {
            int seed = recent[s];
            weight *= decay;
            if ((uint)seed >= (uint)model.ItemCount)
                continue;
            var (items, weights) = model.NeighborsOf(seed);
            ReadOnlySpan<int> neighbors = items.Span;
            ReadOnlySpan<float> w = weights.Span;
            for (int q = 0; q < neighbors.Length; q++)
            {
                int item = neighbors[q];
                if (!context.Allows(item))
                    continue;
                int slot = slots.GetOrAdd(item, m);
                if (slot == m)
                {
                    merged[m] = item;
                    sums[m++] = weight * w[q];
                }
                else
                {
                    sums[slot] += weight * w[q];
                }
            }
        }
        output.AddBest(merged[..m], sums[..m], floats.Slice(most, output.Capacity), heapIds);
        return ValueTask.CompletedTask;
    }
}
