using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Synthetic;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.Hnsw;

/// <summary>HnswOptions.BFloat16Traversal: level 0 walked on bf16 rows, the beam re-scored on float32.</summary>
public class HnswBFloat16Tests(HnswTestData data) : IClassFixture<HnswTestData>, IDisposable
{
    private const int Dim = HnswTestData.Dim;
    private const int K = 10;
    private static readonly HnswOptions Bf16 = new() { BFloat16Traversal = true };
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (HnswIndex Index, float[] Rows, float[] Queries) LoadWithBf16(DistanceMetric metric)
    {
        var (index, rows, queries) = metric == DistanceMetric.Cosine
            ? (data.Cosine, data.CosineRows, data.CosineQueries)
            : (data.L2, data.L2Rows, data.L2Queries);
        string dir = Path.Combine(_dir, metric.ToString());
        index.Save(dir);
        // The same graph, so the two walks differ only in the rows they score.
        return (HnswIndex.Load(dir, Bf16), rows, queries);
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.L2)]
    public void Recall_matches_the_float32_walk_at_ef_32_64_and_200(DistanceMetric metric)
    {
        var (bf16, _, queries) = LoadWithBf16(metric);
        using var _ = bf16;
        var f32 = metric == DistanceMetric.Cosine ? data.Cosine : data.L2;
        var flat = metric == DistanceMetric.Cosine ? data.CosineFlat : data.L2Flat;
        // ef 32: the whole beam is re-scored; 64 and 200: only its head (HnswIndex.RescoreDepth).
        Assert.True(HnswIndex.RescoreDepth(K) < 64);
        foreach (int ef in new[] { 32, 64, 200 })
        {
            var p = new SearchParameters { Ef = ef };
            double r16 = HnswTestData.Recall(bf16, flat, queries, K, p);
            double r32 = HnswTestData.Recall(f32, flat, queries, K, p);
            if (ef >= 64)
                Assert.True(r16 >= 0.95, $"{metric} ef {ef}: bf16 walk recall@10 {r16:F4}");
            Assert.True(r16 >= r32 - 0.01, $"{metric} ef {ef}: bf16 walk {r16:F4} vs float32 walk {r32:F4}");
        }
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine, 37)]
    [InlineData(DistanceMetric.L2, 37)]
    [InlineData(DistanceMetric.L2, 1)]
    public void An_odd_dimension_walks_as_well_as_float32(DistanceMetric metric, int dim)
    {
        // The bf16 key reads rows as pairs of elements (BFloat16SplitQueryKernel): an odd dimension leaves a last
        // element outside every pair, and 37 dims (18 pairs) also take the widest rung's overlapping tail.
        const int N = 2000, Queries = 100;
        var gen = new SyntheticVectorGenerator(dim, 44);
        var rows = gen.GenerateBase(N);
        var queries = gen.GenerateQueries(Queries);
        var ids = Enumerable.Range(0, N).Select(i => (long)i).ToArray();
        using var f32 = new HnswIndex(dim, metric, HnswTestData.Build);
        f32.Add(ids, rows);
        using var flat = new FlatIndex(dim, metric);
        flat.Add(ids, rows);
        string dir = Path.Combine(_dir, $"odd-{metric}-{dim}");
        f32.Save(dir);
        using var bf16 = HnswIndex.Load(dir, Bf16);
        var p = new SearchParameters { Ef = 64 };
        double r16 = HnswTestData.Recall(bf16, flat, queries, K, p);
        double r32 = HnswTestData.Recall(f32, flat, queries, K, p);
        Assert.True(r16 >= r32 - 0.01, $"{metric} dim {dim}: bf16 walk {r16:F4} vs float32 walk {r32:F4}");
        if (dim > 1)
            Assert.True(r16 >= 0.95, $"{metric} dim {dim}: bf16 walk recall@10 {r16:F4}");
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.L2)]
    public void Returned_distances_are_exact_float32_distances_closest_first(DistanceMetric metric)
    {
        var (bf16, rows, queries) = LoadWithBf16(metric);
        using var _ = bf16;
        int nq = HnswTestData.QueryCount;
        var ids = new long[nq * K];
        var d = new float[nq * K];
        bf16.Search(queries, K, ids, d, new SearchParameters { Ef = 32 });
        for (int q = 0; q < nq; q++)
        {
            var query = queries.AsSpan(q * Dim, Dim).ToArray();
            for (int i = 0; i < K; i++)
            {
                long id = ids[q * K + i];
                Assert.True(id >= 0, $"query {q}: only {i} results");
                var row = rows.AsSpan((int)((id - 1000) / 3) * Dim, Dim).ToArray();
                double expected = metric == DistanceMetric.Cosine
                    ? 1 - DotProduct.Reference(query, row) / Math.Sqrt(DotProduct.Reference(query, query) * DotProduct.Reference(row, row))
                    : SquaredL2.Reference(query, row);
                Assert.True(Math.Abs(d[q * K + i] - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)),
                    $"{metric} query {q} rank {i}: distance {d[q * K + i]}, exact {expected}");
                if (i > 0)
                    Assert.True(d[q * K + i - 1] <= d[q * K + i], $"query {q}: not sorted at rank {i}");
            }
        }
    }

    [Fact]
    public void Option_is_saved_with_the_index_and_costs_two_bytes_per_dimension()
    {
        const int n = 2000;
        var ids = data.Ids.AsSpan(0, n).ToArray();
        var rows = data.CosineRows.AsSpan(0, n * Dim).ToArray();
        using var plain = new HnswIndex(Dim, DistanceMetric.Cosine, HnswTestData.Build);
        plain.Add(ids, rows);
        using var index = new HnswIndex(Dim, DistanceMetric.Cosine, HnswTestData.Build with { BFloat16Traversal = true });
        index.Add(ids, rows);
        // 64 dims: a bf16 row is exactly 128 bytes, no padding.
        Assert.Equal((long)n * Dim * sizeof(ushort), index.MemoryBytes - plain.MemoryBytes);

        index.Save(_dir);
        using var loaded = HnswIndex.Load(_dir);
        Assert.True(loaded.Options.BFloat16Traversal);
        using var reopenedPlain = HnswIndex.Load(_dir, new HnswOptions { BFloat16Traversal = false });
        Assert.False(reopenedPlain.Options.BFloat16Traversal);
        Assert.Equal(plain.MemoryBytes, reopenedPlain.MemoryBytes);

        var queries = data.CosineQueries;
        int nq = HnswTestData.QueryCount;
        var a = new long[nq * K];
        var b = new long[nq * K];
        var da = new float[nq * K];
        var db = new float[nq * K];
        var p = new SearchParameters { Ef = 24 };
        index.Search(queries, K, a, da, p);
        loaded.Search(queries, K, b, db, p);
        Assert.Equal(a, b);
        Assert.Equal(da, db);
    }

    [Fact]
    public void A_load_that_only_turns_on_bf16_keeps_the_saved_search_settings()
    {
        const int n = 2000;
        var build = HnswTestData.Build with { EfSearch = 40 };
        using (var index = new HnswIndex(Dim, DistanceMetric.L2, build))
        {
            index.Add(data.Ids.AsSpan(0, n), data.L2Rows.AsSpan(0, n * Dim));
            index.Save(_dir);
        }
        HnswOptions? seen = null;
        using var bf16 = HnswIndex.Load(_dir, saved => (seen = saved) with { BFloat16Traversal = true, M = 99, EfConstruction = 7 });
        // The function saw what the file holds ...
        Assert.Equal(40, seen!.EfSearch);
        Assert.False(seen.BFloat16Traversal);
        Assert.Equal(build.M, seen.M);
        // ... the index keeps the saved beam, turns on bf16, and build settings stay the file's whatever it returned.
        Assert.Equal(40, bf16.Options.EfSearch);
        Assert.True(bf16.Options.BFloat16Traversal);
        Assert.Equal(build.M, bf16.Options.M);
        Assert.Equal(build.EfConstruction, bf16.Options.EfConstruction);
        // The options overload replaces the search settings (EfSearch back to the default), as before.
        using var replaced = HnswIndex.Load(_dir, Bf16);
        Assert.Equal(new HnswOptions().EfSearch, replaced.Options.EfSearch);

        // bf16 walks over the same graph find (nearly) what the float32 walk finds at the saved beam.
        using var f32 = HnswIndex.Load(_dir);
        int nq = HnswTestData.QueryCount;
        var a = new long[nq * K];
        var b = new long[nq * K];
        var d = new float[nq * K];
        f32.Search(data.L2Queries, K, a, d);
        bf16.Search(data.L2Queries, K, b, d);
        int same = 0;
        for (int q = 0; q < nq; q++)
            same += a.AsSpan(q * K, K).ToArray().Intersect(b.AsSpan(q * K, K).ToArray()).Count();
        Assert.True(same >= 0.95 * nq * K, $"bf16 walk shares {same} of {nq * K} answers with the float32 walk");
    }

    [Fact]
    public void Inserts_after_load_are_found_and_deletes_never_returned()
    {
        const int n = 3000, extra = 200;
        using (var index = new HnswIndex(Dim, DistanceMetric.L2, HnswTestData.Build with { BFloat16Traversal = true }))
        {
            index.Add(data.Ids.AsSpan(0, n), data.L2Rows.AsSpan(0, n * Dim));
            index.Save(_dir);
        }
        using var loaded = HnswIndex.Load(_dir);
        loaded.Add(data.Ids.AsSpan(n, extra), data.L2Rows.AsSpan(n * Dim, extra * Dim));
        var ids = new long[1];
        var d = new float[1];
        for (int i = n; i < n + extra; i++)
        {
            loaded.Search(data.L2Rows.AsSpan(i * Dim, Dim), 1, ids, d, new SearchParameters { Ef = 32 });
            Assert.Equal(data.Ids[i], ids[0]);
            Assert.Equal(0f, d[0]);
        }
        var removed = data.Ids.AsSpan(0, 100).ToArray();
        Assert.Equal(removed.Length, loaded.Remove(removed));
        var top = new long[K];
        var td = new float[K];
        for (int i = 0; i < 100; i++)
        {
            loaded.Search(data.L2Rows.AsSpan(i * Dim, Dim), K, top, td, new SearchParameters { Ef = 32 });
            Assert.DoesNotContain(data.Ids[i], top);
        }
    }

    [Fact]
    public void Single_thread_search_allocates_nothing_once_warm()
    {
        var (bf16, _, queries) = LoadWithBf16(DistanceMetric.Cosine);
        using var _ = bf16;
        var ids = new long[K];
        var d = new float[K];
        var p = new SearchParameters { Ef = 64, MaxDegreeOfParallelism = 1 };
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            for (int i = 0; i < 50; i++)
                bf16.Search(queries.AsSpan(i * Dim, Dim), K, ids, d, p);
        });
        Assert.Equal(0, bytes);
    }
}
