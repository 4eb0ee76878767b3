using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.Flat;

public class FlatIndexTests : IDisposable
{
    private const int Dim = 24;
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Plain float64 brute force: (distance, id) of every row, sorted, with the index's conventions.</summary>
    private static (double d, long id)[] Reference(float[] rows, long[] ids, float[] query, DistanceMetric metric, Func<long, bool>? allow = null)
    {
        int n = ids.Length;
        var result = new List<(double, long)>();
        double qn = Math.Sqrt(DotProduct.Reference(query, query));
        for (int i = 0; i < n; i++)
        {
            if (allow is not null && !allow(ids[i]))
                continue;
            var row = rows.AsSpan(i * Dim, Dim);
            double d = metric switch
            {
                DistanceMetric.L2 => SquaredL2.Reference(query, row),
                DistanceMetric.InnerProduct => -DotProduct.Reference(query, row),
                _ => 1 - DotProduct.Reference(query, row) / (qn * Math.Sqrt(DotProduct.Reference(row, row))),
            };
            result.Add((d, ids[i]));
        }
        return result.OrderBy(x => x.Item1).ThenBy(x => x.Item2).ToArray();
    }

    private static void AssertMatchesReference((double d, long id)[] expected, ReadOnlySpan<long> ids, ReadOnlySpan<float> dists, int k)
    {
        var byId = expected.ToDictionary(x => x.id, x => x.d);
        int have = Math.Min(k, expected.Length);
        for (int i = 0; i < have; i++)
        {
            double tol = 1e-4 * (1 + Math.Abs(expected[i].d));
            // Rank i holds the i-th smallest distance (ids may swap only between near-equal distances)...
            Assert.True(Math.Abs(dists[i] - expected[i].d) <= tol, $"rank {i}: distance {dists[i]}, expected {expected[i].d}");
            // ...and the reported distance is the true distance of the reported id.
            Assert.True(byId.TryGetValue(ids[i], out double truth), $"rank {i}: id {ids[i]} is not an allowed id");
            Assert.True(Math.Abs(dists[i] - truth) <= tol, $"rank {i}: id {ids[i]} reported {dists[i]}, true {truth}");
        }
        for (int i = have; i < k; i++)
        {
            Assert.Equal(-1, ids[i]);
            Assert.Equal(float.PositiveInfinity, dists[i]);
        }
        Assert.Equal(ids[..have].ToArray().Distinct().Count(), have);
    }

