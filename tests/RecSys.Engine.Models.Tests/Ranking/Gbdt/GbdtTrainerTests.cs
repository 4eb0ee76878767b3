using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Models.Tests.Ranking.Gbdt;

public sealed class GbdtTrainerTests
{
    private static readonly GbdtOptions Options = new() { NumLeaves = 15, LearningRate = 0.1, MaxIterations = 300, EarlyStoppingRounds = 20 };

    [Fact]
    public void LambdaRank_OnAPlantedSignal_BeatsPopularityAndRandomOrder_OnHeldOutQueries()
    {
        var train = RankingTestData.Queries(seed: 1, queries: 300, perQuery: 40);
        var validation = RankingTestData.Queries(seed: 2, queries: 100, perQuery: 40);
        var test = RankingTestData.Queries(seed: 3, queries: 200, perQuery: 40);
        var log = new List<string>();

        var result = GbdtTrainer.Train(train, validation, Options, log.Add);

        var scores = new float[test.Rows];
        result.Model.Score(test.Features.Span, scores);
        double gbdt = RankingTestData.MeanNdcg(test, scores, 10);
        var popularity = new float[test.Rows];
        for (int r = 0; r < test.Rows; r++)
            popularity[r] = test.Features.Span[r * RankingTestData.Features + RankingTestData.PopularityFeature];
        double byPopularity = RankingTestData.MeanNdcg(test, popularity, 10);
        var rng = new Random(4);
        var random = new float[test.Rows];
        for (int r = 0; r < random.Length; r++)
            random[r] = (float)rng.NextDouble();
        double byRandom = RankingTestData.MeanNdcg(test, random, 10);

        string summary = $"gbdt {gbdt:F4}, popularity {byPopularity:F4}, random {byRandom:F4}; {log[^1]}";
        Assert.True(byPopularity > byRandom + 0.1, summary);
        Assert.True(gbdt > byPopularity + 0.1, summary);
        // Early stopping ran: the model is cut at the best round, which is before the last one trained.
        Assert.Equal(result.BestIteration, result.Model.TreeCount);
        Assert.True(result.BestIteration < result.ValidationNdcg.Count || result.ValidationNdcg.Count == Options.MaxIterations, summary);
        Assert.Equal(result.ValidationNdcg.Max(), result.BestValidationNdcg);
    }

    [Fact]
    public void ACallersValidationMetric_DrivesEarlyStopping_OnTheRawScoresOfTheEvaluatedRounds()
    {
        var train = RankingTestData.Queries(seed: 8, queries: 120, perQuery: 30);
        var validation = RankingTestData.Queries(seed: 9, queries: 40, perQuery: 30);
        var options = Options with { EvaluateEvery = 5, EarlyStoppingRounds = 20 };
        var seen = new List<float[]>();

        // A metric that prefers the first evaluation: LightGBM's own NDCG would keep improving well past round 5.
        var result = GbdtTrainer.Train(train, validation, options, validationMetric: scores =>
        {
            seen.Add(scores.ToArray());
            return -seen.Count;
        });

        Assert.Equal(5, result.BestIteration);
        Assert.Equal(5, result.Model.TreeCount);
        Assert.Equal(-1, result.BestValidationNdcg);
        // Evaluated at rounds 5, 10, ..., 25: stopped once 20 rounds passed without improving.
        Assert.Equal([-1.0, -2, -3, -4, -5], result.ValidationNdcg);
        float[] cut = Scores(result.Model, validation);
        Assert.Equal(validation.Rows, seen[0].Length);
        for (int r = 0; r < cut.Length; r++)
            Assert.Equal(cut[r], seen[0][r], 1e-5f);
    }

    [Fact]
    public void AnEmptyTreeBeforeTheFirstEvaluatedRound_KeepsTheRoundsTrainedSoFar()
    {
        // One feature that orders every query perfectly, a learning rate far past any sane one: after a round or two
        // the scores are so far apart that LambdaRank's hessians vanish and no split is left (an empty tree), before
        // round 5, the first round a caller's metric is evaluated at. The rounds trained are a model, not "no split".
        static RankingTrainingSet Separable(int queries)
        {
            var x = new List<float>();
            var y = new List<float>();
            for (int q = 0; q < queries; q++)
            {
                for (int i = 0; i < 20; i++)
                {
                    bool relevant = i < 4;
                    x.Add(relevant ? 1f : 0f);
                    x.Add((q * 31 + i * 7) % 13);
                    y.Add(relevant ? 1f : 0f);
                }
            }
            return new RankingTrainingSet(x.ToArray(), 2, y.ToArray(), Enumerable.Repeat(20, queries).ToArray());
        }
        var log = new List<string>();
        var options = Options with { LearningRate = 50, NumLeaves = 2, MinDataInLeaf = 5, EvaluateEvery = 5, MaxIterations = 50 };
        var result = GbdtTrainer.Train(Separable(60), Separable(20), options, log.Add, validationMetric: scores => 1.0);
        Assert.Contains(log, l => l.Contains("found no split"));
        Assert.InRange(result.BestIteration, 1, 4);
        Assert.Equal(result.BestIteration, result.Model.TreeCount);
    }

    [Fact]
    public void Training_IsDeterministic_BySeed()
    {
        var train = RankingTestData.Queries(seed: 5, queries: 120, perQuery: 30);
        var validation = RankingTestData.Queries(seed: 6, queries: 40, perQuery: 30);
        var options = Options with { FeatureFraction = 0.7, BaggingFraction = 0.8, BaggingFrequency = 1 };

        var a = GbdtTrainer.Train(train, validation, options);
        var b = GbdtTrainer.Train(train, validation, options);
        var c = GbdtTrainer.Train(train, validation, options with { Seed = 7 });

        float[] sa = Scores(a.Model, validation), sb = Scores(b.Model, validation), sc = Scores(c.Model, validation);
        Assert.Equal(a.BestIteration, b.BestIteration);
        Assert.Equal(sa, sb);
        Assert.NotEqual(sa, sc); // the seed reaches LightGBM's bagging and feature sampling
    }

