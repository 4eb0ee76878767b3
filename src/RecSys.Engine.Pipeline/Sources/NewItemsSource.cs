using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// Cold start for items: the most recently added items that are still under-exposed (fewer impressions than
/// <see cref="Config.PipelineConfig.ExplorationImpressions"/>), by content match with the user's profile when both
/// have a content vector, else newest first. Reads a bounded ring of recent additions, never the catalog.
/// </summary>
public sealed class NewItemsSource(LiveCatalog catalog, int scanLimit = 1024) : ICandidateSource
{
    public string Name => SourceNames.NewItems;

    public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
    {
        if (output.Capacity == 0)
            return ValueTask.CompletedTask;
        Span<int> ints = output.IntScratch(2 * scanLimit);
        int n = catalog.CopyRecent(ints[..scanLimit]);
        ReadOnlySpan<int> recent = ints[..n];
        Span<int> kept = ints.Slice(scanLimit, n);
        Span<float> floats = output.FloatScratch(n + output.Capacity);
        Span<float> scores = floats[..n];
        ReadOnlySpan<float> profile = context.ContentProfile;
        VectorTable? vectors = context.ContentRows; // the version's vocabulary, as its content profile
        int threshold = context.Config.ExplorationImpressions;
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            int item = recent[i];
            if (catalog.Impressions(item) >= threshold || !context.Allows(item))
                continue;
            ReadOnlySpan<float> row = vectors is null ? default : vectors.Row(item);
            // Content match in [-1, 1] when both vectors exist; recency otherwise, below any positive match.
            float score = !profile.IsEmpty && row.Length == profile.Length ? DotProduct.Compute(profile, row) : -1f - (float)i / n;
            kept[m] = item;
            scores[m++] = score;
        }
        output.AddBest(kept[..m], scores[..m], floats.Slice(n, output.Capacity), output.LongScratch(output.Capacity));
        return ValueTask.CompletedTask;
    }
}
