using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Models.Tests.Ranking;

public sealed class TrainedRankerTests
{
    // Bagging and feature sampling on, so the LightGBM seed matters to the trees.
    private static RankerTrainingOptions Gbdt(ulong seed) => new()
    {
        Ranker = RankerKind.Gbdt,
        Seed = seed,
        Gbdt = new GbdtOptions { BaggingFraction = 0.5, BaggingFrequency = 1, FeatureFraction = 0.7, MaxIterations = 40, EarlyStoppingRounds = 40 },
    };

    [Fact]
    public void Gbdt_TakesTheRunsSeed_AndTheSameSeedGivesTheSameTrees()
    {
        var rows = RankingTestData.Planted(queries: 200, seed: 5);
        var a = TrainedRanker.Train(rows, Gbdt(7));
        var again = TrainedRanker.Train(rows, Gbdt(7));
        Assert.Contains(" seed=7 ", a.Gbdt!.Describe());
        Assert.Equal(a.Gbdt.ScoreAll(rows), again.Gbdt!.ScoreAll(rows));
        // A seed above int range reaches LightGBM as its low 31 bits, not as an overflow.
        var big = TrainedRanker.Train(rows, Gbdt((1UL << 40) + 9));
        Assert.Contains(" seed=9 ", big.Gbdt!.Describe());
    }
}
