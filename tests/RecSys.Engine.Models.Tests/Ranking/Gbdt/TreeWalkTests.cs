using RecSys.Engine.Models.Ranking.Gbdt;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Ranking.Gbdt;

/// <summary>Our tree walk against LightGBM's own predictor (LGBM_BoosterPredictForMat) and against the literal reference walk.</summary>
public sealed class TreeWalkTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Walk_EqualsLightGbmsPredictor_OnRandomAndAwkwardInputs(bool zeroAsMissing)
    {
        using var lgbm = new LightGbmModels(LightGbmModels.Parameters(zeroAsMissing), rounds: 40);
        var model = TreeEnsemble.FromLightGbmJson(lgbm.Booster.DumpModelJson());
        Assert.Equal(40, model.TreeCount);
        Assert.Equal(LightGbmModels.Features, model.FeatureCount);
        AssertMissingTypes(model, zeroAsMissing);

        float[] rows = AwkwardRows(model, seed: zeroAsMissing ? 21 : 22, count: 4000, lgbm.Rows);
        int n = rows.Length / LightGbmModels.Features;
        var expected = new double[n];
        lgbm.Booster.PredictRaw(rows, n, LightGbmModels.Features, expected);
        var actual = new float[n];
        model.Score(rows, actual);

        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> row = rows.AsSpan(r * LightGbmModels.Features, LightGbmModels.Features);
            Assert.True(Math.Abs(actual[r] - expected[r]) <= 1e-5, $"row {r} [{string.Join(", ", row.ToArray())}]: ours {actual[r]}, LightGBM {expected[r]}");
            Assert.True(Math.Abs(TreeWalk.ScoreReference(model, row) - expected[r]) <= 1e-9, $"row {r}: reference {TreeWalk.ScoreReference(model, row)}, LightGBM {expected[r]}");
        }
    }

    [Fact]
    public void FloatThreshold_DecidesEveryFloatAsLightGbmsDoubleThresholdDoes()
    {
        var rng = new Random(5);
        double z = TreeWalk.ZeroThreshold;
        double[] thresholds = [0, -0.0, z, -z, z / 2, -z / 2, 1e-40, -1e-40, 0.1, -0.1, 1.0000000000000002, 3.4e38, 1e300, -1e300,
            .. Enumerable.Range(0, 200).Select(_ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-40, 40)))];
        foreach (double t in thresholds)
        {
            float ft = TreeEnsemble.FloatThreshold(t);
            float near = (float)t;
            float[] xs = [0f, -0f, (float)z, -(float)z, MathF.BitIncrement((float)z), MathF.BitDecrement(-(float)z), 1e-36f, -1e-36f,
                near, MathF.BitIncrement(near), MathF.BitDecrement(near), ft, MathF.BitIncrement(ft), float.PositiveInfinity, float.NegativeInfinity,
                float.MaxValue, float.MinValue];
            foreach (float x in xs)
            {
                if (float.IsNaN(x))
                    continue;
                double read = Math.Abs((double)x) <= z ? 0 : x; // LightGBM's dense predictor drops |x| <= 1e-35
                Assert.True((read <= t) == (x <= ft), $"threshold {t:R}: x {x:R} goes {(read <= t ? "left" : "right")} in LightGBM, float threshold {ft:R}");
            }
        }
    }

    [Fact]
    public void Score_AllocatesNothing()
    {
        using var lgbm = new LightGbmModels(LightGbmModels.Parameters(false), rounds: 20);
        var model = TreeEnsemble.FromLightGbmJson(lgbm.Booster.DumpModelJson());
        float[] rows = lgbm.Rows.AsSpan(0, 500 * LightGbmModels.Features).ToArray();
        var scores = new float[500];
        Assert.Equal(0, AllocationProbe.FewestBytesPerBatch(() => model.Score(rows, scores)));
    }

    [Fact]
    public void Score_RefusesAMatrixOfTheWrongWidth()
    {
        using var lgbm = new LightGbmModels(LightGbmModels.Parameters(false), rounds: 2);
        var model = TreeEnsemble.FromLightGbmJson(lgbm.Booster.DumpModelJson());
        var e = Assert.Throws<ArgumentException>(() => model.Score(new float[10 * 4], new float[10]));
        Assert.Equal("matrix", e.ParamName);
    }

    private static void AssertMissingTypes(TreeEnsemble model, bool zeroAsMissing)
    {
        var seen = new HashSet<LightGbmMissingType>();
        for (int i = 0; i < model.NodeCount; i++)
        {
            if (model.SplitFeatures[i] >= 0)
                seen.Add(LightGbmDecision.MissingType(model.DecisionTypes[i]));
        }
        // The data was built so that each rule the walk implements is in the trees it is checked on.
        if (zeroAsMissing)
            Assert.Contains(LightGbmMissingType.Zero, seen);
        else
            Assert.Equal([LightGbmMissingType.None, LightGbmMissingType.NaN], seen.Order());
    }

    /// <summary>
    /// Rows that hit every rule: training rows, fresh random rows, and rows with NaN, ±0, values in and around the
    /// zero band, ±infinity, and values on, just above and just below the model's own thresholds.
    /// </summary>
    private static float[] AwkwardRows(TreeEnsemble model, int seed, int count, float[] trainingRows)
    {
        var rng = new Random(seed);
        int f = model.FeatureCount;
        var thresholds = Enumerable.Range(0, f).Select(j => Enumerable.Range(0, model.NodeCount)
            .Where(i => model.SplitFeatures[i] == j).Select(i => (float)model.Thresholds[i]).ToArray()).ToArray();
        float[] special = [float.NaN, 0f, -0f, 1e-36f, -1e-36f, (float)TreeWalk.ZeroThreshold, -(float)TreeWalk.ZeroThreshold,
            2e-35f, -2e-35f, float.PositiveInfinity, float.NegativeInfinity];
        var rows = new float[count * f];
        for (int r = 0; r < count; r++)
        {
            Span<float> row = rows.AsSpan(r * f, f);
            trainingRows.AsSpan(rng.Next(trainingRows.Length / f) * f, f).CopyTo(row);
            for (int j = 0; j < f; j++)
            {
                int pick = rng.Next(10);
                if (pick < 3 && thresholds[j].Length > 0)
                {
                    float t = thresholds[j][rng.Next(thresholds[j].Length)];
                    row[j] = rng.Next(3) switch { 0 => t, 1 => MathF.BitIncrement(t), _ => MathF.BitDecrement(t) };
                }
                else if (pick < 5)
                {
                    row[j] = special[rng.Next(special.Length)];
                }
                else if (pick < 6)
                {
                    row[j] = (float)((rng.NextDouble() - 0.5) * 30);
                }
            }
        }
        return rows;
    }
}
