using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Ranking.Onnx.Tests;

/// <summary>Both towers of a trained two-tower model, exported and run on the real ONNX Runtime, against the C# forward pass.</summary>
public sealed class OnnxTowerEncoderTests : IDisposable
{
    private static readonly OnnxRankerOptions Cpu = new() { ExecutionProvider = OnnxExecutionProvider.Cpu, MaxCandidates = 64, ConcurrentCalls = 2 };
    private static readonly Lazy<TwoTowerModel> Model = new(Train);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A small model on generated interactions with a catalog and demographics (every feature block in use).</summary>
    private static TwoTowerModel Train()
    {
        var rng = new SplitMix64(17);
        var builder = new InteractionSetBuilder { Catalog = new ItemCatalog(), Demographics = new UserDemographics() };
        string[] genres = ["action", "comedy", "drama", "horror"];
        for (int i = 0; i < 120; i++)
            builder.Catalog.Set(builder.Items.GetOrAdd($"i{i}"), $"title {i} {genres[i % 4]}", [genres[i % 4], genres[i / 4 % 4]], [$"tag{i % 7}"]);
        for (int u = 0; u < 80; u++)
        {
            builder.Demographics.Set(builder.Users.GetOrAdd($"u{u}"), 18 + u % 50, u % 3 == 0 ? "F" : "M", $"job{u % 5}");
            for (int k = 0; k < 15; k++)
                builder.Add($"u{u}", $"i{(u % 4 + 4 * (int)(rng.Next() % 30)) % 120}", 1f, 1000 + 97 * u + k);
        }
        var model = new TwoTowerModel(new TwoTowerOptions
        {
            EmbeddingDimension = 8, Hidden = [24, 12], Dimension = 10, MaxEpochs = 3, MaxHistory = 12, BatchSize = 64,
            DemographicBuckets = 8, SegmentBuckets = 4,
        }, new Models.Content.ContentOptions { HashBuckets = 32 });
        model.Fit(new TrainingData(builder.Build()));
        return model;
    }

    private string Export(TowerKind tower)
    {
        string path = _dir.File(TwoTowerOnnxExporter.FileName(tower));
        TwoTowerOnnxExporter.Save(Model.Value, tower, path);
        return path;
    }

    /// <summary>Random rows: features ~ N(0, 1) (so every unit matters), ids a mix of items and padding.</summary>
    private static (float[] Features, long[] Ids) RandomInput(ITowerEncoder tower, int n, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var features = new float[n * tower.FeatureCount];
        for (int i = 0; i < features.Length; i++)
            features[i] = (float)rng.NextGaussian();
        var ids = new long[n * tower.IdSlots];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = rng.Next() % 4 == 0 ? tower.PaddingId : (long)(rng.Next() % (ulong)tower.PaddingId);
        if (n > 1)
            ids.AsSpan(0, tower.IdSlots).Fill(tower.PaddingId); // a row with no id at all
        return (features, ids);
    }

    /// <summary>
    /// The tower written out from its definition in float64, straight from the model's parameters (not through
    /// MlpKernels nor the exporter): mean of the non-padding ids' embeddings after the features, Dense + ReLU per hidden
    /// layer (W [out x in] row-major), a last Dense, L2 normalisation. Both the C# pass and the ONNX graph are held to it.
    /// </summary>
    private static double[] ReferenceTower(TwoTowerModel model, TowerKind kind, float[] features, long[] ids, int n)
    {
        TowerLayout tower = model.Layout(kind);
        int f = tower.Features, e = tower.EmbeddingDimension, slots = tower.IdSlots, d = tower.Dimension;
        float[] p = model.Parameters;
        var output = new double[n * d];
        for (int r = 0; r < n; r++)
        {
            var x = new double[f + e];
            for (int j = 0; j < f; j++)
                x[j] = features[r * f + j];
            int count = 0;
            for (int s = 0; s < slots; s++)
            {
                long id = ids[r * slots + s];
                if (id == model.PaddingId)
                    continue;
                count++;
                for (int j = 0; j < e; j++)
                    x[f + j] += model.Embeddings[(int)id * e + j];
            }
            for (int j = 0; count > 0 && j < e; j++)
                x[f + j] /= count;
            for (int l = 0; l < tower.LayerCount; l++)
            {
                int inputs = tower.LayerSizes[l], outputs = tower.LayerSizes[l + 1];
                var y = new double[outputs];
                for (int o = 0; o < outputs; o++)
                {
                    double sum = p[tower.BiasOffset(l) + o];
                    for (int i = 0; i < inputs; i++)
                        sum += (double)p[tower.WeightOffset(l) + o * inputs + i] * x[i];
                    y[o] = l < tower.LayerCount - 1 ? Math.Max(sum, 0) : sum;
                }
                x = y;
            }
            double norm = Math.Sqrt(x.Sum(v => v * v));
            for (int j = 0; j < d; j++)
                output[r * d + j] = x[j] / norm;
        }
        return output;
    }