    [Fact]
    public void ResidualBoosting_StartsFromTheBaseColumn_AndTheModelAddsItBack()
    {
        var train = RankingTestData.Queries(seed: 11, queries: 200, perQuery: 30);
        var validation = RankingTestData.Queries(seed: 12, queries: 60, perQuery: 30);
        int column = RankingTestData.PopularityFeature;
        var options = Options with { BaseFeature = column, BaseWeight = 2.0 };
        var seen = new List<float[]>();

        var result = GbdtTrainer.Train(train, validation, options with { EvaluateEvery = 1 }, validationMetric: scores =>
        {
            seen.Add(scores.ToArray());
            return RankingTestData.MeanNdcg(validation, scores.ToArray(), 10);
        });

        TreeEnsemble model = result.Model;
        Assert.Equal((column, 2f), (model.BaseFeature, model.BaseWeight));
        float[] withBase = Scores(model, validation);
        // The metric early stopping read saw trees + base, the same numbers the model scores.
        float[] atBest = seen[result.BestIteration - 1];
        for (int r = 0; r < withBase.Length; r++)
            Assert.Equal(withBase[r], atBest[r], 1e-5f);
        // Score = the trees' own sum + 2 x the base column, row by row.
        TreeEnsemble trees = model.WithoutBase();
        Assert.False(trees.HasBase);
        float[] treesOnly = Scores(trees, validation);
        ReadOnlySpan<float> x = validation.Features.Span;
        for (int r = 0; r < withBase.Length; r++)
            Assert.Equal(treesOnly[r] + 2f * x[r * RankingTestData.Features + column], withBase[r]);
        // Boosted from the base, the model beats the base column's order alone.
        var baseOnly = new float[validation.Rows];
        for (int r = 0; r < baseOnly.Length; r++)
            baseOnly[r] = x[r * RankingTestData.Features + column];
        Assert.True(RankingTestData.MeanNdcg(validation, withBase, 10) > RankingTestData.MeanNdcg(validation, baseOnly, 10) + 0.05);

        var missing = RankingTestData.Queries(seed: 13, queries: 10, perQuery: 30);
        var e = Assert.Throws<ArgumentException>(() => GbdtTrainer.Train(missing, validation, Options with { BaseFeature = 1 }));
        Assert.Contains("base feature 1 is NaN", e.Message);
        Assert.Throws<ArgumentException>(() => GbdtTrainer.Train(train, validation, Options with { BaseFeature = RankingTestData.Features }));
    }

    [Fact]
    public void BadInputs_NameTheArgument()
    {
        var x = new float[6 * 2];
        float[] y = [0, 1, 2, 0, 1, 2];

        var count = Assert.Throws<ArgumentException>(() => new RankingTrainingSet(x, 2, new float[5], new[] { 6 }));
        Assert.Equal("labels", count.ParamName);
        Assert.Contains("5 labels for 6 rows", count.Message);

        var groups = Assert.Throws<ArgumentException>(() => new RankingTrainingSet(x, 2, y, new[] { 3, 2 }));
        Assert.Equal("groupSizes", groups.ParamName);
        Assert.Contains("add up to 5 rows, but there are 6", groups.Message);

        var nan = Assert.Throws<ArgumentException>(() => new RankingTrainingSet(x, 2, new float[] { 0, 1, float.NaN, 0, 1, 2 }, new[] { 6 }));
        Assert.Equal("labels", nan.ParamName);
        Assert.Contains("row 2 is NaN", nan.Message);

        var empty = Assert.Throws<ArgumentException>(() => new RankingTrainingSet(x, 2, y, new[] { 6, 0 }));
        Assert.Equal("groupSizes", empty.ParamName);

        var width = Assert.Throws<ArgumentException>(() => new RankingTrainingSet(new float[7], 2, y, new[] { 6 }));
        Assert.Equal("features", width.ParamName);

        var good = new RankingTrainingSet(x, 2, y, new[] { 6 });
        var fractional = new RankingTrainingSet(x, 2, new float[] { 0, 1, 2.5f, 0, 1, 2 }, new[] { 6 });
        var grade = Assert.Throws<ArgumentException>(() => GbdtTrainer.Train(fractional, good, Options));
        Assert.Equal("train", grade.ParamName);
        Assert.Contains("row 2 is 2.5", grade.Message);

        var narrow = new RankingTrainingSet(new float[6], 1, y, new[] { 6 });
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => GbdtTrainer.Train(good, narrow, Options)).ParamName);

        var leaves = Assert.Throws<ArgumentOutOfRangeException>(() => GbdtTrainer.Train(good, good, Options with { NumLeaves = 1 }));
        Assert.Equal(nameof(GbdtOptions.NumLeaves), leaves.ParamName);
    }

    [Fact]
    public void FeaturesWithNothingToSplitOn_AreAClearError()
    {
        var constant = new RankingTrainingSet(Enumerable.Repeat(1f, 200 * 3).ToArray(), 3,
            Enumerable.Range(0, 200).Select(i => (float)(i % 3)).ToArray(), Enumerable.Repeat(20, 10).ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => GbdtTrainer.Train(constant, constant, Options));
        Assert.Contains("no split", e.Message);
    }

    private static float[] Scores(TreeEnsemble model, RankingTrainingSet set)
    {
        var scores = new float[set.Rows];
        model.Score(set.Features.Span, scores);
        return scores;
    }
}
