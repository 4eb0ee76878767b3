using RecSys.Engine.Models.Evaluation;

namespace RecSys.Engine.Models.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    // recommended (rank 1..5): 7, 3, 9, 1, 4; relevant: {1, 3, 8}. Hits at ranks 2 and 4.
    private static readonly int[] Recommended = [7, 3, 9, 1, 4];
    private static readonly int[] Relevant = [1, 3, 8];

    [Fact]
    public void Ndcg_MatchesHandComputedValue()
    {
        // DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161
        // IDCG (3 relevant, k = 5) = 1 + 1/log2(3) + 1/2 = 2.13093
        Assert.Equal(1.0616063 / 2.1309298, RankingMetrics.Ndcg(Recommended, Relevant, 5), 6);
        // k = 2: DCG = 1/log2(3); IDCG = 1 + 1/log2(3)
        Assert.Equal(0.6309298 / 1.6309298, RankingMetrics.Ndcg(Recommended, Relevant, 2), 6);
        Assert.Equal(1.0, RankingMetrics.Ndcg([3, 1, 8], Relevant, 3), 12);
        Assert.Equal(0.0, RankingMetrics.Ndcg([5, 6], Relevant, 2));
    }

    [Fact]
    public void RecallPrecisionHits_MatchHandComputedValues()
    {
        Assert.Equal(2, RankingMetrics.Hits(Recommended, Relevant, 5));
        Assert.Equal(2.0 / 3, RankingMetrics.Recall(Recommended, Relevant, 5), 12);
        Assert.Equal(2.0 / 5, RankingMetrics.Precision(Recommended, Relevant, 5), 12);
        // Precision divides by k even when the list is shorter.
        Assert.Equal(1.0 / 10, RankingMetrics.Precision([3], Relevant, 10), 12);
        Assert.Equal(1.0 / 3, RankingMetrics.Recall(Recommended, Relevant, 3), 12);
    }

    [Fact]
    public void AveragePrecision_MatchesHandComputedValue()
    {
        // Hits at rank 2 (precision 1/2) and rank 4 (precision 2/4): (0.5 + 0.5) / 3 relevant.
        Assert.Equal(1.0 / 3, RankingMetrics.AveragePrecision(Recommended, Relevant, 5), 12);
        // Top 3: one hit at rank 2 -> 0.5 / 3.
        Assert.Equal(0.5 / 3, RankingMetrics.AveragePrecision(Recommended, Relevant, 3), 12);
        Assert.Equal(1.0, RankingMetrics.AveragePrecision([1, 3, 8], Relevant, 3), 12);
    }

    [Fact]
    public void ReciprocalRankAndHitRate_MatchHandComputedValues()
    {
        Assert.Equal(0.5, RankingMetrics.ReciprocalRank(Recommended, Relevant, 5), 12);
        Assert.Equal(0.0, RankingMetrics.ReciprocalRank(Recommended, Relevant, 1));
        Assert.Equal(1.0, RankingMetrics.HitRate(Recommended, Relevant, 2));
        Assert.Equal(0.0, RankingMetrics.HitRate(Recommended, Relevant, 1));
    }

    [Fact]
    public void EmptyRelevantSet_ScoresZero()
    {
        Assert.Equal(0.0, RankingMetrics.Ndcg(Recommended, [], 5));
        Assert.Equal(0.0, RankingMetrics.Recall(Recommended, [], 5));
        Assert.Equal(0.0, RankingMetrics.AveragePrecision(Recommended, [], 5));
    }
}
