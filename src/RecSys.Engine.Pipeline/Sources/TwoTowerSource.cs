using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// Two-tower retrieval: the user tower runs once per request, its vector searches the index of item-tower vectors (HNSW
/// by default), and the first count the request allows are kept. No item is scored outside the index search, except the
/// items a request lists (a short allow list, a few categories), scored from the index's own rows.
/// <code>
///   segment key (profile) + recent items (newest first, those with a trained embedding, up to MaxHistory)
///     -> user features + id slots -> user tower (ONNX Runtime, or the C# forward pass) -> unit vector
///     -> index search (count + seen + a margin, the request's hard filters inside the search) -> allowed items
/// </code>
/// A new user with only a profile still gets a vector (features alone, no history): candidates for their segment. A
/// request with neither history nor demographics gets the tower's answer to "nothing known", popular-leaning items.
/// </summary>
public sealed class TwoTowerSource(TwoTowerModel model, ITowerEncoder userTower, IndexRetriever retriever, IItemVectors? rows = null,
    string name = SourceNames.TwoTower) : ICandidateSource
{
    public string Name => name;

    public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
    {
        int d = userTower.Dimension, f = userTower.FeatureCount, slots = userTower.IdSlots;
        if (output.Capacity == 0 || retriever.Dimension != d)
            return ValueTask.CompletedTask;
        int fetch = output.Capacity + context.SeenOverfetch + (context.Surface.FilterShownOnSurface ? 16 : 0);
        // Float scratch: [user features | user vector | hit scores]; long scratch: the id slots.
        Span<float> floats = output.FloatScratch(f + d + fetch);
        Span<float> features = floats[..f];
        Span<float> vector = floats.Slice(f, d);
        Span<float> scores = floats.Slice(f + d, fetch);
        Span<long> ids = output.LongScratch(slots);
        Span<int> items = output.IntScratch(fetch);
        int history = model.WriteHistory(context.RecentItems, ids);
        string? segment = context.Segment >= 0 ? context.Catalog.Segments.KeyOf(context.Segment) : null;
        model.Features.WriteUser(segment, history, features);
        userTower.Encode(features, ids, 1, vector);
        // With the index's rows at hand (trained and live: TwoTowerItemVectors), listed items are scored from them.
        if (rows is not null && rows.Dimension == d && context.ScansListedItems(retriever.Index))
            ListedItemsRetrieval.RetrieveMany(context, rows, retriever.Index.Metric, vector, fetch, items, scores, cancellationToken);
        else
            retriever.Retrieve(vector, items, scores, context.SearchParameters(output.Config, retriever.Index), cancellationToken);
        for (int r = 0; r < fetch && !output.IsFull; r++)
        {
            int item = items[r];
            if (item < 0)
                break;
            if (context.Allows(item))
                output.Add(item, scores[r]);
        }
        return ValueTask.CompletedTask;
    }
}
