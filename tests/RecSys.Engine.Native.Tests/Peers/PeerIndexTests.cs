using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Native.Peers;
using RecSys.Engine.Testing;
using Xunit.Abstractions;

namespace RecSys.Engine.Native.Tests.Peers;

/// <summary>
/// The native peers (hnswlib, FAISS) through their bindings, against a float64 brute force. They are optional: where
/// g++ or the Debian packages are missing, build.sh exits 3 and these tests check the other promise instead, that
/// loading fails with one line naming what to install (the test output says which path ran).
/// </summary>
public sealed class PeerIndexTests(ITestOutputHelper output) : IDisposable
{
    private const int Dim = 16;
    private const int Rows = 3000;
    private const int Queries = 40;
    private const int K = 10;
    private readonly string _empty = VectorTestData.TempDirectory();
    private readonly float[] _rows = VectorTestData.ClusteredRows(1, Rows, Dim);
    private readonly float[] _queries = VectorTestData.ClusteredRows(2, Queries, Dim);

    public void Dispose() => Directory.Delete(_empty, recursive: true);

    [Theory]
    [InlineData(PeerLibrary.Hnswlib, "libhnswlib-dev")]
    [InlineData(PeerLibrary.Faiss, "libfaiss-dev")]
    public void A_missing_library_is_one_line_that_says_what_to_install_and_run(PeerLibrary library, string package)
    {
        Assert.False(PeerLibraries.TryLoad(library, _empty, out string text));
        Assert.DoesNotContain('\n', text);
        Assert.Contains(PeerLibraries.FileName(library), text);
        Assert.Contains(_empty, text);
        Assert.Contains($"apt-get install -y g++ {package}", text);
        Assert.Contains(PeerLibraries.BuildScript, text);
    }

