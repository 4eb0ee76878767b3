using RecSys.Engine.Core.Index;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests;

/// <summary>Raw searches on the active version's indexes (the server's SearchVectors): the call's token reaches the walk; the indexes are described by name.</summary>
public sealed class SearchIndexTests
{
    [Fact]
    public async Task A_token_that_fires_during_the_search_stops_the_graph_walk()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var query = new float[h.Models.CfIndex!.Dimension];
        query[0] = 1;
        using var cts = new CancellationTokenSource();
        // The filter allows everything, so HNSW walks its graph; the token fires at the first look at an id, i.e. once
        // the search has begun, and a beam as wide as the catalog makes hundreds of hops: the walk must notice.
        var parameters = new SearchParameters
        {
            Ef = h.Planted.Items,
            Filter = new PredicateFilter(_ =>
            {
                cts.Cancel();
                return true;
            }),
        };
        var ids = new long[1];
        var distances = new float[1];
        Assert.ThrowsAny<OperationCanceledException>(() => h.Pipeline.SearchIndex("cf", query, 1, ids, distances, parameters, cts.Token));

        // The same search with a live token answers.
        h.Pipeline.SearchIndex("cf", query, 1, ids, distances, parameters with { Filter = null }, CancellationToken.None);
        Assert.True(ids[0] >= 0);
    }

    [Fact]
    public async Task DescribeIndexes_names_each_index_SearchIndex_takes_with_its_size()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var indexes = h.Pipeline.DescribeIndexes();
        Assert.Equal(["cf", "content"], indexes.Select(i => i.Name));
        Assert.All(indexes, i => Assert.Equal("hnsw", i.Kind));
        Assert.Equal(h.Models.CfIndex!.Count, indexes[0].Vectors);
        Assert.Equal(h.Models.ContentIndex!.Dimension, indexes[1].Dimension);
        Assert.All(indexes, i => Assert.True(i.MemoryBytes > 0));
    }
}