    private static (FlatIndex index, float[] rows, long[] ids) Build(DistanceMetric metric, int n = 2000, int seed = 3)
    {
        var rows = VectorTestData.ClusteredRows(seed, n, Dim);
        // Sparse, shuffled external ids: nothing may assume id == ordinal.
        var ids = Enumerable.Range(0, n).Select(i => (long)i * 7 + 1000).OrderBy(x => (x * 2654435761L) % 1009).ToArray();
        var index = new FlatIndex(Dim, metric);
        index.Add(ids.AsSpan(0, n / 2), rows.AsSpan(0, n / 2 * Dim));
        index.Add(ids.AsSpan(n / 2), rows.AsSpan(n / 2 * Dim));
        return (index, rows, ids);
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.InnerProduct)]
    [InlineData(DistanceMetric.Cosine)]
    public void Search_returns_the_exact_top_k(DistanceMetric metric)
    {
        var (index, rows, ids) = Build(metric);
        using var _ = index;
        var rng = new Random(9);
        const int k = 10, nq = 20;
        var queries = VectorTestData.ClusteredRows(77, nq, Dim);
        var outIds = new long[nq * k];
        var outD = new float[nq * k];
        index.Search(queries, k, outIds, outD);
        for (int q = 0; q < nq; q++)
            AssertMatchesReference(Reference(rows, ids, queries.AsSpan(q * Dim, Dim).ToArray(), metric), outIds.AsSpan(q * k, k), outD.AsSpan(q * k, k), k);
    }

    [Fact]
    public void Parallel_batch_equals_one_query_at_a_time()
    {
        var (index, _, _) = Build(DistanceMetric.Cosine, n: 3000);
        using var _ = index;
        const int k = 7, nq = 101;
        var queries = VectorTestData.ClusteredRows(5, nq, Dim);
        var batchIds = new long[nq * k];
        var batchD = new float[nq * k];
        index.Search(queries, k, batchIds, batchD);
        var oneIds = new long[k];
        var oneD = new float[k];
        for (int q = 0; q < nq; q++)
        {
            index.Search(queries.AsSpan(q * Dim, Dim), k, oneIds, oneD, new SearchParameters { MaxDegreeOfParallelism = 1 });
            Assert.Equal(oneIds, batchIds.AsSpan(q * k, k).ToArray());
            Assert.Equal(oneD, batchD.AsSpan(q * k, k).ToArray());
        }
    }

    [Fact]
    public void Bitset_and_predicate_filters_return_only_allowed_ids()
    {
        var (index, rows, ids) = Build(DistanceMetric.L2);
        using var _ = index;
        long maxId = ids.Max();
        var bitset = new AllowBitset(maxId + 1);
        foreach (long id in ids.Where(id => id % 3 == 0))
            bitset.Set(id);
        var query = VectorTestData.ClusteredRows(8, 1, Dim);
        const int k = 15;
        var outIds = new long[k];
        var outD = new float[k];

        index.Search(query, k, outIds, outD, new SearchParameters { Filter = bitset });
        AssertMatchesReference(Reference(rows, ids, query, DistanceMetric.L2, id => id % 3 == 0), outIds, outD, k);
        Assert.All(outIds, id => Assert.True(id % 3 == 0));

        index.Search(query, k, outIds, outD, new SearchParameters { Filter = new PredicateFilter(id => id % 5 == 1) });
        AssertMatchesReference(Reference(rows, ids, query, DistanceMetric.L2, id => id % 5 == 1), outIds, outD, k);

        // A filter that allows 3 ids pads the rest with -1 / +infinity.
        var few = new AllowBitset(maxId + 1);
        foreach (long id in ids.Take(3))
            few.Set(id);
        index.Search(query, k, outIds, outD, new SearchParameters { Filter = few });
        AssertMatchesReference(Reference(rows, ids, query, DistanceMetric.L2, id => few.Allows(id)), outIds, outD, k);
        Assert.Equal(3, outIds.Count(id => id >= 0));
    }

    [Fact]
    public void Removed_ids_are_never_returned_and_the_rest_stay_exact()
    {
        var (index, rows, ids) = Build(DistanceMetric.InnerProduct);
        using var _ = index;
        var removed = ids.Where((_, i) => i % 4 == 0).ToArray();
        Assert.Equal(removed.Length, index.Remove(removed));
        Assert.Equal(0, index.Remove(removed)); // already gone
        Assert.Equal(ids.Length - removed.Length, index.Count);
        var gone = removed.ToHashSet();
        var query = VectorTestData.ClusteredRows(4, 1, Dim);
        const int k = 20;
        var outIds = new long[k];
        var outD = new float[k];
        index.Search(query, k, outIds, outD);
        AssertMatchesReference(Reference(rows, ids, query, DistanceMetric.InnerProduct, id => !gone.Contains(id)), outIds, outD, k);
        Assert.False(index.Contains(removed[0]));
        Assert.True(index.Contains(ids[1]));
    }

    [Fact]
    public void Save_and_load_round_trip_then_accept_writes()
    {
        var (index, rows, ids) = Build(DistanceMetric.Cosine, n: 500);
        var query = VectorTestData.ClusteredRows(12, 1, Dim);
        const int k = 10;
        var before = new long[k];
        var beforeD = new float[k];
        index.Search(query, k, before, beforeD);
        index.Save(_dir);
        index.Dispose();

        using var loaded = FlatIndex.Load(_dir);
        Assert.Equal(500, loaded.Count);
        Assert.Equal(DistanceMetric.Cosine, loaded.Metric);
        var after = new long[k];
        var afterD = new float[k];
        loaded.Search(query, k, after, afterD);
        Assert.Equal(before, after);
        Assert.Equal(beforeD, afterD);

        // Writes after a load copy the mapped rows out first; the duplicate check sees loaded ids.
        Assert.Throws<ArgumentException>(() => loaded.Add([ids[0]], new float[Dim]));
        loaded.Add([99_999_999], query);
        loaded.Search(query, 1, after.AsSpan(0, 1), afterD.AsSpan(0, 1));
        Assert.Equal(99_999_999, after[0]);
        Assert.Equal(1, loaded.Remove([ids[0]]));
        Assert.Equal(500, loaded.Count);
    }

    [Fact]
    public void Load_detects_a_save_cut_short()
    {
        var (index, _, _) = Build(DistanceMetric.L2, n: 100);
        index.Save(_dir);
        index.Dispose();
        // An ids file from another save: counts disagree with the manifest.
        IdFile.Write(Path.Combine(_dir, FlatIndex.IdsFileName), new long[] { 1, 2, 3 });
        var ex = Assert.Throws<InvalidDataException>(() => FlatIndex.Load(_dir));
        Assert.Contains("ids.bin", ex.Message);

        File.Delete(Path.Combine(_dir, FlatIndex.ManifestFileName));
        Assert.Throws<FileNotFoundException>(() => FlatIndex.Load(_dir));
    }

    [Fact]
    public void Bad_input_is_rejected_and_leaves_the_index_unchanged()
    {
        using var index = new FlatIndex(4, DistanceMetric.Cosine);
        index.Add([1, 2], [1, 0, 0, 0, 0, 1, 0, 0]);
        var ex = Assert.Throws<ArgumentException>(() => index.Add([3, 4], [1, 1, 1, 1, 1, float.NaN, 1, 1]));
        Assert.Contains("row 1", ex.Message);
        Assert.Equal(2, index.Count); // row 0 of the bad batch did not go in
        ex = Assert.Throws<ArgumentException>(() => index.Add([5, 5], new float[8] { 1, 0, 0, 0, 1, 0, 0, 0 }));
        Assert.Contains("id 5", ex.Message);
        Assert.Throws<ArgumentException>(() => index.Add([6], new float[4]));  // zero vector under cosine
        Assert.Throws<ArgumentException>(() => index.Add([7], new float[3]));  // wrong length
        Assert.Equal(2, index.Count);

        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[4], 0, new long[1], new float[1]));
        Assert.Throws<ArgumentException>(() => index.Search(new float[5], 1, new long[2], new float[2]));
        Assert.Throws<ArgumentException>(() => index.Search(new float[8], 2, new long[3], new float[4]));
        Assert.Throws<ArgumentException>(() => index.Search([float.NaN, 0, 0, 0], 1, new long[1], new float[1]));
    }

    [Fact]
    public void Empty_index_returns_padding()
    {
        using var index = new FlatIndex(3, DistanceMetric.L2);
        var ids = new long[2];
        var d = new float[2];
        index.Search([1, 2, 3], 2, ids, d);
        Assert.Equal(new long[] { -1, -1 }, ids);
    }

    [Fact]
    public void Single_thread_search_allocates_nothing()
    {
        var (index, _, _) = Build(DistanceMetric.L2, n: 1000);
        using var _ = index;
        var q = VectorTestData.ClusteredRows(2, 1, Dim);
        var ids = new long[10];
        var d = new float[10];
        var p = new SearchParameters { MaxDegreeOfParallelism = 1 };
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            for (int i = 0; i < 10; i++)
                index.Search(q, 10, ids, d, p);
        });
        Assert.Equal(0, bytes);
    }
}
