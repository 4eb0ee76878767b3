using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.Hnsw;

public class HnswSearchTests(HnswTestData data) : IClassFixture<HnswTestData>
{
    private static readonly SearchParameters Ef64 = new() { Ef = 64 };

    [Fact]
    public void Recall_at_10_against_flat_is_at_least_095_cosine()
    {
        double recall = HnswTestData.Recall(data.Cosine, data.CosineFlat, data.CosineQueries, 10, Ef64);
        Assert.True(recall >= 0.95, $"recall@10 {recall:F4}");
    }

    [Fact]
    public void Recall_at_10_against_flat_is_at_least_095_l2()
    {
        double recall = HnswTestData.Recall(data.L2, data.L2Flat, data.L2Queries, 10, Ef64);
        Assert.True(recall >= 0.95, $"recall@10 {recall:F4}");
    }

    [Fact]
    public void Distances_match_the_flat_index_for_the_same_ids()
    {
        const int k = 10;
        var q = data.CosineQueries.AsSpan(0, HnswTestData.Dim).ToArray();
        var ids = new long[k];
        var dists = new float[k];
        data.Cosine.Search(q, k, ids, dists, Ef64);
        var all = new long[HnswTestData.N];
        var allD = new float[HnswTestData.N];
        data.CosineFlat.Search(q, HnswTestData.N, all, allD);
        var byId = new Dictionary<long, float>();
        for (int i = 0; i < all.Length; i++)
            byId[all[i]] = allD[i];
        for (int i = 0; i < k; i++)
        {
            Assert.Equal(byId[ids[i]], dists[i], 4);
            if (i > 0)
                Assert.True(dists[i] >= dists[i - 1], "results are sorted closest first");
        }
    }

    [Fact]
    public void Higher_ef_does_not_lower_recall_much_and_ef_1_still_answers_k()
    {
        double low = HnswTestData.Recall(data.L2, data.L2Flat, data.L2Queries, 10, new SearchParameters { Ef = 1 });
        double high = HnswTestData.Recall(data.L2, data.L2Flat, data.L2Queries, 10, new SearchParameters { Ef = 256 });
        Assert.True(high >= 0.99, $"ef=256 recall {high:F4}");
        // ef = 1 is raised to k = 10. Measured 0.9645-0.975 (the parallel build varies the graph a little; the
        // single-threaded build gives 0.9645): 0.94 leaves a margin for that, not for a worse search.
        Assert.True(low >= 0.94 && low <= high, $"ef=1 recall {low:F4} (ef is raised to k)");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Filter_passing_10_percent_keeps_recall_at_least_09(bool bitset)
    {
        IdFilter filter = bitset ? Bitset(id => (id / 3) % 10 == 4) : new PredicateFilter(id => (id / 3) % 10 == 4);
        var p = new SearchParameters { Ef = 64, Filter = filter };
        double recall = HnswTestData.Recall(data.Cosine, data.CosineFlat, data.CosineQueries, 10, p, new SearchParameters { Filter = filter });
        Assert.True(recall >= 0.9, $"filtered recall@10 {recall:F4}");
        AssertOnlyAllowed(data.Cosine, data.CosineQueries, filter, p);
    }

    [Fact]
    public void Very_selective_filter_takes_the_exact_path_and_matches_flat()
    {
        // 0.5% of the items: below the exact threshold, so the answer is exact.
        var filter = Bitset(id => (id / 3) % 200 == 17);
        var p = new SearchParameters { Ef = 16, Filter = filter };
        double recall = HnswTestData.Recall(data.L2, data.L2Flat, data.L2Queries, 10, p, new SearchParameters { Filter = filter });
        Assert.Equal(1.0, recall, 6);
        AssertOnlyAllowed(data.L2, data.L2Queries, filter, p);
    }

    [Fact]
    public void Filter_allowing_nothing_returns_no_ids()
    {
        var filter = new AllowBitset(1);
        var ids = new long[10];
        var d = new float[10];
        data.L2.Search(data.L2Queries.AsSpan(0, HnswTestData.Dim), 10, ids, d, new SearchParameters { Filter = filter });
        Assert.All(ids, id => Assert.Equal(-1, id));
        Assert.All(d, x => Assert.True(float.IsPositiveInfinity(x)));
    }

    [Fact]
    public void Cancelled_token_stops_the_search()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var ids = new long[10];
        var d = new float[10];
        Assert.ThrowsAny<OperationCanceledException>(() =>
            data.L2.Search(data.L2Queries.AsSpan(0, HnswTestData.Dim), 10, ids, d, new SearchParameters { Ef = 512 }, cts.Token));
    }

