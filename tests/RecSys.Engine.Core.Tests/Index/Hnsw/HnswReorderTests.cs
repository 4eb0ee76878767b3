using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.Hnsw;

/// <summary>
/// <see cref="HnswIndex.Reordered()"/>: the same graph with its nodes renumbered breadth-first, so a search must
/// return exactly what the original returns (ids and distances), and the copy must stand on its own.
/// </summary>
public class HnswReorderTests(HnswTestData data) : IClassFixture<HnswTestData>, IDisposable
{
    private const int Dim = HnswTestData.Dim;
    private const int K = 10;
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(DistanceMetric.Cosine, 16)]
    [InlineData(DistanceMetric.Cosine, 64)]
    [InlineData(DistanceMetric.L2, 16)]
    [InlineData(DistanceMetric.L2, 64)]
    public void Copy_answers_exactly_as_the_original(DistanceMetric metric, int ef)
    {
        var (original, queries) = metric == DistanceMetric.Cosine ? (data.Cosine, data.CosineQueries) : (data.L2, data.L2Queries);
        using var copy = original.Reordered();
        Assert.Equal(original.Count, copy.Count);
        Assert.Equal(original.TopLevel, copy.TopLevel);
        Assert.Equal(original.MemoryBytes, copy.MemoryBytes);
        AssertSameAnswers(original, copy, queries, new SearchParameters { Ef = ef });
    }

    [Fact]
    public void Order_is_breadth_first_from_the_entry_point_and_keeps_every_id_once()
    {
        var original = data.Cosine;
        using var copy = original.Reordered();
        Assert.Equal(0, copy.EntryNode);
        Assert.Equal(original.ExternalIdAt(original.EntryNode), copy.ExternalIdAt(0));
        var ids = Enumerable.Range(0, copy.NodeCount).Select(copy.ExternalIdAt).ToArray();
        Assert.Equal(data.Ids.Order(), ids.Order());
        // Not the build order: the copy must actually move nodes (most of them, for a random build order).
        int moved = Enumerable.Range(0, copy.NodeCount).Count(p => ids[p] != original.ExternalIdAt(p));
        Assert.True(moved > copy.NodeCount / 2, $"only {moved} of {copy.NodeCount} nodes moved");
    }

    [Fact]
    public void Copy_outlives_its_source_and_takes_inserts_deletes_and_a_save()
    {
        const int n = 3000;
        HnswIndex copy;
        using (var source = new HnswIndex(Dim, DistanceMetric.L2, HnswTestData.Build))
        {
            source.Add(data.Ids.AsSpan(0, n), data.L2Rows.AsSpan(0, n * Dim));
            source.Remove(data.Ids.AsSpan(0, 10));
            copy = source.Reordered();
            AssertSameAnswers(source, copy, data.L2Queries, new SearchParameters { Ef = 32 });
        }
        using (copy)
        {
            Assert.Equal(n - 10, copy.Count);
            Assert.False(copy.Contains(data.Ids[0]));
            copy.Add(data.Ids.AsSpan(n, 100), data.L2Rows.AsSpan(n * Dim, 100 * Dim));
            copy.Remove(data.Ids.AsSpan(20, 5));
            var one = new long[1];
            var dist = new float[1];
            copy.Search(data.L2Rows.AsSpan((n + 50) * Dim, Dim), 1, one, dist);
            Assert.Equal(data.Ids[n + 50], one[0]);
            copy.Save(_dir);
        }
        using var loaded = HnswIndex.Load(_dir);
        Assert.Equal(n - 10 + 100 - 5, loaded.Count);
        var ids = new long[K];
        var d = new float[K];
        loaded.Search(data.L2Rows.AsSpan(100 * Dim, Dim), K, ids, d);
        Assert.Equal(data.Ids[100], ids[0]);
        Assert.DoesNotContain(data.Ids[0], ids);
        Assert.DoesNotContain(data.Ids[20], ids);
    }

    [Fact]
    public void Loaded_bf16_index_copies_its_mapped_rows_and_answers_the_same()
    {
        using (var built = new HnswIndex(Dim, DistanceMetric.Cosine, HnswTestData.Build with { BFloat16Traversal = true }))
        {
            built.Add(data.Ids.AsSpan(0, 5000), data.CosineRows.AsSpan(0, 5000 * Dim));
            built.Save(_dir);
        }
        using var loaded = HnswIndex.Load(_dir);
        using var copy = loaded.Reordered();
        AssertSameAnswers(loaded, copy, data.CosineQueries, new SearchParameters { Ef = 32 });
    }

    [Fact]
    public void Empty_index_copies_to_an_empty_index()
    {
        using var empty = new HnswIndex(Dim, DistanceMetric.L2);
        using var copy = empty.Reordered();
        Assert.Equal(0, copy.Count);
        Assert.Equal(-1, copy.TopLevel);
        copy.Add([7L], data.L2Rows.AsSpan(0, Dim));
        Assert.True(copy.Contains(7));
    }

    private static void AssertSameAnswers(HnswIndex a, HnswIndex b, float[] queries, SearchParameters p)
    {
        int nq = queries.Length / Dim;
        var ia = new long[nq * K];
        var ib = new long[nq * K];
        var da = new float[nq * K];
        var db = new float[nq * K];
        a.Search(queries, K, ia, da, p);
        b.Search(queries, K, ib, db, p);
        Assert.Equal(ia, ib);
        Assert.Equal(da, db);
    }
}
