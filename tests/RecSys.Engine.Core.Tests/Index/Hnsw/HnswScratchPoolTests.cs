using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Tests.Index.Hnsw;

/// <summary>
/// A search's working memory (the visited set: 2 bytes a node) comes from a shared pool, so a thread that never
/// searched does not make one of its own. Alone in its collection: other tests' searches would take the pooled ones.
/// </summary>
[Collection(nameof(HnswScratchPoolTests))]
public sealed class HnswScratchPoolTests
{
    private const int Dim = 8;
    private const int N = 10_000;

    [Fact]
    public void Searches_on_threads_that_never_searched_reuse_the_pooled_working_memory()
    {
        var rng = new Random(3);
        var ids = new long[N];
        var rows = new float[N * Dim];
        for (int i = 0; i < N; i++)
            ids[i] = i;
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)rng.NextDouble();
        using var index = new HnswIndex(Dim, DistanceMetric.L2, new HnswOptions { M = 8, EfConstruction = 32, Seed = 1 });
        index.Add(ids, rows);
        var parameters = new SearchParameters { Ef = 32, MaxDegreeOfParallelism = 1 };
        var outIds = new long[10];
        var outDist = new float[10];
        index.Search(rows.AsSpan(0, Dim), 10, outIds, outDist, parameters);

        var bytes = new long[8];
        var nearest = new long[8];
        for (int t = 0; t < bytes.Length; t++)
        {
            int thread = t;
            // Nothing asserted on the worker: a failure there would take the test host down instead of failing the test.
            var worker = new Thread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                index.Search(rows.AsSpan((thread + 1) * Dim, Dim), 10, outIds, outDist, parameters);
                bytes[thread] = GC.GetAllocatedBytesForCurrentThread() - before;
                nearest[thread] = outIds[0];
            });
            worker.Start();
            worker.Join();
        }
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], nearest);
        // A visited set for this index alone is at least 2 x 10,000 bytes; a thread that made its own would show it.
        Assert.All(bytes, b => Assert.True(b < 2_000, $"a first search on a new thread allocated {b} bytes (each thread: {string.Join(", ", bytes)})"));
    }
}
