using Grpc.Net.Client;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Ranking.Onnx;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// A registry version that carries a trained two-tower: the model, the index of its item vectors and both towers as
/// ONNX, every file in the manifest with its SHA-256; loaded with the user tower on ONNX Runtime (no mock), served over
/// gRPC with twotower-tagged candidates; and a version without one still serves beside it.
/// </summary>
public sealed class TwoTowerVersionTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>, IDisposable
{
    private static readonly Lazy<TwoTowerModel> Model = new(() =>
    {
        var model = new TwoTowerModel(new TwoTowerOptions
        {
            EmbeddingDimension = 16, Hidden = [32], Dimension = 16, Temperature = 0.1f, BatchSize = 128, LearningRate = 5e-3f,
            MaxEpochs = 6, MaxHistory = 20, DemographicBuckets = 16, SegmentBuckets = 8, Seed = 3,
        }, new Models.Content.ContentOptions { HashBuckets = 256 });
        model.Fit(new PlantedCatalog().Data);
        return model;
    });

    private readonly RegistryRig _rig = new(trained);

    public void Dispose() => _rig.Dispose();

    private static VersionLoadOptions Load => new() { TowerLoader = new OnnxTowerLoader(new OnnxRankerOptions { ExecutionProvider = OnnxExecutionProvider.Cpu }) };

    /// <summary>
    /// Home runs the two-tower source alone where the version has one (so every answer is its), with no diversity or
    /// exploration re-ordering (the list is the source's ranking); the defaults elsewhere.
    /// </summary>
    private static PipelineConfig TwoTowerHome(ServingModels models) => models.TwoTower is null
        ? PipelineDefaults.Config(models)
        : PipelineHarness.WithSurface(PipelineDefaults.Config(models), "home", s => s with
        {
            Sources = [new SourceConfig(SourceNames.TwoTower, 100, TimeSpan.FromSeconds(10))],
            ExplorationShare = 0,
            CategoryCap = 0,
            MmrLambda = 1,
        });

    private RegistryVersion AddTwoTowerVersion(string id) =>
        _rig.AddVersion(id, trained.Models with { TwoTower = Model.Value });

