using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Pipeline.Evaluation;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Tests.Evaluation;

/// <summary>
/// The offline pipeline evaluation reproduces by seed: its indexes are built on one thread, so two builds from the same
/// vectors are the same graph and answer every query alike (a parallel HNSW build links nodes in thread-timing order, and
/// the candidates, training rows and the GBDT's early stopping then moved from run to run).
/// </summary>
public sealed class PipelineBootstrapDeterminismTests
{
    [Fact]
    public void The_evaluations_indexes_answer_identically_across_builds()
    {
        Assert.Equal(1, PipelineRecommender.Bootstrap.Build.Threads);
        const int items = 3000, dimension = 16, k = 50;
        var rng = new Random(7);
        var rows = new float[items * dimension];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)(rng.NextDouble() * 2 - 1);
        var queries = new float[200 * dimension];
        for (int i = 0; i < queries.Length; i++)
            queries[i] = (float)(rng.NextDouble() * 2 - 1);

        long[] first = Neighbours(rows, queries, dimension, k);
        long[] second = Neighbours(rows, queries, dimension, k);

        Assert.Equal(first, second);
        Assert.All(first, id => Assert.InRange(id, 0, items - 1));
    }

    private static long[] Neighbours(float[] rows, float[] queries, int dimension, int k)
    {
        var options = PipelineRecommender.Bootstrap;
        using IVectorIndex index = ServingBootstrap.BuildIndex(options.CfIndex, options.Build, dimension, DistanceMetric.InnerProduct, rows);
        int n = queries.Length / dimension;
        var ids = new long[n * k];
        index.Search(queries, k, ids, new float[n * k], new SearchParameters { MaxDegreeOfParallelism = 1 });
        return ids;
    }
}
