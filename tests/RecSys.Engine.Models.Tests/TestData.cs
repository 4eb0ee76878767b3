using RecSys.Engine.Core.Vectors.Synthetic;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Tests;

/// <summary>Synthetic interactions and dataset lookup shared by the tests.</summary>
internal static class TestData
{
    /// <summary>
    /// Interactions generated from planted latent factors: user and item vectors ~ N(0, 1) in
    /// <paramref name="rank"/> dimensions plus an item bias (some items are popular); each user interacts
    /// with the <paramref name="perUser"/> items of highest u.v + bias + noise. A model that recovers the factors
    /// predicts held-out items; popularity alone cannot, beyond the bias.
    /// </summary>
    public static InteractionSet Planted(int users, int items, int rank, int perUser, ulong seed, double noise = 0.5)
    {
        var rng = new SplitMix64(seed);
        var u = new double[users * rank];
        var v = new double[items * rank];
        var bias = new double[items];
        for (int i = 0; i < u.Length; i++) u[i] = rng.NextGaussian();
        for (int i = 0; i < v.Length; i++) v[i] = rng.NextGaussian();
        for (int i = 0; i < items; i++) bias[i] = 0.5 * rng.NextGaussian();
        var builder = new InteractionSetBuilder();
        for (int i = 0; i < items; i++) builder.Items.GetOrAdd($"i{i}");
        var score = new double[items];
        var order = new int[items];
        for (int a = 0; a < users; a++)
        {
            for (int i = 0; i < items; i++)
            {
                double s = bias[i] + noise * rng.NextGaussian();
                for (int f = 0; f < rank; f++)
                    s += u[a * rank + f] * v[i * rank + f];
                score[i] = -s;
                order[i] = i;
            }
            Array.Sort((double[])score.Clone(), order);
            for (int r = 0; r < perUser; r++)
                builder.Add($"u{a}", $"i{order[r]}", 1f, 1000 + r);
        }
        return builder.Build();
    }

    public static InteractionSet FromTriples(params (string User, string Item, float Value, long Time)[] rows)
    {
        var builder = new InteractionSetBuilder();
        foreach (var r in rows)
            builder.Add(r.User, r.Item, r.Value, r.Time);
        return builder.Build();
    }

    /// <summary>
    /// ml-100k under $RECSYS_DATASETS when set (a checkout away from the shared folder), else shared/datasets/ml-100k
    /// beside the repository, found by walking up from the test binaries.
    /// </summary>
    public static string MovieLens100K()
    {
        string? root = Environment.GetEnvironmentVariable("RECSYS_DATASETS");
        if (!string.IsNullOrEmpty(root))
        {
            string given = Path.Combine(root, "ml-100k");
            Assert.True(File.Exists(Path.Combine(given, "u.data")), $"RECSYS_DATASETS={root}: {given}/u.data not found");
            return given;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "datasets", "ml-100k");
            if (File.Exists(Path.Combine(candidate, "u.data")))
                return candidate;
        }
        Assert.Fail($"shared/datasets/ml-100k/u.data not found above {AppContext.BaseDirectory}; set RECSYS_DATASETS to the datasets folder");
        return "";
    }
}
