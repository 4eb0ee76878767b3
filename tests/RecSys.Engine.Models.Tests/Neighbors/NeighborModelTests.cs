using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;

namespace RecSys.Engine.Models.Tests.Neighbors;

public sealed class NeighborModelTests
{
    // Users x items (binary): u0 {0,1}, u1 {0,1,2}, u2 {2,3}, u3 {1}.
    private static TrainingData Small()
    {
        var builder = new InteractionSetBuilder();
        for (int i = 0; i < 4; i++) builder.Items.GetOrAdd($"{i}");
        foreach (var (u, i) in new[] { (0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 1) })
            builder.Add($"u{u}", $"{i}", 1, 0);
        return new TrainingData(builder.Build());
    }

    [Fact]
    public void Gram_CountsCoOccurrences()
    {
        var d = Small();
        double[] g = CoOccurrence.Gram(d.Matrix, d.Transposed);
        double[] expected =
        [
            2, 2, 1, 0,
            2, 3, 1, 0,
            1, 1, 2, 1,
            0, 0, 1, 1,
        ];
        Assert.Equal(expected, g);
    }

    [Fact]
    public void Ease_MatchesTheClosedFormFromANaiveInverse()
    {
        var d = Small();
        const float lambda = 0.5f;
        var ease = new Ease(lambda);
        ease.Fit(d);
        // Naive Gauss-Jordan inverse of G + lambda I as the reference.
        int n = 4;
        double[] g = CoOccurrence.Gram(d.Matrix, d.Transposed);
        for (int i = 0; i < n; i++) g[i * n + i] += lambda;
        double[] p = GaussJordanInverse(g, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = i == j ? 0 : -p[i * n + j] / p[j * n + j];
                Assert.Equal(expected, ease.Weights[i * n + j], 5);
            }
        // u3 has item 1: scores = row 1 of B.
        var scores = new float[4];
        ease.Score(3, scores);
        Assert.Equal(ease.Weights.Slice(4, 4).ToArray(), scores);
    }

    [Theory]
    [InlineData(0.5f, 0.25f)]
    [InlineData(2f, 0.5f)]
    [InlineData(0.1f, 0.67f)]
    public void Ease_WithDropout_MatchesTheEdlaeClosedForm(float lambda, float dropout)
    {
        var d = Small();
        var ease = new Ease(lambda, dropout: dropout);
        ease.Fit(d);
        // Reference: Lambda[j, j] = lambda + p / (1 - p) x G[j, j] (Steck 2020), inverted naively.
        int n = 4;
        double[] g = CoOccurrence.Gram(d.Matrix, d.Transposed);
        for (int i = 0; i < n; i++) g[i * n + i] += lambda + dropout / (1.0 - dropout) * g[i * n + i];
        double[] p = GaussJordanInverse(g, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.Equal(i == j ? 0 : -p[i * n + j] / p[j * n + j], ease.Weights[i * n + j], 5);
        // Dropout shrinks weights towards popular columns more than plain EASE with the same lambda: item 1 is
        // the most popular (3 users), so every weight into it is smaller in magnitude.
        var plain = new Ease(lambda);
        plain.Fit(d);
        Assert.True(Math.Abs(ease.Weights[0 * n + 1]) < Math.Abs(plain.Weights[0 * n + 1]));
        Assert.Equal($"lambda={lambda:G} dropout={dropout:G}", ease.Describe());
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void Ease_RefusesADropoutOutsideZeroToOne(float dropout)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Ease(300f, dropout: dropout));
        Assert.Equal("dropout", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ease.ComputeWeights(new double[1], 1, 1f, dropout: dropout));
    }

    [Fact]
    public void ItemKnn_CosineAndJaccard_MatchHandValues_AndKeepTopNeighbors()
    {
        var d = Small();
        var cosine = new ItemKnn(neighbors: 2, ItemSimilarityKind.Cosine);
        cosine.Fit(d);
        // Item 0: c01 = 2, c00 = 2, c11 = 3 -> 2/sqrt6; c02 = 1, c22 = 2 -> 1/2; item 3 never co-occurs.
        var (items, sims) = cosine.NeighborsOf(0);
        Assert.Equal([1, 2], items.ToArray());
        Assert.Equal(2 / Math.Sqrt(6), sims.Span[0], 6);
        Assert.Equal(0.5, sims.Span[1], 6);
        var jaccard = new ItemKnn(neighbors: 3, ItemSimilarityKind.Jaccard);
        jaccard.Fit(d);
        // Item 2: c23 = 1 / (2 + 1 - 1) = 0.5; c20 = 1 / (2 + 2 - 1) = 1/3; c21 = 1 / (2 + 3 - 1) = 1/4.
        var (i2, s2) = jaccard.NeighborsOf(2);
        Assert.Equal([3, 0, 1], i2.ToArray());
        Assert.Equal([0.5f, 1 / 3f, 0.25f], s2.ToArray());
        // u2 {2, 3}: score(0) = sim(2,0) + sim(3,0) = 1/3 + 0.
        var scores = new float[4];
        jaccard.Score(2, scores);
        Assert.Equal(1 / 3f, scores[0], 6);
    }

    private static double[] GaussJordanInverse(double[] a, int n)
    {
        var m = (double[])a.Clone();
        var inv = new double[n * n];
        for (int i = 0; i < n; i++) inv[i * n + i] = 1;
        for (int c = 0; c < n; c++)
        {
            double piv = m[c * n + c];
            for (int j = 0; j < n; j++) { m[c * n + j] /= piv; inv[c * n + j] /= piv; }
            for (int r = 0; r < n; r++)
            {
                if (r == c) continue;
                double f = m[r * n + c];
                for (int j = 0; j < n; j++) { m[r * n + j] -= f * m[c * n + j]; inv[r * n + j] -= f * inv[c * n + j]; }
            }
        }
        return inv;
    }
}
