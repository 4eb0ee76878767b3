using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.Tests.Ranking;

public sealed class MlpKernelsTests
{
    private static float[] Random(int n, ref SplitMix64 rng)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = (float)rng.NextGaussian();
        return v;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 3, 5)]
    [InlineData(59, 64, 33)]
    [InlineData(64, 32, 500)]
    [InlineData(13, 1, 17)]
    public void DenseForward_MatchesTheScalarReference(int inputs, int outputs, int n)
    {
        var rng = new SplitMix64((ulong)(inputs * 1000 + outputs * 10 + n));
        float[] w = Random(inputs * outputs, ref rng), b = Random(outputs, ref rng), a = Random(inputs * n, ref rng);
        foreach (bool relu in new[] { false, true })
        {
            var fast = new float[outputs * n];
            var slow = new float[outputs * n];
            MlpKernels.DenseForward(w, b, a, n, fast, relu);
            MlpKernels.DenseForwardReference(w, b, a, n, slow, relu);
            for (int i = 0; i < fast.Length; i++)
                Assert.True(Math.Abs(fast[i] - slow[i]) <= 1e-4 * (1 + Math.Abs(slow[i])), $"relu={relu} [{i}]: {fast[i]} vs {slow[i]}");
            if (relu)
                Assert.DoesNotContain(fast, v => v < 0);
        }
    }

    [Fact]
    public void DenseBackward_MatchesFiniteDifferences()
    {
        // loss = sum(g * (W a + b)) for a fixed g: dW = g a^T, db = sum(g), da = W^T g (masked where a <= 0).
        int inputs = 5, outputs = 3, n = 4;
        var rng = new SplitMix64(7);
        float[] w = Random(inputs * outputs, ref rng), a = Random(inputs * n, ref rng), g = Random(outputs * n, ref rng);
        var dw = new float[w.Length];
        var db = new float[outputs];
        var da = new float[a.Length];
        MlpKernels.DenseBackward(w, a, g, n, dw, db, da);
        double Loss(float[] weights, float[] input)
        {
            var z = new float[outputs * n];
            MlpKernels.DenseForwardReference(weights, new float[outputs], input, n, z, relu: false);
            double s = 0;
            for (int i = 0; i < z.Length; i++)
                s += g[i] * z[i];
            return s;
        }
        const float h = 1e-2f;
        for (int i = 0; i < w.Length; i++)
        {
            var plus = (float[])w.Clone();
            var minus = (float[])w.Clone();
            plus[i] += h;
            minus[i] -= h;
            Assert.Equal((Loss(plus, a) - Loss(minus, a)) / (2 * h), dw[i], 2);
        }
        for (int j = 0; j < outputs; j++)
            Assert.Equal(g.Skip(j * n).Take(n).Sum(), db[j], 4);
        for (int i = 0; i < a.Length; i++)
        {
            var plus = (float[])a.Clone();
            var minus = (float[])a.Clone();
            plus[i] += h;
            minus[i] -= h;
            double expected = a[i] > 0 ? (Loss(w, plus) - Loss(w, minus)) / (2 * h) : 0;
            Assert.Equal(expected, da[i], 2);
        }
    }

    [Fact]
    public void SoftmaxGradient_IsSoftmaxMinusTheTargetShare()
    {
        var g = new float[3];
        double loss = MlpTrainer.SoftmaxGradient([0f, 0f, MathF.Log(2)], [1f, 0f, 1f], g);
        // softmax = [1/4, 1/4, 1/2]; target = [1/2, 0, 1/2]
        Assert.Equal(-0.25f, g[0], 6);
        Assert.Equal(0.25f, g[1], 6);
        Assert.Equal(0f, g[2], 6);
        Assert.Equal(-(0.5 * Math.Log(0.25) + 0.5 * Math.Log(0.5)), loss, 5);
    }

    [Fact]
    public void LambdaRankGradient_PushesAMisrankedPositiveUp_AndIgnoresSwapsBelowTheTruncation()
    {
        // Candidate 0 is relevant but ranked second (score 0 < 1).
        var g = new float[3];
        double loss = MlpTrainer.LambdaRankGradient([0f, 1f, -5f], [1f, 0f, 0f], g, new int[3], new int[3]);
        Assert.True(g[0] < 0, $"relevant item's gradient {g[0]} should lower the loss by raising its score");
        Assert.True(g[1] > 0 && g[2] > 0);
        Assert.True(g[1] > g[2], "the swap at the top weighs more than the one below");
        Assert.Equal(0f, g.Sum(), 5);
        Assert.True(loss > 0);

        // Truncated at 1: only pairs with one side at rank 0 count; the relevant item at rank 1 vs the last (rank 2) does not.
        var t = new float[3];
        MlpTrainer.LambdaRankGradient([0f, 1f, -5f], [1f, 0f, 0f], t, new int[3], new int[3], truncation: 1);
        Assert.Equal(0f, t[2]);
        Assert.True(t[0] < 0 && t[1] > 0);
    }
}
