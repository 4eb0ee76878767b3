using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Synthetic;

namespace RecSys.Engine.Core.Tests.Vectors.Synthetic;

/// <summary>
/// GroundTruth.Compute against a plain scalar brute force. Small-integer vectors make every
/// score exact in both implementations and produce many exact ties, so the tie-break (smaller
/// id first) and every blocking edge (4x2 kernel, tails of queries, rows and dimensions, base
/// chunks) are checked exactly, not within a tolerance.
/// </summary>
public class GroundTruthTests
{
    private static float[] SmallIntegers(int count, int dim, int seed)
    {
        var random = new Random(seed);
        var rows = new float[count * dim];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = random.Next(-3, 4);
        return rows;
    }

    /// <summary>The definition, written as plainly as possible.</summary>
    private static int[] Reference(float[] b, int n, float[] q, int nq, int dim, DistanceMetric metric, int k)
    {
        if (metric == DistanceMetric.Cosine)
        {
            b = (float[])b.Clone();
            q = (float[])q.Clone();
            for (int i = 0; i < n; i++)
                SyntheticVectorGenerator.Normalize(b.AsSpan(i * dim, dim));
            for (int i = 0; i < nq; i++)
                SyntheticVectorGenerator.Normalize(q.AsSpan(i * dim, dim));
        }
        var result = new int[nq * k];
        for (int qi = 0; qi < nq; qi++)
        {
            var scored = new (double Distance, int Id)[n];
            for (int bi = 0; bi < n; bi++)
            {
                double d = 0;
                for (int j = 0; j < dim; j++)
                {
                    double x = q[qi * dim + j], y = b[bi * dim + j];
                    d += metric == DistanceMetric.L2 ? (x - y) * (x - y) : -(x * y);
                }
                scored[bi] = (d, bi);
            }
            Array.Sort(scored);
            for (int i = 0; i < k; i++)
                result[qi * k + i] = scored[i].Id;
        }
        return result;
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(5, 3, 1, 5)]
    [InlineData(37, 9, 3, 10)]
    [InlineData(200, 7, 5, 20)]
    [InlineData(501, 17, 6, 100)]
    [InlineData(1000, 4, 70, 8)]     // more than one query block
    [InlineData(9000, 13, 2, 100)]   // few queries: the base is split into chunks and merged
    public void ExactOnIntegerData_MatchesScalarReference(int n, int dim, int nq, int k)
    {
        float[] b = SmallIntegers(n, dim, seed: n);
        float[] q = SmallIntegers(nq, dim, seed: -n);
        foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.InnerProduct })
            Assert.Equal(Reference(b, n, q, nq, dim, metric, k), GroundTruth.Compute(b, n, q, nq, dim, metric, k));
    }

    [Theory]
    [InlineData(300, 5, 4)]
    [InlineData(2000, 33, 9)]
    public void Cosine_MatchesScalarReference(int n, int dim, int nq)
    {
        var gen = new SyntheticVectorGenerator(dim, 7);
        float[] b = gen.GenerateBase(n);
        float[] q = gen.GenerateQueries(nq);
        Assert.Equal(Reference(b, n, q, nq, dim, DistanceMetric.Cosine, 10), GroundTruth.Compute(b, n, q, nq, dim, DistanceMetric.Cosine, 10));
    }

    [Fact]
    public void Cosine_DoesNotModifyInputs()
    {
        float[] b = [3, 4, 1, 1];
        float[] q = [2, 0];
        GroundTruth.Compute(b, 2, q, 1, 2, DistanceMetric.Cosine, 2);
        Assert.Equal([3f, 4f, 1f, 1f], b);
        Assert.Equal([2f, 0f], q);
    }

    [Fact]
    public void Progress_EndsAtOne()
    {
        var reports = new List<double>();
        var progress = new SynchronousProgress(v => { lock (reports) reports.Add(v); });
        float[] b = SmallIntegers(5000, 8, 1);
        GroundTruth.Compute(b, 5000, b, 100, 8, DistanceMetric.L2, 10, progress);
        Assert.Equal(1.0, reports[^1]);
        Assert.True(reports.Count > 2);
    }

    [Fact]
    public void BadArguments_Throw()
    {
        float[] b = [1, 2, 3, 4];
        Assert.Throws<ArgumentOutOfRangeException>(() => GroundTruth.Compute(b, 2, b, 1, 2, DistanceMetric.L2, 3));
        Assert.Throws<ArgumentException>(() => GroundTruth.Compute(b, 3, b, 1, 2, DistanceMetric.L2, 1));
        Assert.Throws<ArgumentException>(() => GroundTruth.Compute([1, float.NaN], 1, b, 1, 2, DistanceMetric.L2, 1));
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
