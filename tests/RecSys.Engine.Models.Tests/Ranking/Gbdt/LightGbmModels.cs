using RecSys.Engine.Native;

namespace RecSys.Engine.Models.Tests.Ranking.Gbdt;

/// <summary>
/// Trains a LightGBM booster straight through the bindings (not through GbdtTrainer) so a test holds both the
/// booster, LightGBM's own predictor, and its JSON dump. The data exercises every missing-value rule: feature 1
/// has NaN in training (missing type NaN), features 2-3 have none (type None: NaN reads as 0 at prediction),
/// feature 3 is zero a third of the time, feature 4 straddles 0 with tiny values.
/// </summary>
internal sealed class LightGbmModels : IDisposable
{
    public const int Features = 5;

    private readonly LightGbmDataset _train;

    public LightGbmModels(string parameters, int rounds, int seed = 11, int queries = 80, int perQuery = 25)
    {
        var rng = new Random(seed);
        int rows = queries * perQuery;
        var x = new float[rows * Features];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.AsSpan(r * Features, Features);
            row[0] = (float)rng.NextDouble();
            row[1] = rng.NextDouble() < 0.2 ? float.NaN : (float)(rng.NextDouble() * 4 - 2);
            row[2] = (float)(rng.NextDouble() * 10);
            row[3] = rng.NextDouble() < 0.33 ? 0f : (float)(rng.NextDouble() * 2 - 1);
            row[4] = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, -rng.Next(0, 3)));
            double s = row[0] + (float.IsNaN(row[1]) ? 0.7 : 0.3 * row[1]) + 0.1 * row[2] - (row[3] == 0 ? 0.5 : row[3]) + 20 * row[4]
                + 0.3 * rng.NextDouble();
            y[r] = s > 1.8 ? 3 : s > 1.3 ? 2 : s > 0.8 ? 1 : 0;
        }
        Rows = x;
        _train = LightGbmDataset.FromMatrix(x, rows, Features, parameters);
        _train.SetLabels(y);
        _train.SetGroups(Enumerable.Repeat(perQuery, queries).ToArray());
        Booster = LightGbmBooster.Create(_train, parameters);
        for (int i = 0; i < rounds && Booster.UpdateOneIteration(); i++)
        {
        }
    }

    public LightGbmBooster Booster { get; }

    /// <summary>The training rows.</summary>
    public float[] Rows { get; }

    public static string Parameters(bool zeroAsMissing) =>
        "objective=lambdarank metric=ndcg num_leaves=31 learning_rate=0.1 min_data_in_leaf=5 min_data_in_bin=1 verbosity=-1 " +
        $"deterministic=true force_row_wise=true num_threads=1 seed=3 zero_as_missing={(zeroAsMissing ? "true" : "false")}";

    public void Dispose()
    {
        Booster.Dispose();
        _train.Dispose();
    }
}
