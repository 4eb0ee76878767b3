using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Ranking;

public sealed class MlpTrainerTests
{
    private static readonly MlpTrainingOptions Fast = new() { Hidden = [32, 16], MaxEpochs = 25, Patience = 5, LearningRate = 3e-3f };

    [Fact]
    public void TrainedOnAPlantedSignal_BeatsPopularityAndRandomOrder_OnUnseenQueries()
    {
        var (train, validation) = RankingTestData.Planted(300, seed: 1).SplitByQuery(0.2, seed: 2);
        RankingDataset test = RankingTestData.Planted(100, seed: 3);
        MlpTrainingResult result = MlpTrainer.Train(train, validation, Fast);

        double mlp = RankingDatasetMetrics.MeanNdcg(test, result.Model.ScoreAll(test), 10);
        double popularity = RankingDatasetMetrics.MeanNdcg(test, RankingTestData.ByFeature(test, "item_log_trend"), 10);
        var rng = new SplitMix64(9);
        var random = new float[test.Rows];
        for (int i = 0; i < random.Length; i++)
            random[i] = (float)rng.NextGaussian();
        double randomOrder = RankingDatasetMetrics.MeanNdcg(test, random, 10);
        // The planted rule needs the als x ease x similarity interaction; als alone is a strong but partial signal.
        double alsOnly = RankingDatasetMetrics.MeanNdcg(test, RankingTestData.ByFeature(test, "source_als_score_z"), 10);

        Assert.True(mlp > popularity + 0.3, $"mlp {mlp:F3} vs popularity {popularity:F3}");
        Assert.True(mlp > randomOrder + 0.3, $"mlp {mlp:F3} vs random {randomOrder:F3}");
        Assert.True(mlp > alsOnly + 0.05, $"mlp {mlp:F3} vs als alone {alsOnly:F3}");
        Assert.Equal(result.ValidationNdcgByEpoch.Max(), result.ValidationNdcg);
        Assert.InRange(result.BestEpoch, 1, Fast.MaxEpochs);
    }

    [Fact]
    public void Training_IsDeterministicBySeed()
    {
        var (train, validation) = RankingTestData.Planted(60, seed: 4).SplitByQuery(0.25, seed: 5);
        var options = Fast with { MaxEpochs = 3 };
        float[] a = MlpTrainer.Train(train, validation, options).Model.Parameters;
        float[] b = MlpTrainer.Train(train, validation, options).Model.Parameters;
        float[] c = MlpTrainer.Train(train, validation, options with { Seed = 43 }).Model.Parameters;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Score_AllocatesNothingOnceWarm_AndMatchesTheKernelReference()
    {
        var schema = RankingTestData.Schema();
        var (mean, inv) = (new float[schema.Count], Enumerable.Repeat(1f, schema.Count).ToArray());
        var model = new MlpRanker(schema, [16, 8], mean, inv, seed: 3);
        var rng = new SplitMix64(11);
        var rows = new float[500 * schema.Count];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)rng.NextGaussian();
        var scores = new float[500];
        var scratch = new MlpScratch(model, capacity: 16); // grows once, on the first call
        long bytes = AllocationProbe.FewestBytesPerBatch(() => model.Score(rows, 500, scores, scratch));
        Assert.Equal(0, bytes);

        // The same arithmetic one layer at a time with the float64 reference kernel.
        var a = new float[schema.Count * 500];
        MlpKernels.TransposeStandardize(rows, 500, mean, inv, a);
        for (int l = 0; l < model.LayerCount; l++)
        {
            var z = new float[model.LayerSizes[l + 1] * 500];
            MlpKernels.DenseForwardReference(model.Weights(l), model.Bias(l), a, 500, z, relu: l < model.LayerCount - 1);
            a = z;
        }
        for (int c = 0; c < 500; c++)
            Assert.True(Math.Abs(a[c] - scores[c]) <= 1e-4 * (1 + Math.Abs(a[c])), $"candidate {c}: {scores[c]} vs {a[c]}");
    }

    [Fact]
    public void Standardization_GivesConstantFeaturesZeroWeight()
    {
        var (mean, inv) = MlpRanker.Standardization([1f, 5f, 3f, 5f], 2);
        Assert.Equal([2f, 5f], mean);
        Assert.Equal(1f, inv[0], 5);
        Assert.Equal(0f, inv[1]);
    }

    [Fact]
    public void Standardization_OfAFeatureConstantUpToFloatNoise_IsZeroWeight()
    {
        // The demo's user_log_history: log(1 + 14) for every training user, up to float noise in a few rows. Its old
        // 1 / std (578,438) turned log(1 + 19) at serving into an input of 166,000.
        const int rows = 100_000;
        float value = MathF.Log(15f);
        var data = new float[rows * 2];
        for (int r = 0; r < rows; r++)
        {
            data[2 * r] = r % 3;
            data[2 * r + 1] = r % 33 == 0 ? value + 1e-4f : value; // std ~1.7e-5: float noise on an order-1 feature
        }
        var (mean, inv) = MlpRanker.Standardization(data, 2);
        Assert.Equal(value, mean[1], 5);
        Assert.True(inv[1] == 0, $"1 / std of the near-constant feature: {inv[1]}");
        // The varying feature keeps its scale: values 0, 1, 2 evenly -> std sqrt(2/3).
        Assert.Equal(1 / MathF.Sqrt(2f / 3), inv[0], 3);
    }
}
