using RecSys.Engine.Native;

namespace RecSys.Engine.Native.Tests.LightGbm;

/// <summary>The LightGBM C API bindings against the real lib_lightgbm from the LightGBM package.</summary>
public sealed class LightGbmBindingTests
{
    private const string Parameters =
        "objective=lambdarank metric=ndcg ndcg_eval_at=5 num_leaves=7 learning_rate=0.2 min_data_in_leaf=5 verbosity=-1 deterministic=true force_row_wise=true num_threads=1 seed=7";

    private const int Features = 4;

    [Fact]
    public void NativeLibrary_IsCopiedBesideTheTests()
    {
        // The engine ships on linux-x64 (the package's other assets are win-x64 and osx-x64).
        Assert.True(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "lib_lightgbm.so")),
            $"lib_lightgbm.so not under {AppContext.BaseDirectory}runtimes/linux-x64/native");
    }

    [Fact]
    public void Training_OnAPlantedSignal_RaisesValidationNdcg_DumpsEveryTree_AndPredictsOneScorePerRow()
    {
        var (trainX, trainY, trainGroups) = Queries(seed: 1, queries: 60, perQuery: 20);
        var (validX, validY, validGroups) = Queries(seed: 2, queries: 30, perQuery: 20);
        using var train = Dataset(trainX, trainY, trainGroups);
        using var valid = Dataset(validX, validY, validGroups, train);
        using var booster = LightGbmBooster.Create(train, Parameters);
        Assert.Equal(1, booster.AddValidation(valid));
        Assert.Equal(1, booster.EvaluationCount);

        var ndcg = new double[1];
        Assert.True(booster.UpdateOneIteration());
        booster.GetEvaluation(1, ndcg);
        double first = ndcg[0];
        for (int i = 1; i < 15; i++)
            booster.UpdateOneIteration();
        booster.GetEvaluation(1, ndcg);
        Assert.Equal(15, booster.CurrentIteration);
        Assert.True(ndcg[0] > first + 0.03, $"validation ndcg@5 {first:F4} -> {ndcg[0]:F4}");

        using var dump = System.Text.Json.JsonDocument.Parse(booster.DumpModelJson());
        Assert.Equal(15, dump.RootElement.GetProperty("tree_info").GetArrayLength());
        using var firstFive = System.Text.Json.JsonDocument.Parse(booster.DumpModelJson(iterations: 5));
        Assert.Equal(5, firstFive.RootElement.GetProperty("tree_info").GetArrayLength());

        var scores = new double[validY.Length];
        booster.PredictRaw(validX, validY.Length, Features, scores);
        // The best-scored row of the first query is one of its most relevant rows.
        int best = 0;
        for (int r = 1; r < 20; r++)
            best = scores[r] > scores[best] ? r : best;
        Assert.Equal(validY.AsSpan(0, 20).ToArray().Max(), validY[best]);
    }

    [Fact]
    public void Errors_CarryTheCallAndLightGbmsReason()
    {
        var (x, y, groups) = Queries(seed: 3, queries: 10, perQuery: 10);
        using var train = Dataset(x, y, groups);

        var badObjective = Assert.Throws<LightGbmException>(() => LightGbmBooster.Create(train, "objective=no_such_objective verbosity=-1"));
        Assert.Contains("LGBM_BoosterCreate", badObjective.Message);
        Assert.Contains("no_such_objective", badObjective.Message);

        var badGroups = Assert.Throws<LightGbmException>(() => train.SetGroups([10, 10, 10]));
        Assert.Contains("LGBM_DatasetSetField(group)", badGroups.Message);
        Assert.Contains("query", badGroups.Message, StringComparison.OrdinalIgnoreCase);

        using var booster = LightGbmBooster.Create(train, Parameters);
        booster.UpdateOneIteration();
        var wrongWidth = Assert.Throws<LightGbmException>(() => booster.PredictRaw(new float[10 * (Features + 1)], 10, Features + 1, new double[10]));
        Assert.Contains("LGBM_BoosterPredictForMat", wrongWidth.Message);
        Assert.Contains("features", wrongWidth.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Booster_KeepsItsDatasetsAlive_WhenTheyAreDisposedFirst()
    {
        var (x, y, groups) = Queries(seed: 4, queries: 20, perQuery: 10);
        var train = Dataset(x, y, groups);
        var valid = Dataset(x, y, groups, train);
        using var booster = LightGbmBooster.Create(train, Parameters);
        booster.AddValidation(valid);
        valid.Dispose();
        train.Dispose();
        train.Dispose(); // twice is harmless

        booster.UpdateOneIteration();
        booster.UpdateOneIteration();
        var ndcg = new double[1];
        booster.GetEvaluation(1, ndcg);
        Assert.InRange(ndcg[0], 0.0, 1.0);
        var scores = new double[y.Length];
        booster.PredictRaw(x, y.Length, Features, scores);
        Assert.Contains(scores, s => s != scores[0]);
    }

    private static LightGbmDataset Dataset(float[] x, float[] y, int[] groups, LightGbmDataset? reference = null)
    {
        var set = LightGbmDataset.FromMatrix(x, y.Length, Features, Parameters, reference);
        set.SetLabels(y);
        set.SetGroups(groups);
        return set;
    }

    /// <summary>Queries whose rows' grade (0-3) is the sum of features 0-2 cut in four; feature 3 is noise.</summary>
    private static (float[] X, float[] Y, int[] Groups) Queries(int seed, int queries, int perQuery)
    {
        var rng = new Random(seed);
        int rows = queries * perQuery;
        var x = new float[rows * Features];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < Features; f++)
                x[r * Features + f] = (float)rng.NextDouble();
            // The grade needs all three first features (a sum), which one small tree cannot fit: boosting has work to do.
            float sum = x[r * Features] + x[r * Features + 1] + x[r * Features + 2];
            y[r] = MathF.Min(3f, MathF.Floor(sum * 4f / 3f));
        }
        return (x, y, Enumerable.Repeat(perQuery, queries).ToArray());
    }
}
