using RecSys.Engine.Cli.Bench;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Bench;

/// <summary>The USearch peer searches through the C API on kept buffers: same answers as its binding, nothing allocated.</summary>
public sealed class USearchCandidateTests
{
    private const int Dim = 16;
    private const int N = 2000;
    private const int K = 10;

    private static USearchCandidate Built(int[] efs)
    {
        var rows = VectorTestData.ClusteredRows(5, N, Dim);
        var data = new AnnDataset
        {
            Directory = "", Dimension = Dim, BaseCount = N, QueryCount = 0, Metric = DistanceMetric.L2,
            Base = rows, Queries = [], GroundTruth = [], GroundTruthK = 0,
        };
        // One build thread: a parallel insert order makes a different graph on each run, and the "a row finds itself"
        // check below failed once in CI (row 1164 found 1978 first) on such a graph. One thread gives the same graph each time.
        var candidate = new USearchCandidate(connectivity: 8, expansionAdd: 64, efs, buildThreads: 1);
        candidate.Build(data, TextWriter.Null);
        return candidate;
    }

    [Fact]
    public void Native_search_returns_what_the_binding_returns_at_every_ef()
    {
        int[] efs = [10, 64];
        using var candidate = Built(efs);
        Assert.Equal(efs.Length, candidate.Settings.Count); // the native handle was found: every ef is swept
        var queries = VectorTestData.ClusteredRows(6, 40, Dim);
        var rows = VectorTestData.ClusteredRows(5, N, Dim);
        var native = new long[K];
        var binding = new long[K];
        for (int setting = 0; setting < efs.Length; setting++)
        {
            for (int q = 0; q < 40; q++)
            {
                var query = queries.AsSpan(q * Dim, Dim);
                candidate.Search(setting, query, K, native); // sets this setting's ef, which the binding then uses too
                candidate.SearchThroughBinding(query, K, binding);
                Assert.Equal(binding, native);
                Assert.DoesNotContain(-1L, native);
            }
        }
        // A stored row finds itself first (at the wider ef): the answers are real neighbours, not a buffer read twice.
        for (int r = 0; r < N; r += 97)
        {
            candidate.Search(1, rows.AsSpan(r * Dim, Dim), K, native);
            Assert.Equal(r, native[0]);
        }
        // More neighbours than the index holds: the tail is -1 on both paths.
        var wide = new long[N + 5];
        var wideBinding = new long[N + 5];
        candidate.Search(1, queries.AsSpan(0, Dim), N + 5, wide);
        candidate.SearchThroughBinding(queries.AsSpan(0, Dim), N + 5, wideBinding);
        Assert.Equal(wideBinding, wide);
        Assert.Equal(Enumerable.Repeat(-1L, 5), wide[N..]);
    }

    [Fact]
    public void Search_allocates_nothing_once_warm()
    {
        using var candidate = Built([16, 32]);
        var query = VectorTestData.ClusteredRows(7, 1, Dim);
        var ids = new long[K];
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            for (int i = 0; i < 50; i++)
                candidate.Search(i & 1, query, K, ids); // switching ef between calls allocates nothing either
        });
        Assert.Equal(0, bytes);
    }
}