    [Theory]
    [InlineData(TowerKind.User)]
    [InlineData(TowerKind.Item)]
    public void OnnxTower_EqualsTheCSharpForwardPass_AndBothTheFloat64Reference_Within1e5(TowerKind kind)
    {
        ITowerEncoder csharp = Model.Value.Encoder(kind);
        using var onnx = OnnxTowerEncoder.Load(Export(kind), Cpu, TowerSchema.Of(Model.Value, kind));
        Assert.Equal(kind, onnx.Kind);
        Assert.Equal(csharp.FeatureCount, onnx.FeatureCount);
        Assert.Equal(csharp.IdSlots, onnx.IdSlots);
        foreach (int n in new[] { 1, 2, 9, 64 })
        {
            var (features, ids) = RandomInput(csharp, n, (ulong)(n + (int)kind * 1000));
            var expected = new float[n * csharp.Dimension];
            var actual = new float[n * csharp.Dimension];
            csharp.Encode(features, ids, n, expected);
            onnx.Encode(features, ids, n, actual);
            double[] reference = ReferenceTower(Model.Value, kind, features, ids, n);
            for (int i = 0; i < expected.Length; i++)
            {
                string at = $"n={n} row {i / csharp.Dimension} unit {i % csharp.Dimension}: reference {reference[i]}, C# {expected[i]}, ONNX {actual[i]}";
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, at);
                Assert.True(Math.Abs(reference[i] - expected[i]) <= 1e-5 && Math.Abs(reference[i] - actual[i]) <= 1e-5, at);
            }
            Assert.Contains(expected, v => Math.Abs(v - expected[0]) > 1e-3f); // not a degenerate model
        }
    }

    [Fact]
    public void ASchemaMismatch_IsRefusedNamingTheFeature()
    {
        var expected = TowerSchema.Of(Model.Value, TowerKind.User);
        var other = expected with { Features = [.. expected.Features.Take(3), "user_shoe_size", .. expected.Features.Skip(4)] };
        var e = Assert.Throws<InvalidDataException>(() => OnnxTowerEncoder.Load(Export(TowerKind.User), Cpu, other));
        Assert.Contains("user_shoe_size", e.Message);
        Assert.Contains("feature 3", e.Message);
        var wrongTower = Assert.Throws<InvalidDataException>(() => OnnxTowerEncoder.Load(Export(TowerKind.Item), Cpu, expected));
        Assert.Contains("tower", wrongTower.Message);
    }

    [Fact]
    public void ANaNFeature_AnIdOutOfRange_AndAMalformedFile_GiveClearErrors()
    {
        using var onnx = OnnxTowerEncoder.Load(Export(TowerKind.User), Cpu);
        var (features, ids) = RandomInput(onnx, 2, 1);
        var output = new float[2 * onnx.Dimension];
        features[onnx.FeatureCount + 2] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => onnx.Encode(features, ids, 2, output));
        Assert.Contains($"'{onnx.Schema.Features[2]}' of row 1", nan.Message);
        features[onnx.FeatureCount + 2] = 0;
        ids[onnx.IdSlots + 1] = onnx.PaddingId + 5;
        var bad = Assert.Throws<ArgumentException>(() => onnx.Encode(features, ids, 2, output));
        Assert.Contains("id slot 1 of row 1", bad.Message);
        string junk = _dir.File("junk.onnx");
        File.WriteAllBytes(junk, [1, 2, 3, 4, 5]);
        var malformed = Assert.Throws<InvalidDataException>(() => OnnxTowerEncoder.Load(junk, Cpu));
        Assert.Contains("junk.onnx", malformed.Message);
    }
}
