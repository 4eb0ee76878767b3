using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Persistence;

namespace RecSys.Engine.Models.Tests.Persistence;

public sealed class PersistenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Als_RoundTrips_FactorsIdsAndOptions_AndScoresTheSame()
    {
        var data = new TrainingData(TestData.Planted(users: 60, items: 50, rank: 3, perUser: 10, seed: 2));
        var als = new ImplicitAls(new AlsOptions { Factors = 6, Alpha = 3, Lambda = 2, Iterations = 2 });
        als.Fit(data);
        string dir = Path.Combine(_dir, "als");
        ModelStore.SaveAls(als, data.Events.Users, data.Events.Items, dir);
        var (loaded, users, items) = ModelStore.LoadAls(dir);
        Assert.Equal(als.Options, loaded.Options);
        Assert.True(als.UserFactors.SequenceEqual(loaded.UserFactors));
        Assert.True(als.ItemFactors.SequenceEqual(loaded.ItemFactors));
        Assert.Equal(data.Events.Users.Ids, users.Ids); // "u0".. are not numeric: text id list
        Assert.Equal(data.Events.Items.Ids, items.Ids);
        Assert.True(File.Exists(Path.Combine(dir, "users.txt")));
        var a = new float[50];
        var b = new float[50];
        als.Score(3, a);
        loaded.Score(3, b);
        Assert.Equal(a, b);
        // Fold-in works on a loaded model (its Gram is rebuilt from the loaded items).
        var v1 = new float[6];
        var v2 = new float[6];
        als.FoldIn([1, 2, 3], [], v1);
        loaded.FoldIn([1, 2, 3], [], v2);
        Assert.Equal(v1, v2);
    }

    [Fact]
    public void EaseAndContent_RoundTrip_WithNumericIds()
    {
        var builder = new InteractionSetBuilder { Catalog = new ItemCatalog() };
        for (int i = 0; i < 6; i++)
            builder.Catalog.Set(builder.Items.GetOrAdd($"{100 + i}"), $"Title {i}", [i % 2 == 0 ? "Even" : "Odd"]);
        for (int u = 0; u < 8; u++)
            for (int i = 0; i < 6; i++)
                if ((u + i) % 3 != 0) builder.Add($"{u}", $"{100 + i}", 1, 0);
        var data = new TrainingData(builder.Build());
        var ease = new Ease(2f);
        ease.Fit(data);
        ModelStore.SaveEase(ease, data.Events.Items, Path.Combine(_dir, "ease"));
        var (easeLoaded, easeItems) = ModelStore.LoadEase(Path.Combine(_dir, "ease"));
        Assert.True(ease.Weights.SequenceEqual(easeLoaded.Weights));
        Assert.Equal(data.Events.Items.Ids, easeItems.Ids);
        Assert.True(File.Exists(Path.Combine(_dir, "ease", "items.ids")));

        var content = new ContentEncoder(new ContentOptions { HashBuckets = 16 });
        content.Fit(data);
        ModelStore.SaveContent(content, data.Events.Items, Path.Combine(_dir, "content"));
        var (contentLoaded, _) = ModelStore.LoadContent(Path.Combine(_dir, "content"));
        Assert.True(content.ItemVectors.SequenceEqual(contentLoaded.ItemVectors));
        var p1 = new float[content.Dimension];
        var p2 = new float[content.Dimension];
        content.BuildProfile([0, 2], [], p1);
        contentLoaded.BuildProfile([0, 2], [], p2);
        Assert.Equal(p1, p2);
    }

    [Fact]
    public void Ease_RoundTripsItsDropout_AndAnOlderManifestWithoutItLoadsAsPlainEase()
    {
        var data = new TrainingData(TestData.Planted(users: 10, items: 8, rank: 2, perUser: 3, seed: 1));
        var ease = new Ease(3f, dropout: 0.5f);
        ease.Fit(data);
        string dir = Path.Combine(_dir, "edlae");
        ModelStore.SaveEase(ease, data.Events.Items, dir);
        var (loaded, _) = ModelStore.LoadEase(dir);
        Assert.Equal((3f, 0.5f), (loaded.Lambda, loaded.Dropout));
        Assert.True(ease.Weights.SequenceEqual(loaded.Weights));

        string manifest = Path.Combine(dir, ModelManifest.FileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!;
        var parameters = json["parameters"]!.AsObject();
        parameters.Remove("dropout");
        File.WriteAllText(manifest, json.ToJsonString());
        Assert.Equal(0f, ModelStore.LoadEase(dir).Model.Dropout);

        parameters["dropout"] = "1.5";
        File.WriteAllText(manifest, json.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => ModelStore.LoadEase(dir));
        Assert.Contains("'dropout'", e.Message);
        Assert.Contains(manifest, e.Message);
    }

    [Fact]
    public void Load_WrongKindOrMissingManifest_Throws()
    {
        var data = new TrainingData(TestData.Planted(users: 10, items: 8, rank: 2, perUser: 3, seed: 1));
        var ease = new Ease(1f);
        ease.Fit(data);
        string dir = Path.Combine(_dir, "e");
        ModelStore.SaveEase(ease, data.Events.Items, dir);
        var e = Assert.Throws<InvalidDataException>(() => ModelStore.LoadAls(dir));
        Assert.Contains("'ease'", e.Message);
        Assert.Throws<FileNotFoundException>(() => ModelStore.LoadAls(Path.Combine(_dir, "none")));
    }

    [Fact]
    public void MostSimilar_RanksByCosine_ExcludingTheItem()
    {
        // Item 0 = (1, 0); item 1 = (2, 0.1) (almost parallel); item 2 = (0, 1); item 3 = (-1, 0).
        float[] v = [1, 0, 2, 0.1f, 0, 1, -1, 0];
        var (items, cos) = VectorSimilarity.MostSimilar(v, 2, 0, 3);
        Assert.Equal([1, 2, 3], items);
        Assert.Equal(2 / MathF.Sqrt(4.01f), cos[0], 5);
        Assert.Equal(0f, cos[1], 6);
        Assert.Equal(-1f, cos[2], 6);
    }
}
