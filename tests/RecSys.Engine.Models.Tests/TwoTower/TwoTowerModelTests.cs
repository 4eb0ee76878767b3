using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Models.Tests.TwoTower;

public sealed class TwoTowerModelTests
{
    private static readonly Lazy<(TrainingData Train, InteractionMatrix Test, TwoTowerModel Model)> Trained = new(() =>
    {
        var split = Splitter.RandomPerUser(TwoTowerTestData.Planted(), 0.75, 42);
        var train = new TrainingData(split.Train);
        var model = new TwoTowerModel(TwoTowerTestData.Options(), TwoTowerTestData.Content);
        model.Fit(train);
        return (train, InteractionMatrix.FromSet(split.Test, binary: true), model);
    });

    [Fact]
    public void RecallAt50_IsFarAbovePopularity_OnPlantedTastes()
    {
        var (train, test, model) = Trained.Value;
        var popularity = new PopularityModel(new PopularityOptions(), "popularity");
        popularity.Fit(train);
        var options = new EvaluationOptions { K = 50 };
        double twoTower = Evaluator.Evaluate(model, train, test, options).Recall;
        double popular = Evaluator.Evaluate(popularity, train, test, options).Recall;
        // Measured: two-tower 0.9987, popularity 0.3940 (+0.60). Popularity only knows the blockbusters (a fifth of each
        // user's items); the towers learn each user's category from the pooled history and place its items together.
        Assert.True(twoTower >= popular + 0.4, $"two-tower recall@50 {twoTower:F4}, popularity {popular:F4}");
        Assert.True(twoTower >= 2 * popular, $"two-tower recall@50 {twoTower:F4}, popularity {popular:F4}");
    }

    [Fact]
    public void Outputs_AreUnitLength_AndScoresAreTheirDotProducts()
    {
        var (_, _, model) = Trained.Value;
        for (int i = 0; i < model.ItemCount; i += 37)
            Assert.Equal(1f, MathF.Sqrt(DotProduct.Compute(model.ItemVector(i), model.ItemVector(i))), 1e-5f);
        var scores = new float[model.ItemCount];
        model.Score(3, scores);
        for (int i = 0; i < model.ItemCount; i += 41)
            Assert.Equal(DotProduct.Compute(model.UserVector(3), model.ItemVector(i)), scores[i], 1e-6f);
        Assert.Equal(1f, MathF.Sqrt(DotProduct.Compute(model.UserVector(3), model.UserVector(3))), 1e-5f);
    }

    [Fact]
    public void Training_EarlyStopsOnValidationRecall_AndRefitsForTheBestEpochCount()
    {
        var (_, _, model) = Trained.Value;
        var t = model.Training!;
        Assert.InRange(t.BestEpoch, 1, TwoTowerTestData.Options().MaxEpochs);
        Assert.Equal(t.ValidationRecallByEpoch.Max(), t.ValidationRecall);
        Assert.Equal(t.BestEpoch, t.ValidationRecallByEpoch.ToList().IndexOf(t.ValidationRecall) + 1);
        Assert.Equal(t.BestEpoch, t.Epochs);
        Assert.True(t.LossByEpoch[^1] < t.LossByEpoch[0], $"loss {t.LossByEpoch[0]:F4} -> {t.LossByEpoch[^1]:F4}");
    }

    [Fact]
    public void Fit_IsDeterministicBySeed()
    {
        var data = new TrainingData(TwoTowerTestData.Planted(users: 120, items: 160, perUser: 12));
        TwoTowerModel Fit(ulong seed)
        {
            var m = new TwoTowerModel(TwoTowerTestData.Options(seed) with { MaxEpochs = 3 }, TwoTowerTestData.Content);
            m.Fit(data);
            return m;
        }
        var a = Fit(9);
        var b = Fit(9);
        var c = Fit(10);
        Assert.True(a.Parameters.AsSpan().SequenceEqual(b.Parameters), "same seed, same parameters bit for bit");
        Assert.True(a.ItemVectors.SequenceEqual(b.ItemVectors));
        Assert.Equal(a.Training!.ValidationRecallByEpoch, b.Training!.ValidationRecallByEpoch);
        Assert.False(a.Parameters.AsSpan().SequenceEqual(c.Parameters), "another seed, other parameters");
    }

