using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Synthetic;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.IvfPq;

/// <summary>
/// The HNSW graph over the coarse centroids: the lists it probes against the exact scan (its oracle),
/// determinism by seed, and IVF-PQ end to end with the graph probe against the exact probe.
/// </summary>
public class CoarseGraphTests(IvfPqFixture f) : IClassFixture<IvfPqFixture>, IDisposable
{
    private const int K = IvfPqFixture.K;
    private const int Dim = 48;
    private const int NList = 4096;
    private const int Queries = 200;
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Centroid-like rows: normalised generated vectors (k-means centroids of such data look like it).</summary>
    private static (float[] Centroids, float[] Queries) CentroidsAndQueries()
    {
        var gen = new SyntheticVectorGenerator(Dim, 7);
        var c = gen.GenerateBase(NList);
        var q = gen.GenerateQueries(Queries);
        for (int i = 0; i < NList; i++)
            CosineSimilarity.Normalize(c.AsSpan(i * Dim, Dim));
        for (int i = 0; i < Queries; i++)
            CosineSimilarity.Normalize(q.AsSpan(i * Dim, Dim));
        return (c, q);
    }

    private static double Overlap(CoarseQuantizer graph, float[] queries, int nprobe, int ef, bool innerProduct)
    {
        var exact = new long[nprobe];
        var got = new long[nprobe];
        var keys = new float[nprobe];
        var exactKeys = new float[nprobe];
        int hits = 0;
        for (int q = 0; q < Queries; q++)
        {
            var query = queries.AsSpan(q * Dim, Dim);
            graph.Probe(query, exact, exactKeys, exact: true);
            graph.Probe(query, got, keys, ef);
            foreach (long l in got)
            {
                if (exact.AsSpan().Contains(l))
                    hits++;
            }
            // Keys are true distances of the lists found, closest first, in the exact scan's units.
            for (int i = 0; i < nprobe; i++)
            {
                var c = graph.Centroid((int)got[i]);
                float expected = innerProduct ? -DotProductOf(query, c) : SquaredL2.Compute(query, c);
                Assert.Equal(expected, keys[i], 3);
                if (i > 0)
                    Assert.True(keys[i] >= keys[i - 1]);
            }
        }
        return (double)hits / (Queries * nprobe);
    }