    [Fact]
    public void The_version_lists_the_two_tower_files_with_their_hashes_and_loads_them_back()
    {
        var version = AddTwoTowerVersion("tt");
        var m = version.Manifest;
        Assert.Equal("models/twotower", m.Models["twotower"]);
        Assert.Equal("indexes/twotower", m.Indexes["twotower"].Path);
        Assert.Equal(("towers/user_tower.onnx", "towers/item_tower.onnx"), (m.Towers["user"], m.Towers["item"]));
        foreach (string file in (string[])["towers/user_tower.onnx", "towers/item_tower.onnx", "models/twotower/towers.f64", "models/twotower/embeddings.vec", "models/twotower/item_vectors.vec"])
        {
            Assert.True(m.Files.TryGetValue(file, out var entry), $"{file} is not in the manifest");
            Assert.Matches("^[0-9a-f]{64}$", entry.Sha256);
        }

        using var loaded = VersionLoader.Load(version, Load);
        var model = Model.Value;
        var served = loaded.Models;
        Assert.NotNull(served.TwoTower);
        Assert.Equal(model.ItemCount, served.TwoTowerIndex!.Count);
        Assert.Equal(model.ItemVectors.ToArray(), served.TwoTower.ItemVectors.ToArray());
        Assert.Equal(model.Parameters, served.TwoTower.Parameters);
        // The user tower runs the exported graph on ONNX Runtime, and agrees with the trained model's C# forward pass.
        var onnx = Assert.IsType<OnnxTowerEncoder>(served.UserTower);
        var features = new float[model.UserTower.Features];
        var ids = new long[model.UserTower.IdSlots];
        int history = model.WriteHistory([3, 17, 42], ids);
        model.Features.WriteUser("25-34|F|student", history, features);
        var expected = new float[model.Dimension];
        var actual = new float[model.Dimension];
        model.UserEncoder.Encode(features, ids, 1, expected);
        onnx.Encode(features, ids, 1, actual);
        for (int d = 0; d < expected.Length; d++)
            Assert.Equal(expected[d], actual[d], 1e-5f);
        // A new item encodes from metadata alone after the load, as it did before.
        var before = new float[model.Dimension];
        var after = new float[model.Dimension];
        model.EncodeItem(5, "silent river", ["c1"], [], null, before);
        served.TwoTower.EncodeItem(5, "silent river", ["c1"], [], null, after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void A_damaged_tower_file_refuses_the_version_naming_the_file()
    {
        var version = AddTwoTowerVersion("tt");
        File.WriteAllBytes(version.PathOf("towers/user_tower.onnx"), [1, 2, 3]);
        var e = Assert.Throws<VersionCorruptedException>(() => VersionLoader.Load(version, Load));
        Assert.Contains("user_tower.onnx", e.Message);
    }

    [Fact]
    public async Task The_server_serves_twotower_candidates_from_a_version_that_has_them_and_still_serves_one_without()
    {
        await using (await _rig.CreateAsync("v1"))
        {
        }
        AddTwoTowerVersion("v2-tt");
        var options = RegistryRig.Options(config: TwoTowerHome) with { Load = Load };
        await using var state = await _rig.OpenAsync(options);
        await using var server = await RecSysServer.StartAsync(ServerRig.TestOptions, state, new LogCapture().Configure);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var recommender = new Recommender.RecommenderClient(channel);
        var admin = new Admin.AdminClient(channel);
        var request = new RecommendRequest { User = new Id { Num = PlantedCatalog.UserId(10) }, K = 10 };

        var before = await recommender.RecommendAsync(request, TestKeys.Read);
        Assert.Equal(10, before.Items.Count);
        Assert.DoesNotContain(before.Items, i => i.Source == SourceNames.TwoTower);

        // An item added live before the swap joins the two-tower index when the version is attached.
        using (var call = new Api.V1.Catalog.CatalogClient(channel).UpsertItems(TestKeys.Write))
        {
            await call.RequestStream.WriteAsync(new UpsertItemsRequest { Items = { new Item { Id = new Id { Str = "sku-live" }, Title = "crime silent river", Categories = { "c2" } } } });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        }
        await admin.ActivateModelAsync(new ActivateModelRequest { Version = "v2-tt" }, TestKeys.AdminOnly);
        Assert.Equal(Model.Value.ItemCount + 1, state.Pipeline.Version.Models.TwoTowerIndex!.Count);
        Assert.Contains("model:twotower", (await admin.ListModelsAsync(new ListModelsRequest(), TestKeys.AdminOnly)).Models.Single(v => v.Name == "v2-tt").Parts);
        var answer = await recommender.RecommendAsync(request, TestKeys.Read);
        Assert.EndsWith("/v2-tt", answer.Version, StringComparison.Ordinal);
        Assert.Empty(answer.DroppedSources);
        Assert.Equal(10, answer.Items.Count);
        Assert.All(answer.Items, i => Assert.Equal(SourceNames.TwoTower, i.Source));
        int favourite = answer.Items.Count(i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.Item.Num)) == PlantedCatalog.Favourite(10));
        Assert.True(favourite >= 5, $"{favourite} of 10 two-tower items in the user's favourite category");
        // A short allow list is scored from the vectors the index holds: the live item's, written when the version was
        // attached, is among them.
        var allowLive = request.Clone();
        allowLive.Filters = new Filters { AllowItems = { new Id { Str = "sku-live" } } };
        var live = await recommender.RecommendAsync(allowLive, TestKeys.Read);
        Assert.Equal("sku-live", Assert.Single(live.Items).Item.Str);
        Assert.Equal(SourceNames.TwoTower, live.Items[0].Source);

        // Back to the version without a two-tower: it serves as before.
        await admin.RollbackAsync(new RollbackRequest(), TestKeys.AdminOnly);
        var after = await recommender.RecommendAsync(request, TestKeys.Read);
        Assert.EndsWith("/v1", after.Version, StringComparison.Ordinal);
        Assert.Equal(10, after.Items.Count);
        Assert.DoesNotContain(after.Items, i => i.Source == SourceNames.TwoTower);
    }
}