    [Fact]
    public void Batch_search_in_parallel_equals_one_query_at_a_time()
    {
        const int k = 10;
        int nq = HnswTestData.QueryCount;
        var batch = new long[nq * k];
        var bd = new float[nq * k];
        data.Cosine.Search(data.CosineQueries, k, batch, bd, new SearchParameters { Ef = 32, MaxDegreeOfParallelism = -1 });
        var one = new long[k];
        var od = new float[k];
        for (int q = 0; q < nq; q++)
        {
            data.Cosine.Search(data.CosineQueries.AsSpan(q * HnswTestData.Dim, HnswTestData.Dim), k, one, od, new SearchParameters { Ef = 32, MaxDegreeOfParallelism = 1 });
            Assert.Equal(one, batch.AsSpan(q * k, k).ToArray());
        }
    }

    [Fact]
    public void Single_thread_search_allocates_nothing_once_warm()
    {
        var ids = new long[10];
        var d = new float[10];
        var plain = new SearchParameters { Ef = 64, MaxDegreeOfParallelism = 1 };
        var filtered = new SearchParameters { Ef = 64, MaxDegreeOfParallelism = 1, Filter = Bitset(id => id % 2 == 0) };
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            for (int i = 0; i < 50; i++)
            {
                data.Cosine.Search(data.CosineQueries.AsSpan(i * HnswTestData.Dim, HnswTestData.Dim), 10, ids, d, plain);
                data.Cosine.Search(data.CosineQueries.AsSpan(i * HnswTestData.Dim, HnswTestData.Dim), 10, ids, d, filtered);
            }
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Single_thread_builds_with_the_same_seed_give_identical_graphs()
    {
        string a = VectorTestData.TempDirectory(), b = VectorTestData.TempDirectory();
        try
        {
            var opts = HnswTestData.Build with { BuildThreads = 1 };
            const int n = 3000;
            var rows = data.L2Rows.AsSpan(0, n * HnswTestData.Dim);
            var ids = data.Ids.AsSpan(0, n);
            using (var x = new HnswIndex(HnswTestData.Dim, DistanceMetric.L2, opts))
            {
                x.Add(ids, rows);
                x.Save(a);
            }
            using (var y = new HnswIndex(HnswTestData.Dim, DistanceMetric.L2, opts))
            {
                // Two batches: the graph depends on the order of inserts, not on how they are batched.
                y.Add(ids[..1000], rows[..(1000 * HnswTestData.Dim)]);
                y.Add(ids[1000..], rows[(1000 * HnswTestData.Dim)..]);
                y.Save(b);
            }
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, HnswIndex.GraphFileName)), File.ReadAllBytes(Path.Combine(b, HnswIndex.GraphFileName)));
        }
        finally
        {
            Directory.Delete(a, true);
            Directory.Delete(b, true);
        }
    }

    [Fact]
    public void Bad_input_is_rejected_naming_the_row()
    {
        using var index = new HnswIndex(4, DistanceMetric.Cosine);
        index.Add([1, 2], [1, 0, 0, 0, 0, 1, 0, 0]);
        var dup = Assert.Throws<ArgumentException>(() => index.Add([3, 2], [1, 1, 0, 0, 0, 0, 1, 0]));
        Assert.Contains("row 1: id 2", dup.Message);
        var nan = Assert.Throws<ArgumentException>(() => index.Add([5], [1, float.NaN, 0, 0]));
        Assert.Contains("row 0 (id 5)", nan.Message);
        Assert.Throws<ArgumentException>(() => index.Add([6], [0, 0, 0, 0]));
        Assert.Equal(2, index.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HnswIndex(4, DistanceMetric.L2, new HnswOptions { M = 1 }));
    }

    [Fact]
    public void Empty_index_returns_no_ids()
    {
        using var index = new HnswIndex(8, DistanceMetric.L2);
        var ids = new long[3];
        var d = new float[3];
        index.Search(new float[8], 3, ids, d);
        Assert.All(ids, id => Assert.Equal(-1, id));
    }

    internal static AllowBitset Bitset(Func<long, bool> allow)
    {
        var bits = new AllowBitset(1000 + 3L * HnswTestData.N + 10);
        for (long id = 0; id < bits.Length; id++)
        {
            if (allow(id))
                bits.Set(id);
        }
        return bits;
    }

    private static void AssertOnlyAllowed(HnswIndex index, float[] queries, IdFilter filter, SearchParameters p)
    {
        int nq = queries.Length / index.Dimension;
        var ids = new long[nq * 10];
        var d = new float[nq * 10];
        index.Search(queries, 10, ids, d, p);
        Assert.All(ids, id => Assert.True(id >= 0 && filter.Allows(id), $"id {id} is not allowed"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(64)]
    [InlineData(300)]
    public void Sorted_beam_returns_what_the_two_heaps_return(int ef)
    {
        foreach (var (index, queries) in new[] { (data.Cosine, data.CosineQueries), (data.L2, data.L2Queries) })
        {
            // The same graph loaded again with the two-heap loop for unfiltered searches.
            WithReloaded(index, new HnswOptions { TwoHeapBeam = true }, twoHeaps => AssertSameAnswers(twoHeaps, index, queries, ef));
        }
    }

    [Fact]
    public void Descent_with_row_prefetch_walks_where_the_plain_descent_walks()
    {
        foreach (var (index, queries, cosine) in new[] { (data.Cosine, data.CosineQueries, true), (data.L2, data.L2Queries, false) })
        {
            // The same graph loaded again with the descent that scores each row as it reads it (no prefetch).
            WithReloaded(index, new HnswOptions { PlainDescent = true }, plain =>
            {
                int nq = queries.Length / HnswTestData.Dim;
                for (int i = 0; i < nq; i++)
                {
                    var q = queries.AsSpan(i * HnswTestData.Dim, HnswTestData.Dim).ToArray();
                    if (cosine)
                        CosineSimilarity.Normalize(q);
                    var before = plain.DescendForTest(q);
                    var after = index.DescendForTest(q);
                    // 20k nodes at M 16 reach level 3 or so: the upper levels are really walked.
                    Assert.True(before.TopLevel >= 1, $"top level {before.TopLevel}: the test graph has no upper level to descend");
                    Assert.True(before.Node >= 0);
                    Assert.Equal(before.Node, after.Node);
                    Assert.Equal(BitConverter.SingleToInt32Bits(before.Key), BitConverter.SingleToInt32Bits(after.Key));
                }
                // And the whole search: the same ids and distances.
                AssertSameAnswers(plain, index, queries, 32);
            });
        }
    }

    /// <summary>Saves <paramref name="index"/>, loads it again with <paramref name="options"/> and hands that copy to <paramref name="check"/>.</summary>
    private static void WithReloaded(HnswIndex index, HnswOptions options, Action<HnswIndex> check)
    {
        string dir = VectorTestData.TempDirectory();
        try
        {
            index.Save(dir);
            using var reloaded = HnswIndex.Load(dir, options);
            check(reloaded);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Top 10 of every query at <paramref name="ef"/> on one thread: the same ids and distances from both.</summary>
    private static void AssertSameAnswers(HnswIndex expected, HnswIndex actual, float[] queries, int ef)
    {
        int nq = queries.Length / HnswTestData.Dim;
        var expectedIds = new long[nq * 10];
        var expectedD = new float[nq * 10];
        var ids = new long[nq * 10];
        var d = new float[nq * 10];
        var p = new SearchParameters { Ef = ef, MaxDegreeOfParallelism = 1 };
        expected.Search(queries, 10, expectedIds, expectedD, p);
        actual.Search(queries, 10, ids, d, p);
        Assert.Equal(expectedIds, ids);
        Assert.Equal(expectedD, d);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Ef_below_1_is_an_error_naming_Ef(int ef)
    {
        var ids = new long[10];
        var d = new float[10];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            data.L2.Search(data.L2Queries.AsSpan(0, HnswTestData.Dim), 10, ids, d, new SearchParameters { Ef = ef }));
        Assert.Equal("Ef", e.ParamName);
        Assert.Contains("SearchParameters.Ef must be at least 1", e.Message);
    }

    [Fact]
    public void Ef_null_means_the_index_default_EfSearch()
    {
        const int k = 10;
        int nq = HnswTestData.QueryCount;
        Assert.Equal(64, data.L2.Options.EfSearch);
        var byDefault = new long[nq * k];
        var explicit64 = new long[nq * k];
        var explicit10 = new long[nq * k];
        var d = new float[nq * k];
        data.L2.Search(data.L2Queries, k, byDefault, d, new SearchParameters { Ef = null });
        data.L2.Search(data.L2Queries, k, explicit64, d, new SearchParameters { Ef = 64 });
        data.L2.Search(data.L2Queries, k, explicit10, d, new SearchParameters { Ef = 10 });
        Assert.Equal(explicit64, byDefault);
        // ef 10 misses some of what ef 64 finds (recall ~0.97 against 1.0), so the default really was 64.
        Assert.NotEqual(explicit10, byDefault);
    }
}
