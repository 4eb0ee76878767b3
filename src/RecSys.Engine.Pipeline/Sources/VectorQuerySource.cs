using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// One request vector against one item index (collaborative: CF vector x ALS item factors; content: content
/// profile x content vectors; query: the search query x content vectors). Asks the index for the count plus the
/// items the request will drop (seen, already shown), with the request's hard filters inside the search, and
/// keeps the first count the request allows. Nothing to search with (a new user has no CF vector) = no candidates.
/// Over a cosine index only positive matches count: an item orthogonal to the query shares no feature with it.
/// With the index's item vectors at hand (<paramref name="rows"/>), a short allow list is scored directly
/// (<see cref="ListedItemsRetrieval"/>) rather than through the index's filter.
/// </summary>
public sealed class VectorQuerySource(string name, IndexRetriever retriever, QueryVectorKind query, IItemVectors? rows = null) : ICandidateSource
{
    public string Name { get; } = name;

    public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
    {
        ReadOnlySpan<float> vector = query switch
        {
            QueryVectorKind.UserCf => context.CfVector,
            QueryVectorKind.UserContent => context.ContentProfile,
            _ => context.QueryVector,
        };
        if (vector.IsEmpty || vector.Length != retriever.Dimension || output.Capacity == 0)
            return ValueTask.CompletedTask;
        int fetch = output.Capacity + context.SeenOverfetch + (context.Surface.FilterShownOnSurface ? 16 : 0);
        Span<int> items = output.IntScratch(fetch);
        Span<float> scores = output.FloatScratch(fetch);
        var parameters = context.SearchParameters(output.Config, retriever.Index);
        if (rows is not null && rows.Dimension == retriever.Dimension && context.ScansListedItems(retriever.Index))
            ListedItemsRetrieval.RetrieveMany(context, rows, retriever.Index.Metric, vector, fetch, items, scores, cancellationToken);
        else
            retriever.Retrieve(vector, items, scores, parameters, cancellationToken);
        bool cosine = retriever.Index.Metric == Core.Vectors.DistanceMetric.Cosine;
        for (int r = 0; r < fetch && !output.IsFull; r++)
        {
            int item = items[r];
            if (item < 0 || (cosine && scores[r] <= 0))
                break;
            if (context.Allows(item))
                output.Add(item, scores[r]);
        }
        return ValueTask.CompletedTask;
    }
}
