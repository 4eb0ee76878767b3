using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Tests.Index.Hnsw;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Tests.Index;

public class IndexLayoutTests(HnswTestData data) : IClassFixture<HnswTestData>
{
    private const int Dim = HnswTestData.Dim;

    [Fact]
    public void Hnsw_comes_back_breadth_first_with_the_same_answers_and_the_built_one_disposed()
    {
        const int n = 4000;
        var built = new HnswIndex(Dim, DistanceMetric.L2, HnswTestData.Build);
        built.Add(data.Ids.AsSpan(0, n), data.L2Rows.AsSpan(0, n * Dim));
        long entryId = built.ExternalIdAt(built.EntryNode);
        var expected = new long[10];
        var d = new float[10];
        built.Search(data.L2Queries.AsSpan(0, Dim), 10, expected, d);

        using var laidOut = IndexLayout.ForSearch(built);
        var hnsw = Assert.IsType<HnswIndex>(laidOut);
        Assert.NotSame(built, hnsw);
        Assert.Equal(0, hnsw.EntryNode);
        Assert.Equal(entryId, hnsw.ExternalIdAt(0));
        var got = new long[10];
        hnsw.Search(data.L2Queries.AsSpan(0, Dim), 10, got, d);
        Assert.Equal(expected, got);
        Assert.Throws<ObjectDisposedException>(() => built.Search(data.L2Queries.AsSpan(0, Dim), 10, got, d));
    }

    [Fact]
    public void Other_kinds_come_back_as_they_are()
    {
        using var flat = new FlatIndex(Dim, DistanceMetric.L2);
        flat.Add(data.Ids.AsSpan(0, 100), data.L2Rows.AsSpan(0, 100 * Dim));
        Assert.Same(flat, IndexLayout.ForSearch(flat));
        Assert.Equal(100, flat.Count);
    }
}
