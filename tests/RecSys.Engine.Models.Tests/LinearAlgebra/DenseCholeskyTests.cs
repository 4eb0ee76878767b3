using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.LinearAlgebra;

namespace RecSys.Engine.Models.Tests.LinearAlgebra;

public sealed class DenseCholeskyTests
{
    /// <summary>A random SPD matrix: M M^T / n + I.</summary>
    private static double[] RandomSpd(int n, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var m = new double[n * n];
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextGaussian();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int t = 0; t < n; t++) s += m[i * n + t] * m[j * n + t];
                a[i * n + j] = s / n + (i == j ? 1 : 0);
            }
        return a;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void FactorAndSolve_SolveTheSystem(int n)
    {
        double[] a = RandomSpd(n, (ulong)n);
        var b = Enumerable.Range(0, n).Select(i => Math.Sin(i + 1)).ToArray();
        double[] l = (double[])a.Clone();
        DenseCholesky.Factor(l, n);
        double[] x = (double[])b.Clone();
        DenseCholesky.Solve(l, n, x);
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += a[i * n + j] * x[j];
            Assert.Equal(b[i], s, 9);
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(130)] // above the parallel threshold of the factorisation
    [InlineData(203)] // ragged last block of four
    public void InvertSpd_TimesMatrix_IsIdentity(int n)
    {
        double[] a = RandomSpd(n, 11);
        double[] inv = DenseCholesky.InvertSpd(a, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int t = 0; t < n; t++) s += a[i * n + t] * inv[t * n + j];
                Assert.True(Math.Abs(s - (i == j ? 1 : 0)) < 1e-9, $"(A A^-1)[{i},{j}] = {s}");
                Assert.Equal(inv[i * n + j], inv[j * n + i]);
            }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(150)] // above the parallel threshold, blocks of 4 plus a ragged last block
    [InlineData(161)]
    public void BlockedFactor_MatchesSequentialFactor(int n)
    {
        double[] a = RandomSpd(n, 5);
        double[] seq = (double[])a.Clone();
        DenseCholesky.Factor(seq, n);
        double[] par = (double[])a.Clone();
        DenseCholesky.FactorParallel(par, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                Assert.True(Math.Abs(seq[i * n + j] - par[i * n + j]) < 1e-12 * (1 + Math.Abs(seq[i * n + j])), $"L[{i},{j}]");
    }

    [Fact]
    public void Dot4_MatchesFourDots_OnEveryTailLength()
    {
        var rng = new SplitMix64(8);
        for (int n = 0; n <= 37; n++)
        {
            var rows = new double[5][];
            for (int r = 0; r < 5; r++)
                rows[r] = Enumerable.Range(0, n).Select(_ => rng.NextGaussian()).ToArray();
            var result = new double[4];
            DoubleDot4.Compute(rows[0], rows[1], rows[2], rows[3], rows[4], result);
            for (int r = 0; r < 4; r++)
            {
                double expected = 0;
                for (int i = 0; i < n; i++) expected += rows[r][i] * rows[4][i];
                Assert.True(Math.Abs(expected - result[r]) < 1e-12 * (1 + n), $"n={n} r={r}");
            }
        }
    }

    [Fact]
    public void NotPositiveDefinite_Throws()
    {
        double[] a = [1, 2, 2, 1];
        Assert.Throws<ArithmeticException>(() => DenseCholesky.Factor(a, 2));
    }
}