    private static float DotProductOf(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Graph_probes_match_the_exact_nearest_centroids(bool innerProduct)
    {
        var (c, q) = CentroidsAndQueries();
        using var coarse = new CoarseQuantizer(c, Dim, innerProduct);
        coarse.BuildGraph(m: 32, efConstruction: 100, seed: 3);
        Assert.NotNull(coarse.Graph);
        Assert.Equal(NList, coarse.Graph!.Count);
        foreach (int nprobe in new[] { 1, 16, 64 })
        {
            double overlap = Overlap(coarse, q, nprobe, ef: 64, innerProduct);
            // Measured 1.000 (nprobe 1, 16) and 0.994 (nprobe 64) for both metrics, on all three SIMD settings.
            Assert.True(overlap >= 0.98, $"nprobe {nprobe}, ef 64: graph probes overlap the exact ones at {overlap:F3} (measured 0.994-1.000)");
        }
        // A beam far narrower than nprobe is raised to nprobe, so every probe slot is still filled.
        var lists = new long[32];
        coarse.Probe(q.AsSpan(0, Dim), lists, new float[32], ef: 1);
        Assert.DoesNotContain(-1L, lists);
        Assert.Equal(32, lists.Distinct().Count());
    }

    [Fact]
    public void The_same_centroids_and_seed_give_the_same_graph_probes()
    {
        var (c, q) = CentroidsAndQueries();
        using var a = new CoarseQuantizer(c, Dim, false);
        using var b = new CoarseQuantizer((float[])c.Clone(), Dim, false);
        a.BuildGraph(16, 40, seed: 9);
        b.BuildGraph(16, 40, seed: 9);
        var la = new long[16];
        var lb = new long[16];
        var ka = new float[16];
        var kb = new float[16];
        for (int i = 0; i < Queries; i++)
        {
            a.Probe(q.AsSpan(i * Dim, Dim), la, ka, ef: 16);
            b.Probe(q.AsSpan(i * Dim, Dim), lb, kb, ef: 16);
            Assert.Equal(la, lb);
            Assert.Equal(ka, kb);
        }
    }

    private IvfPqIndex Build(int coarseGraphMinLists)
    {
        var options = f.Options with { NList = 256, CoarseGraphMinLists = coarseGraphMinLists, CoarseGraphM = 16, CoarseGraphEfConstruction = 64, CoarseGraphEf = 32 };
        var index = new IvfPqIndex(IvfPqFixture.Dim, DistanceMetric.Cosine, options);
        index.Train(f.Base.AsSpan(0, 40_000 * IvfPqFixture.Dim));
        index.Add(f.Ids, f.Base);
        return index;
    }

    private static long[] Search(IVectorIndex index, float[] queries, SearchParameters p)
    {
        var ids = new long[queries.Length / index.Dimension * K];
        index.Search(queries, K, ids, new float[ids.Length], p);
        return ids;
    }

    [Fact]
    public void Ivfpq_with_the_graph_probe_keeps_the_recall_of_the_exact_probe_and_survives_save_and_load()
    {
        using var exact = Build(coarseGraphMinLists: int.MaxValue);
        using var graph = Build(coarseGraphMinLists: 1);
        Assert.Null(exact.CoarseQuantizer!.Graph);
        Assert.NotNull(graph.CoarseQuantizer!.Graph);
        // Same seed, same centroids and codes: only the probe differs.
        Assert.Equal(exact.CoarseQuantizer.Centroids.ToArray(), graph.CoarseQuantizer.Centroids.ToArray());
        Assert.True(graph.MemoryBytes > exact.MemoryBytes, "the graph's memory is reported");

        foreach (var p in new[] { new SearchParameters { NProbe = 8, Refine = 0 }, new SearchParameters { NProbe = 8, Refine = 100 }, new SearchParameters { NProbe = 16, Refine = 50, Ef = 64 } })
        {
            double re = f.Recall(Search(exact, f.QueryRows, p));
            double rg = f.Recall(Search(graph, f.QueryRows, p));
            Assert.True(rg >= re - 0.02, $"nprobe {p.NProbe}, refine {p.Refine}: graph probe recall {rg:F3} vs exact probe {re:F3}");
        }
        double refined = f.Recall(Search(graph, f.QueryRows, new SearchParameters { NProbe = 16, Refine = 100 }));
        // Measured 0.9995 on all three SIMD settings.
        Assert.True(refined >= 0.985, $"recall@10 with the graph probe and refine: {refined:F4} (measured 0.9995)");

        graph.Save(_dir);
        Assert.True(Directory.Exists(Path.Combine(_dir, IvfPqIndex.CoarseGraphDirectoryName)));
        using var loaded = IvfPqIndex.Load(_dir);
        Assert.NotNull(loaded.CoarseQuantizer!.Graph);
        Assert.Equal(32, loaded.CoarseQuantizer.GraphEf);
        foreach (var p in new[] { new SearchParameters { NProbe = 8, Refine = 0 }, new SearchParameters { NProbe = 4, Refine = 50, Ef = 8 } })
            Assert.Equal(Search(graph, f.QueryRows, p), Search(loaded, f.QueryRows, p));

        // Saving an index without a graph over the same directory removes the stale graph.
        exact.Save(_dir);
        Assert.False(Directory.Exists(Path.Combine(_dir, IvfPqIndex.CoarseGraphDirectoryName)));
        using var reloaded = IvfPqIndex.Load(_dir);
        Assert.Null(reloaded.CoarseQuantizer!.Graph);
    }

    [Fact]
    public void Graph_probe_search_allocates_nothing_once_warm()
    {
        var data = VectorTestData.ClusteredRows(5, 4000, 16);
        using var index = new IvfPqIndex(16, DistanceMetric.L2, new IvfPqOptions { NList = 64, M = 4, KMeansIterations = 3, PqIterations = 3, CoarseGraphMinLists = 1 });
        index.Train(data);
        index.Add(Enumerable.Range(0, 4000).Select(i => (long)i).ToArray(), data);
        Assert.NotNull(index.CoarseQuantizer!.Graph);
        var query = data.AsSpan(0, 16).ToArray();
        var ids = new long[K];
        var d = new float[K];
        foreach (var p in new[] { new SearchParameters { NProbe = 8, Refine = 0, MaxDegreeOfParallelism = 1 }, new SearchParameters { NProbe = 8, Refine = 20, Ef = 40, MaxDegreeOfParallelism = 1 } })
        {
            long bytes = AllocationProbe.FewestBytesPerBatch(() =>
            {
                for (int i = 0; i < 50; i++)
                    index.Search(query, K, ids, d, p);
            });
            Assert.Equal(0, bytes);
        }
    }

    [Fact]
    public void A_missing_or_foreign_coarse_graph_is_rejected()
    {
        var data = VectorTestData.ClusteredRows(3, 600, 16);
        var options = new IvfPqOptions { NList = 8, M = 4, KMeansIterations = 3, PqIterations = 3, CoarseGraphMinLists = 1 };
        string other = VectorTestData.TempDirectory();
        try
        {
            using (var index = new IvfPqIndex(16, DistanceMetric.L2, options))
            {
                index.Train(data);
                index.Add(Enumerable.Range(0, 600).Select(i => (long)i).ToArray(), data);
                index.Save(_dir);
            }
            // A graph from a different training (another seed: other centroids) in place of this one.
            using (var index = new IvfPqIndex(16, DistanceMetric.L2, options with { Seed = 1234 }))
            {
                index.Train(VectorTestData.ClusteredRows(4, 600, 16));
                index.Save(other);
            }
            string graphDir = Path.Combine(_dir, IvfPqIndex.CoarseGraphDirectoryName);
            Directory.Delete(graphDir, recursive: true);
            var missing = Assert.Throws<InvalidDataException>(() => IvfPqIndex.Load(_dir).Dispose());
            Assert.Contains(IvfPqIndex.CoarseGraphDirectoryName, missing.Message);
            Assert.Contains("missing", missing.Message);

            Directory.Move(Path.Combine(other, IvfPqIndex.CoarseGraphDirectoryName), graphDir);
            var foreign = Assert.Throws<InvalidDataException>(() => IvfPqIndex.Load(_dir).Dispose());
            Assert.Contains("not this index's centroids", foreign.Message);
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }
}
