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

    [Fact]
    public void LabelSplit_Given_LabelsTheTrainingRowsByThatSplit_NotARandomQuarter()
    {
        // 30 events per user, timestamps 1000..1029: the temporal protocol holds out each user's last 3 (of the
        // training part); the random 75/25 default would hold out round(0.25 x 30) = 8 (rounded per user).
        InteractionSet all = TestData.Planted(users: 60, items: 120, rank: 4, perUser: 30, seed: 5);
        var train = new TrainingData(all);
        var settings = new ModelSettings { Als = new ModelSettings().Als with { Factors = 8, Iterations = 3 }, EaseLambda = 50f };
        RankedRecommender Ranked(Func<InteractionSet, DataSplit>? split) => new(ModelFactory.RankingSource(settings),
            new RankerTrainingOptions { Ranker = RankerKind.Gbdt, PerSource = 20, LabelSplit = split });

        RankingDataset temporal = Ranked(set => Splitter.TemporalLastN(set, 3)).BuildTrainingRows(train);
        RankingDataset random = Ranked(null).BuildTrainingRows(train);

        Assert.Equal(60, temporal.Queries);
        Assert.All(temporal.QueryRelevant, relevant => Assert.Equal(3, relevant));
        Assert.All(random.QueryRelevant, relevant => Assert.InRange(relevant, 7, 8));
        // Every positive row is one of the 3 held-out events (the candidates never repeat an item within a query).
        for (int q = 0; q < temporal.Queries; q++)
            Assert.InRange(temporal.QueryLabels(q).ToArray().Count(l => l > 0), 0, 3);
        Assert.True(temporal.Labels.Sum() > 0, "some of the latest events are among the candidates");
    }

    [Fact]
    public void LabelSplit_WithInnerSplitsOrFolds_IsRefused()
    {
        Func<InteractionSet, DataSplit> split = set => Splitter.TemporalLastN(set, 2);
        Assert.Throws<ArgumentException>(() => new RankerTrainingOptions { LabelSplit = split, InnerSplits = 3 }.Validate());
        Assert.Throws<ArgumentException>(() => new RankerTrainingOptions { LabelSplit = split, CrossFitFolds = 3 }.Validate());
        new RankerTrainingOptions { LabelSplit = split }.Validate();
    }
}
