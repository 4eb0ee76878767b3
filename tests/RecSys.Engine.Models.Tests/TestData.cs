using RecSys.Engine.Core.Randomness;
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
}