    [Fact]
    public void EncodeItem_OfATrainedItemFromItsMetadata_IsItsTrainedVector()
    {
        var (train, _, model) = Trained.Value;
        var vector = new float[model.Dimension];
        foreach (int i in new[] { 0, 5, 77, 200 })
        {
            model.EncodeItem(i, train.Catalog!.Title(i), train.Catalog.Categories(i), train.Catalog.Tags(i), null, vector);
            for (int j = 0; j < vector.Length; j++)
                Assert.Equal(model.ItemVector(i)[j], vector[j], 1e-6f);
        }
    }

    [Fact]
    public void ANewItem_IsPlacedByItsContent_NearItsCategory()
    {
        var (train, _, model) = Trained.Value;
        var vector = new float[model.Dimension];
        const int Category = 3;
        model.EncodeItem(-1, "comedy story new", [$"g{Category}"], [], null, vector);
        Assert.Equal(1f, MathF.Sqrt(DotProduct.Compute(vector, vector)), 1e-5f);
        // Its nearest trained items are mostly of its category (chance: 1 in 8).
        var scores = new float[model.ItemCount];
        DotProduct.ComputeMany(vector, model.ItemVectors, model.Dimension, scores);
        var nearest = Enumerable.Range(0, model.ItemCount).OrderByDescending(i => scores[i]).Take(20).ToArray();
        int same = nearest.Count(i => train.Catalog!.Categories(i)[0] == $"g{Category}");
        Assert.True(same >= 10, $"{same} of the 20 nearest items share the new item's category");
    }

    [Fact]
    public void History_KeepsTrainedItemsNewestFirst_AndPads()
    {
        var (_, _, model) = Trained.Value;
        var ids = new long[model.Options.MaxHistory];
        int n = model.WriteHistory([5, model.ItemCount + 3, 7, -1, 9], ids, skip: 7);
        Assert.Equal(2, n);
        Assert.Equal([5L, 9L], ids[..2]);
        Assert.All(ids[2..], id => Assert.Equal(model.PaddingId, id));
    }

    [Fact]
    public void Registry_BuildsTheTwoTowerKind()
    {
        Assert.True(ModelKinds.TryParse("twotower", out ModelKind kind));
        var model = Assert.IsType<TwoTowerModel>(ModelFactory.Create(kind, new ModelSettings()));
        Assert.Equal("twotower", model.Name);
        Assert.Null(ModelFactory.RankingSource(new ModelSettings())("twotower"));
    }

    [Theory]
    [InlineData("Temperature")]
    [InlineData("BatchSize")]
    [InlineData("IdDropout")]
    [InlineData("Hidden")]
    public void BadOptions_NameTheField(string field)
    {
        var o = new TwoTowerOptions();
        o = field switch
        {
            "Temperature" => o with { Temperature = 0 },
            "BatchSize" => o with { BatchSize = 1 },
            "IdDropout" => o with { IdDropout = 1 },
            _ => o with { Hidden = [16, 0] },
        };
        var e = Assert.ThrowsAny<ArgumentException>(() => new TwoTowerModel(o));
        Assert.Equal(field, e.ParamName);
    }

    [Fact]
    public void TowerSchema_RoundTripsThroughJson_AndRefusesAnotherVersion()
    {
        var (_, _, model) = Trained.Value;
        var schema = TowerSchema.Of(model, TowerKind.User);
        var back = TowerSchema.FromJson(schema.ToJson(), "test");
        Assert.Null(schema.FirstDifference(back));
        Assert.Equal(model.Features.UserCount, back.Features.Count);
        Assert.Equal("user_activity", back.Features[0]);
        var e = Assert.Throws<InvalidDataException>(() => TowerSchema.FromJson(schema.ToJson().Replace("\"version\": 1", "\"version\": 2"), "file.json"));
        Assert.Contains("file.json", e.Message);
        Assert.Contains("feature 1", schema.FirstDifference(back with { Features = ["user_activity", "x", .. back.Features.Skip(2)] }));
    }
}
