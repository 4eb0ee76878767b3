using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.Tests.Ranking;

public sealed class RankedRecommenderTests
{
    [Theory]
    [InlineData(RankerKind.Mlp, 0)]
    [InlineData(RankerKind.Gbdt, 0)]
    [InlineData(RankerKind.Gbdt, 3)]
    public void Fit_TrainsOnTheTrainingPartOnly_AndScoresOnlyCandidates_WellAbovePopularity(RankerKind kind, int folds)
    {
        InteractionSet all = TestData.Planted(users: 120, items: 150, rank: 4, perUser: 30, seed: 21);
        DataSplit split = Splitter.RandomPerUser(all, 0.75, 42);
        var train = new TrainingData(split.Train);
        InteractionMatrix test = InteractionMatrix.FromSet(split.Test, binary: true);
        var settings = new ModelSettings { Als = new ModelSettings().Als with { Factors = 8, Iterations = 5 }, EaseLambda = 50f };
        var ranked = new RankedRecommender(ModelFactory.RankingSource(settings),
            new RankerTrainingOptions
            {
                Ranker = kind,
                CrossFitFolds = folds,
                PerSource = 20,
                Mlp = new MlpTrainingOptions { MaxEpochs = 8, Patience = 3 },
                Gbdt = new Models.Ranking.Gbdt.GbdtOptions { MaxIterations = 60, EarlyStoppingRounds = 10, NumLeaves = 8 },
            });
        ranked.Fit(train);

        Assert.True(kind == RankerKind.Mlp ? ranked.Mlp is not null : ranked.Gbdt is not null);
        // One query per user and label split: the inner split of the training part, or each of the folds.
        Assert.Equal(120 * Math.Max(folds, 1), ranked.TrainingRows.Queries);
        Assert.Contains("als", ranked.ValidationBaselines.Keys);
        var scores = new float[train.ItemCount];
        ranked.Score(0, scores);
        int candidates = scores.Count(float.IsFinite);
        Assert.InRange(candidates, 20, 4 * 20); // the union of the sources' top 20s (no content model without a catalog)
        foreach (int seen in train.Matrix.Columns(0))
            Assert.Equal(float.NegativeInfinity, scores[seen]);

        double ndcg = Evaluator.Evaluate(ranked, train, test).Ndcg;
        var popularity = new PopularityModel();
        popularity.Fit(train);
        double popular = Evaluator.Evaluate(popularity, train, test).Ndcg;
        Assert.True(ndcg > popular + 0.05, $"ranked {ndcg:F3} vs popularity {popular:F3}");
        Assert.Contains("ranker=" + kind.ToString().ToLowerInvariant(), ranked.Describe());
    }
}
