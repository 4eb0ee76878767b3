using RecSys.Engine.Models.Blend;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Ranking;

namespace RecSys.Engine.Pipeline.Tests.Ranking;

/// <summary>
/// The model gate's baseline: rank fusion's scores read back from a ranker's rows equal the weighted reciprocal rank
/// fusion written out by hand (and so rank fusion's NDCG is that of the order the pipeline serves without a ranker).
/// </summary>
public sealed class FusionBaselineTests
{
    [Fact]
    public void Scores_from_the_inverse_rank_columns_equal_weighted_rank_fusion_and_rank_the_shared_item_first()
    {
        var schema = RankingFeatureSchema.Create([], ["collaborative", "new-items"], historyWindow: 10);
        int f = schema.Count;
        int collab = schema.IndexOf("source_collaborative_inverse_rank"), fresh = schema.IndexOf("source_new_items_inverse_rank");
        // One query, three candidates: (collaborative rank 1), (both: collaborative rank 3, new-items rank 1), (new-items rank 2).
        var features = new float[3 * f];
        features[0 * f + collab] = 1f;
        features[1 * f + collab] = 1f / 3;
        features[1 * f + fresh] = 1f;
        features[2 * f + fresh] = 1f / 2;
        var data = new RankingDataset(schema, features, [0f, 1f, 0f], [0, 3], [0], [1]);
        var surface = new SurfaceConfig
        {
            Name = "home",
            Code = 0,
            Sources = [new SourceConfig("collaborative", 10, TimeSpan.FromMilliseconds(50), Weight: 2f), new SourceConfig("new-items", 10, TimeSpan.FromMilliseconds(50), Weight: 0.5f)],
        };

        float[] scores = FusionBaseline.Scores(data, surface, fusionC: 60f);

        Assert.Equal(RankFusion.Contribution(2f, 60f, 1), scores[0], 6);
        Assert.Equal(RankFusion.Contribution(2f, 60f, 3) + RankFusion.Contribution(0.5f, 60f, 1), scores[1], 6);
        Assert.Equal(RankFusion.Contribution(0.5f, 60f, 2), scores[2], 6);
        // The relevant item (index 1) is fusion's first: NDCG@1 of the baseline is 1.
        Assert.Equal(1.0, FusionBaseline.Ndcg(data, surface, 60f, k: 1), 6);
    }
}
