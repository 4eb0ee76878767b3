using RecSys.Engine.Core.Index;
using RecSys.Engine.Models.Retrieval;
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
    /// ArgumentException naming "index"; a query of the wrong length one naming "vector". <paramref name="cancellationToken"/>
    /// (the call's deadline) reaches the index's search loop where the index can stop mid-search (HNSW).
    /// </summary>
    public void SearchIndex(string index, ReadOnlySpan<float> vector, int k, Span<long> ordinals, Span<float> distances, SearchParameters? parameters = null,
        CancellationToken cancellationToken = default)
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
            IndexRetriever.Search(found, vector, k, ordinals, distances, parameters, cancellationToken);
        }
        finally
        {
            version.Release();
        }
    }

    /// <summary>The indexes of the active version, by the names <see cref="SearchIndex"/> takes, read under a reference on it.</summary>
    public IReadOnlyList<IndexSummary> DescribeIndexes()
    {
        var (version, _) = AcquireRoute(0, "");
        try
        {
            return [.. Indexes(version.Models).Select(i => new IndexSummary(i.Name, i.Index.Kind, i.Index.Count, i.Index.Dimension, i.Index.MemoryBytes))];
        }
        finally
        {
            version.Release();
        }
    }

    /// <summary>The names <see cref="SearchIndex"/> takes on <paramref name="models"/>.</summary>
    public static IEnumerable<string> IndexNames(ServingModels models) => Indexes(models).Select(i => i.Name);

    private static IEnumerable<(string Name, IVectorIndex Index)> Indexes(ServingModels models)
    {
        if (models.CfIndex is { } cf)
            yield return ("cf", cf);
        if (models.ContentIndex is { } content)
            yield return ("content", content);
        foreach (var (name, set) in models.Embeddings.OrderBy(e => e.Key, StringComparer.Ordinal))
            yield return (name, set.Index);
    }
}