    [Theory]
    [InlineData(PeerMetric.L2)]
    [InlineData(PeerMetric.Cosine)]
    [InlineData(PeerMetric.InnerProduct)]
    public void Hnswlib_finds_the_exact_neighbours_and_reports_our_distances(PeerMetric metric)
    {
        if (!BuiltOrExplained(PeerLibrary.Hnswlib))
            return;
        Assert.Contains("hnswlib", HnswlibIndex.Describe());
        Assert.Contains("-march=native", HnswlibIndex.Describe());
        using var index = HnswlibIndex.Build(_rows, Dim, metric, m: 16, efConstruction: 200, threads: 2);
        Assert.Equal(Rows, index.Count);
        Assert.True(index.MemoryBytes > (long)Rows * Dim * sizeof(float), $"{index.MemoryBytes} bytes cannot hold the rows");
        // A graph walk under inner product (not a metric) needs a far wider beam on these clustered rows.
        int ef = metric == PeerMetric.InnerProduct ? 1000 : 200;
        double recall = Recall(metric, (q, ids, d) => index.Search(q, ef, ids, d));
        Assert.True(recall >= 0.95, $"hnswlib recall@{K} {recall:F3} at ef {ef} ({metric})");

        var ids = new long[K];
        var distances = new float[K];
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            for (int q = 0; q < Queries; q++)
                index.Search(_queries.AsSpan(q * Dim, Dim), 32, ids, distances);
        });
        Assert.Equal(0, bytes);
        Assert.Throws<ArgumentException>(() => index.Search(new float[Dim - 1], 32, ids, distances));
        Assert.Throws<ArgumentException>(() => index.Search(_queries.AsSpan(0, Dim), 32, ids, new float[K - 1]));
    }

    [Theory]
    [InlineData(PeerMetric.L2)]
    [InlineData(PeerMetric.Cosine)]
    public void Faiss_hnsw_ivfflat_and_ivfpq_with_refine_find_the_exact_neighbours(PeerMetric metric)
    {
        if (!BuiltOrExplained(PeerLibrary.Faiss))
            return;
        Assert.Contains("FAISS", FaissIndex.Describe());
        using (var hnsw = FaissIndex.Build("HNSW16,Flat", _rows, Dim, metric, efConstruction: 200, threads: 2))
        {
            double recall = Recall(metric, (q, ids, d) => hnsw.Search(q, 200, 1, 0, ids, d));
            Assert.True(recall >= 0.95, $"faiss HNSW recall@{K} {recall:F3} at ef 200 ({metric})");
        }
        using (var ivf = FaissIndex.Build("IVF16,Flat", _rows, Dim, metric, 0, threads: 2))
        {
            // Every list probed: an exact search.
            double recall = Recall(metric, (q, ids, d) => ivf.Search(q, 1, 16, 0, ids, d));
            Assert.True(recall >= 0.99, $"faiss IVF-Flat recall@{K} {recall:F3} with every list probed ({metric})");
        }
        using var pq = FaissIndex.Build("IVF16,PQ4np,RFlat", _rows, Dim, metric, 0, threads: 2);
        double refined = Recall(metric, (q, ids, d) => pq.Search(q, 1, 16, 100, ids, d));
        Assert.True(refined >= 0.95, $"faiss IVF-PQ + RFlat recall@{K} {refined:F3} re-ranking 100 ({metric})");
        // Without re-rank a row costs its 4 code bytes and 8 id bytes; with it also the float vectors.
        Assert.Equal(12L * Rows, pq.MemoryBytes(0));
        Assert.True(pq.MemoryBytes(100) > (long)Rows * (12 + Dim * sizeof(float)), $"{pq.MemoryBytes(100)} bytes with re-rank");

        var error = Assert.Throws<InvalidOperationException>(() => FaissIndex.Build("IVF16,Bogus7", _rows, Dim, metric, 0, 1));
        Assert.Contains("IVF16,Bogus7", error.Message);
    }

    /// <summary>True when build.sh built the library; otherwise checks the one-line explanation and says so.</summary>
    private bool BuiltOrExplained(PeerLibrary library)
    {
        var (code, log) = NativePeerBuild.Run();
        if (code == NativePeerBuild.PrerequisiteMissing && !PeerLibraries.TryLoad(library, null, out string why))
        {
            output.WriteLine($"{library}: not built here, so the one-line explanation was checked instead: {why}");
            Assert.Contains($"apt-get install -y g++ {PeerLibraries.Package(library)}", why);
            Assert.DoesNotContain('\n', why);
            return false;
        }
        Assert.True(code is NativePeerBuild.Built or NativePeerBuild.PrerequisiteMissing, $"build.sh failed ({code}):\n{log}");
        Assert.True(PeerLibraries.TryLoad(library, null, out string description), description);
        output.WriteLine(description);
        return true;
    }

    private delegate int Search(ReadOnlySpan<float> query, Span<long> ids, Span<float> distances);

    /// <summary>recall@K against a float64 brute force; also checks that distances are ours, ascending and exact.</summary>
    private double Recall(PeerMetric metric, Search search)
    {
        int hits = 0;
        var ids = new long[K];
        var distances = new float[K];
        for (int q = 0; q < Queries; q++)
        {
            var query = _queries.AsSpan(q * Dim, Dim);
            Assert.Equal(K, search(query, ids, distances));
            var byDistance = new double[Rows];
            for (int i = 0; i < Rows; i++)
                byDistance[i] = Distance(metric, query, i);
            var exact = Enumerable.Range(0, Rows).OrderBy(i => byDistance[i]).Take(K).ToHashSet();
            for (int i = 0; i < K; i++)
            {
                if (exact.Contains((int)ids[i]))
                    hits++;
                double expected = Distance(metric, query, (int)ids[i]);
                Assert.True(Math.Abs(distances[i] - expected) <= 1e-3 * Math.Max(1, Math.Abs(expected)),
                    $"query {q} rank {i}: distance {distances[i]}, expected {expected} ({metric})");
                Assert.True(i == 0 || distances[i] >= distances[i - 1] - 1e-5, $"query {q}: distances not ascending at rank {i}");
            }
        }
        return (double)hits / (Queries * K);
    }

    private double Distance(PeerMetric metric, ReadOnlySpan<float> query, int row)
    {
        var r = _rows.AsSpan(row * Dim, Dim);
        return metric switch
        {
            PeerMetric.L2 => SquaredL2.Reference(query, r),
            PeerMetric.InnerProduct => -DotProduct.Reference(query, r),
            _ => 1 - CosineSimilarity.Reference(query, r),
        };
    }
}
