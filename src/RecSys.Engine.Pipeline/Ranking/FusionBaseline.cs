using RecSys.Engine.Models.Blend;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Config;

namespace RecSys.Engine.Pipeline.Ranking;

/// <summary>
/// What the pipeline serves without a learned ranker, measured on a ranker's own validation rows: the order
/// <see cref="ReciprocalRankFusionRanker"/> gives the same candidates (weighted reciprocal rank fusion over the sources'
/// ranks, read back from each row's <c>source_&lt;s&gt;_inverse_rank</c> column). A learned ranker is worth shipping only
/// when it beats this number: it replaces that order, not a single source.
/// </summary>
public static class FusionBaseline
{
    /// <summary>Rank fusion's NDCG@<paramref name="k"/> on <paramref name="data"/>, with the surface's source weights.</summary>
    public static double Ndcg(RankingDataset data, SurfaceConfig surface, float fusionC, int k)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(surface);
        return RankingDatasetMetrics.MeanNdcg(data, Scores(data, surface, fusionC), k);
    }

    /// <summary>One rank-fusion score per row (0 for a row no source ranked).</summary>
    public static float[] Scores(RankingDataset data, SurfaceConfig surface, float fusionC)
    {
        int f = data.Schema.Count;
        var scores = new float[data.Rows];
        foreach (string source in data.Schema.Sources)
        {
            int column = data.Schema.IndexOf($"source_{RankingFeatureSchema.Slug(source)}_inverse_rank");
            if (column < 0)
                continue;
            float weight = ReciprocalRankFusionRanker.WeightOf(surface, source);
            if (weight == 0)
                continue;
            for (int r = 0; r < scores.Length; r++)
            {
                float inverse = data.Features[r * f + column];
                // The column holds 1 / rank exactly as written; rounding its reciprocal recovers the integer rank.
                if (inverse > 0)
                    scores[r] += RankFusion.Contribution(weight, fusionC, (int)MathF.Round(1f / inverse));
            }
        }
        return scores;
    }
}
