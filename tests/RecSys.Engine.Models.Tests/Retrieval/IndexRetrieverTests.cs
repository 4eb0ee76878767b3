using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Retrieval;

public sealed class IndexRetrieverTests
{
    [Theory]
    [InlineData(DistanceMetric.InnerProduct)]
    [InlineData(DistanceMetric.Cosine)]
    public void Retrieval_over_hnsw_agrees_with_an_exact_scan_of_the_rows(DistanceMetric metric)
    {
        const int n = 600, dim = 16;
        float[] rows = VectorTestData.ClusteredRows(7, n, dim);
        rows.AsSpan(5 * dim, dim).Clear(); // an item the model knows nothing about
        using var hnsw = new HnswIndex(dim, metric, new HnswOptions { BuildThreads = 1 });
        Assert.Equal(n - 1, ItemVectorRows.AddTo(hnsw, rows, dim));
        using var flat = new FlatIndex(dim, metric);
        ItemVectorRows.AddTo(flat, rows, dim);

        var query = VectorTestData.RandomVector(new Random(3), dim);
        var items = new int[10];
        var scores = new float[10];
        var exactItems = new int[10];
        var exactScores = new float[10];
        new IndexRetriever(hnsw).Retrieve(query, items, scores, new SearchParameters { Ef = 200 });
        new IndexRetriever(flat).Retrieve(query, exactItems, exactScores);
        Assert.Equal(exactItems, items);
        Assert.DoesNotContain(5, items);
        for (int r = 1; r < 10; r++)
            Assert.True(scores[r] <= scores[r - 1]);
        // Scores are similarities: the dot (or cosine) with the query.
        float dot = Core.Vectors.Kernels.DotProduct.Compute(query, rows.AsSpan(items[0] * dim, dim));
        float expected = metric == DistanceMetric.Cosine
            ? Core.Vectors.Kernels.CosineSimilarity.Compute(query, rows.AsSpan(items[0] * dim, dim))
            : dot;
        Assert.Equal(expected, scores[0], 3);
    }

    private static HnswIndex InnerProductGraph(float[] rows, int dim)
    {
        var hnsw = new HnswIndex(dim, DistanceMetric.InnerProduct, new HnswOptions { BuildThreads = 1 });
        ItemVectorRows.AddTo(hnsw, rows, dim);
        return hnsw;
    }

    [Fact]
    public void An_ordinal_filter_reaches_the_index()
    {
        const int n = 300, dim = 8;
        float[] rows = VectorTestData.ClusteredRows(1, n, dim);
        using var hnsw = InnerProductGraph(rows, dim);
        var allow = new AllowBitset(n);
        for (int i = 0; i < n; i += 2)
            allow.Set(i);
        var items = new int[20];
        var scores = new float[20];
        new IndexRetriever(hnsw).Retrieve(rows.AsSpan(0, dim), items, scores, new SearchParameters { Filter = allow });
        Assert.All(items, i => Assert.Equal(0, i % 2));
    }

    [Fact]
    public void Retrieving_allocates_nothing_once_warm()
    {
        const int n = 500, dim = 16;
        float[] rows = VectorTestData.ClusteredRows(2, n, dim);
        using var hnsw = InnerProductGraph(rows, dim);
        var retriever = new IndexRetriever(hnsw);
        var items = new int[20];
        var scores = new float[20];
        var p = new SearchParameters { MaxDegreeOfParallelism = 1 };
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            for (int q = 0; q < 50; q++)
                retriever.Retrieve(rows.AsSpan(q * dim, dim), items, scores, p);
        });
        Assert.Equal(0, bytes);
    }
}
