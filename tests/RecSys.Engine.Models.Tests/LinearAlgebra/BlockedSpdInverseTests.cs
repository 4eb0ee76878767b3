using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.LinearAlgebra;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.LinearAlgebra;

/// <summary>
/// The blocked, packed SPD inverse against the reference (<see cref="DenseCholesky.InvertSpd"/>, dot-product
/// Cholesky) and against the definition (A A^-1 = I), on sizes around the micro-tile (6 x 8), the row block (192)
/// and the factorisation block (256) edges.
/// </summary>
public sealed class BlockedSpdInverseTests
{
    /// <summary>A random SPD matrix M M^T / n + I, built with a plain triple loop.</summary>
    internal static double[] RandomSpd(int n, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var m = new double[n * n];
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextGaussian();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int t = 0; t < n; t++) s += m[i * n + t] * m[j * n + t];
                a[i * n + j] = a[j * n + i] = s / n + (i == j ? 1 : 0);
            }
        return a;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(97)]
    [InlineData(193)] // one row past a 192-row block
    [InlineData(255)]
    [InlineData(257)] // one column past a 256-column factorisation block
    [InlineData(530)] // three factorisation blocks, the last one ragged
    public void TimesMatrix_IsIdentity_AndMatchesTheReference(int n)
    {
        double[] a = RandomSpd(n, (ulong)(1000 + n));
        double[] inv = BlockedSpdInverse.Invert(a, n);
        double[] reference = DenseCholesky.InvertSpd(a, n);
        double scale = 0;
        foreach (double v in reference) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int t = 0; t < n; t++) s += a[i * n + t] * inv[t * n + j];
                Assert.True(Math.Abs(s - (i == j ? 1 : 0)) < 1e-9, $"n={n}: (A A^-1)[{i},{j}] = {s}");
                Assert.Equal(inv[i * n + j], inv[j * n + i]);
                Assert.True(Math.Abs(inv[i * n + j] - reference[i * n + j]) <= 1e-11 * scale, $"n={n}: [{i},{j}] {inv[i * n + j]} vs reference {reference[i * n + j]}");
            }
        }
    }

    [Fact]
    public void UpperTriangle_IsNotRead()
    {
        const int n = 300;
        double[] a = RandomSpd(n, 4);
        double[] expected = BlockedSpdInverse.Invert(a, n);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                a[i * n + j] = double.NaN;
        BlockedSpdInverse.InvertInPlace(a, n);
        Assert.Equal(expected, a);
    }

    [Fact]
    public void SameResult_OnOneThreadAndOnAllCores()
    {
        const int n = 611;
        double[] a = RandomSpd(n, 9);
        double[] one = BlockedSpdInverse.Invert(a, n, maxDegreeOfParallelism: 1);
        double[] all = BlockedSpdInverse.Invert(a, n, maxDegreeOfParallelism: -1);
        double[] four = BlockedSpdInverse.Invert(a, n, maxDegreeOfParallelism: 4);
        Assert.Equal(one, all);
        Assert.Equal(one, four);
    }

    [Fact]
    public void NotPositiveDefinite_Throws_NamingThePivot()
    {
        // Positive definite except for the last pivot, which lands in the second factorisation block.
        const int n = 270;
        var a = new double[n * n];
        for (int i = 0; i < n; i++) a[i * n + i] = 1;
        a[(n - 1) * n + 0] = a[0 * n + n - 1] = 2; // x0^2 + x269^2 + 4 x0 x269 is indefinite
        var e = Assert.Throws<ArithmeticException>(() => BlockedSpdInverse.InvertInPlace(a, n));
        Assert.Contains($"pivot {n - 1}", e.Message);
    }

    [Fact]
    public void Ease_OnMovieLens100K_WeightsMatchTheReferenceInverse()
    {
        // The 1,682 x 1,682 Gram matrix of the seed-42 training split, lambda 300 (the eval protocol).
        var set = MovieLens100KLoader.Load(Datasets.MovieLens100K());
        var split = Splitter.RandomPerUser(set, 0.75, 42);
        var data = new TrainingData(split.Train);
        int n = data.ItemCount;
        double[] gram = CoOccurrence.Gram(data.Matrix, data.Transposed);
        double[] withLambda = (double[])gram.Clone();
        for (int i = 0; i < n; i++) withLambda[i * n + i] += 300;
        double[] reference = DenseCholesky.InvertSpd(withLambda, n);
        // The production path: ComputeWeights adds lambda and inverts the Gram matrix in place.
        float[] weights = Ease.ComputeWeights(gram, n, 300f);
        double maxDiff = 0, maxFloatDiff = 0, maxB = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j)
                {
                    Assert.Equal(0f, weights[i * n + j]);
                    continue;
                }
                double bRef = -reference[i * n + j] / reference[j * n + j];
                double bNew = -gram[i * n + j] / gram[j * n + j];
                maxDiff = Math.Max(maxDiff, Math.Abs(bNew - bRef));
                maxFloatDiff = Math.Max(maxFloatDiff, Math.Abs(weights[i * n + j] - bRef));
                maxB = Math.Max(maxB, Math.Abs(bRef));
            }
        Assert.True(maxFloatDiff <= 1e-6 * maxB, $"float weights: max |B - B_ref| = {maxFloatDiff:E3}, max |B_ref| = {maxB:E3}");
        Assert.True(maxDiff <= 1e-9 * maxB, $"max |B - B_ref| = {maxDiff:E3}, max |B_ref| = {maxB:E3}");
    }
}
