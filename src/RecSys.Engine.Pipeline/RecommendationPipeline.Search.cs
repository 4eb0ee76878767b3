using RecSys.Engine.Core.Index;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    /// <summary>
    /// Raw nearest-neighbour search on a named index of the version requests run on (the server's SearchVectors), with a
    /// reference held on that version for the search, so a model swap cannot release its index mid-search:
    /// <code>
    ///   "cf"        ALS item factors (inner product)
    ///   "content"   content vectors (cosine)
    ///   NAME        a bulk-loaded embedding set (ServingModels.Embeddings)
    /// </code>
    /// Ids are catalog ordinals, closest first, -1 past the hits (the index's contract). An unknown or absent index is an
    /// ArgumentException naming "index"; a query of the wrong length one naming "vector".
    /// </summary>
    public void SearchIndex(string index, ReadOnlySpan<float> vector, int k, Span<long> ordinals, Span<float> distances, SearchParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        var (version, _) = AcquireRoute(0, "");
        try
        {
            var models = version.Models;
            IVectorIndex found = index switch
            {
                "cf" when models.CfIndex is { } cf => cf,
                "content" when models.ContentIndex is { } content => content,
                _ when models.Embeddings.TryGetValue(index, out var set) => set.Index,
                _ => throw new ArgumentException($"version {version.Name} has no index '{index}' (have: {string.Join(", ", IndexNames(models))})", nameof(index)),
            };
            if (vector.Length != found.Dimension)
                throw new ArgumentException($"the query has {vector.Length} values; index '{index}' has {found.Dimension}", nameof(vector));
            found.Search(vector, k, ordinals, distances, parameters);
        }
        finally
        {
            version.Release();
        }
    }

    /// <summary>The names <see cref="SearchIndex"/> takes on <paramref name="models"/>.</summary>
    public static IEnumerable<string> IndexNames(ServingModels models)
    {
        if (models.CfIndex is not null)
            yield return "cf";
        if (models.ContentIndex is not null)
            yield return "content";
        foreach (string name in models.Embeddings.Keys.Order(StringComparer.Ordinal))
            yield return name;
    }
}
