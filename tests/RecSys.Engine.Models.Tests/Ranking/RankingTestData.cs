using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.Tests.Ranking;

/// <summary>Synthetic ranking queries with a planted, non-linear relevance rule.</summary>
internal static class RankingTestData
{
    public static readonly string[] Categories = ["action", "comedy", "drama"];

    public static RankingFeatureSchema Schema() => RankingFeatureSchema.Create(Categories);

    /// <summary>
    /// <paramref name="queries"/> queries of 40-80 candidates, features ~ N(0, 1); in each query the 3 candidates with
    /// the highest source_als_score_z + source_ease_score_z * content_similarity_recent (an interaction no single feature
    /// shows) are relevant, and item popularity is noise. Each query also has one relevant item no source retrieved.
    /// </summary>
    public static RankingDataset Planted(int queries, ulong seed)
    {
        var schema = Schema();
        int f = schema.Count;
        int als = schema.IndexOf("source_als_score_z"), ease = schema.IndexOf("source_ease_score_z"), sim = schema.IndexOf("content_similarity_recent");
        var rng = new SplitMix64(seed);
        var features = new List<float>();
        var labels = new List<float>();
        var start = new List<int> { 0 };
        var users = new List<int>();
        var relevant = new List<int>();
        for (int q = 0; q < queries; q++)
        {
            int n = 40 + (int)(rng.Next() % 41);
            var truth = new double[n];
            for (int c = 0; c < n; c++)
            {
                var row = new float[f];
                for (int k = 0; k < f; k++)
                    row[k] = (float)rng.NextGaussian();
                truth[c] = row[als] + row[ease] * row[sim];
                features.AddRange(row);
            }
            var order = Enumerable.Range(0, n).OrderByDescending(c => truth[c]).ToArray();
            var label = new float[n];
            foreach (int c in order[..3])
                label[c] = 1f;
            labels.AddRange(label);
            start.Add(start[^1] + n);
            users.Add(q);
            relevant.Add(4);
        }
        return new RankingDataset(schema, [.. features], [.. labels], [.. start], [.. users], [.. relevant]);
    }

    /// <summary>Scores every row by one feature's value (a single-signal baseline such as popularity).</summary>
    public static float[] ByFeature(RankingDataset data, string feature)
    {
        int k = data.Schema.IndexOf(feature), f = data.Schema.Count;
        var scores = new float[data.Rows];
        for (int r = 0; r < data.Rows; r++)
            scores[r] = data.Features[r * f + k];
        return scores;
    }
}
