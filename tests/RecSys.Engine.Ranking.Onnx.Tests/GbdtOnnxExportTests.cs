using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.Ranking.Gbdt;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Ranking.Onnx.Tests;

/// <summary>The GBDT's ONNX export (TreeEnsembleRegressor) on the real ONNX Runtime, against our tree walk.</summary>
public sealed class GbdtOnnxExportTests : IDisposable
{
    /// <summary>8 features: source als (3) + affinity (5).</summary>
    private static readonly RankingFeatureSchema Schema =
        RankingFeatureSchema.Create(["action", "comedy", "drama"], ["als"], RankingFeatureGroups.Sources | RankingFeatureGroups.Affinity);

    private static readonly OnnxRankerOptions Cpu = new() { ExecutionProvider = OnnxExecutionProvider.Cpu, MaxCandidates = 1000, ConcurrentCalls = 1 };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// A LambdaRank GBDT over rows that exercise every missing-value rule: column 1 has NaN in training (missing type
    /// NaN: a learned default direction), the others none (type None: NaN reads as 0), column 3 is exactly 0 a third of
    /// the time, column 4 straddles 0 with tiny values.
    /// </summary>
    private static (GbdtRanker Model, float[] Rows) Train(int seed)
    {
        var rng = new Random(seed);
        int f = Schema.Count, queries = 60, perQuery = 30, rows = queries * perQuery;
        var x = new float[rows * f];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.AsSpan(r * f, f);
            for (int k = 0; k < f; k++)
                row[k] = (float)(rng.NextDouble() * 2 - 1);
            if (rng.NextDouble() < 0.2)
                row[1] = float.NaN;
            if (rng.NextDouble() < 0.33)
                row[3] = 0f;
            row[4] = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, -rng.Next(0, 3)));
            double s = row[0] + (float.IsNaN(row[1]) ? 0.7 : 0.3 * row[1]) - (row[3] == 0 ? 0.5 : row[3]) + 20 * row[4] + row[5] * row[6] + 0.3 * rng.NextDouble();
            y[r] = s > 1.2 ? 3 : s > 0.6 ? 2 : s > 0 ? 1 : 0;
        }
        var set = new RankingTrainingSet(x, f, y, Enumerable.Repeat(perQuery, queries).ToArray());
        var result = GbdtTrainer.Train(set, set, new GbdtOptions { NumLeaves = 15, MinDataInLeaf = 5, MaxIterations = 60, EarlyStoppingRounds = 60, LearningRate = 0.1 });
        return (new GbdtRanker(Schema, result.Model), x);
    }

    [Fact]
    public void OnnxRuntimeScores_EqualTheTreeWalk_Within1e5_IncludingMissingValues()
    {
        var (model, training) = Train(4);
        string path = _dir.File("gbdt.onnx");
        GbdtOnnxExporter.Save(model, path);
        Assert.True(File.Exists(MlpOnnxExporter.SchemaPath(path)));
        using var ranker = OnnxRanker.Load(path, Cpu, Schema);
        Assert.Equal(("gbdt", true), (ranker.ModelKind, ranker.AcceptsMissing));

        var rng = new Random(9);
        int f = Schema.Count;
        float[] thresholds = [.. model.Trees.ToOnnxAttributes().NodesValues.Where(float.IsFinite)];
        foreach (int n in new[] { 1, 3, 64, 1000 })
        {
            var rows = new float[n * f];
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = rng.Next(8) switch
                {
                    0 => float.NaN, // missing, in every column: learned default or "read as 0"
                    1 => 0f,
                    2 => (float)((rng.NextDouble() - 0.5) * 1e-35), // the zero band
                    3 => thresholds[rng.Next(thresholds.Length)], // on a split's threshold exactly
                    4 => (float)(rng.NextDouble() * 20 - 10), // outside the training range
                    _ => training[rng.Next(training.Length)],
                };
            }
            var walk = new float[n];
            var onnx = new float[n];
            model.Score(rows, n, walk);
            ranker.Score(rows, n, onnx);
            for (int r = 0; r < n; r++)
                Assert.True(Math.Abs(onnx[r] - walk[r]) <= 1e-5 * Math.Max(1, Math.Abs(walk[r])), $"n={n}, row {r}: ONNX Runtime {onnx[r]}, tree walk {walk[r]}");
            Assert.True(walk.Distinct().Count() > Math.Min(n, 3) / 2, "the rows reach different leaves");
        }
    }

    [Fact]
    public void ResidualModel_OnnxRuntimeScores_EqualTheTreeWalkPlusTheBase_Within1e5()
    {
        // Boosted from init_score = 1.5 x cf_score_z: the graph adds Gather(column) x 1.5 to the trees.
        int column = Schema.IndexOf("cf_score_z");
        var (trees, training) = Train(7);
        var model = new GbdtRanker(Schema, trees.Trees.WithBase(column, 1.5f));
        string path = _dir.File("residual.onnx");
        GbdtOnnxExporter.Save(model, path);
        using var ranker = OnnxRanker.Load(path, Cpu, Schema);

        var rng = new Random(10);
        int f = Schema.Count;
        foreach (int n in new[] { 1, 7, 500 })
        {
            var rows = new float[n * f];
            for (int i = 0; i < rows.Length; i++)
            {
                // Missing values everywhere but the base column (a base margin is always known: the trainer refuses NaN there).
                float value = rng.Next(6) == 0 ? float.NaN : training[rng.Next(training.Length)] * 3;
                rows[i] = i % f == column && float.IsNaN(value) ? 0.25f : value;
            }
            float[] walk = new float[n], onnx = new float[n], treesOnly = new float[n];
            model.Score(rows, n, walk);
            trees.Score(rows, n, treesOnly);
            ranker.Score(rows, n, onnx);
            for (int r = 0; r < n; r++)
            {
                float expected = treesOnly[r] + 1.5f * rows[r * f + column];
                Assert.Equal(expected, walk[r]);
                Assert.True(Math.Abs(onnx[r] - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"n={n}, row {r}: ONNX Runtime {onnx[r]}, tree walk + base {expected}");
            }
        }
    }

    [Fact]
    public void Export_CarriesTheSchema_AndAMismatchIsRefusedNamingTheFeature()
    {
        var (model, _) = Train(5);
        byte[] bytes = GbdtOnnxExporter.Build(model, "test model");
        using (var ranker = OnnxRanker.Load(bytes, "gbdt bytes", Cpu))
            Assert.Null(Schema.FirstDifference(ranker.Schema));
        var other = RankingFeatureSchema.Create(["action", "comedy", "drama"], ["ease"], RankingFeatureGroups.Sources | RankingFeatureGroups.Affinity);
        var e = Assert.Throws<InvalidDataException>(() => OnnxRanker.Load(bytes, "gbdt bytes", Cpu, other));
        Assert.Contains("gbdt bytes", e.Message);
        Assert.Contains("source_als_score_z", e.Message);
        Assert.Throws<ArgumentException>(() => new GbdtRanker(RankingFeatureSchema.Create([], ["als"], RankingFeatureGroups.Sources), model.Trees));
    }

    [Fact]
    public void AnInfiniteFeature_IsStillAClearError_ForAModelThatTakesMissingValues()
    {
        var (model, _) = Train(6);
        using var ranker = OnnxRanker.Load(GbdtOnnxExporter.Build(model), "gbdt", Cpu);
        var rows = new float[2 * Schema.Count];
        rows[Schema.Count + 2] = float.NegativeInfinity;
        var e = Assert.Throws<ArgumentException>(() => ranker.Score(rows, 2, new float[2]));
        Assert.Contains($"'{Schema.Features[2].Name}' of candidate 1", e.Message);
        Assert.Contains("NaN (missing)", e.Message);
    }
}
