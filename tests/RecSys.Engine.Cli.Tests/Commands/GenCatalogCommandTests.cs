using System.Text.Json;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Cli.Gen;
using RecSys.Engine.Core.Vectors.Synthetic;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Ranking.Onnx;

namespace RecSys.Engine.Cli.Tests.Commands;

public sealed class GenCatalogCommandTests : IDisposable
{
    // Small enough for CI (a few seconds each), large enough for an IVF-PQ version (256 training vectors at least).
    private static readonly string[] Small = ["--items", "600", "--users", "400", "--history", "8", "--index", "both", "--threads", "1", "--seed", "42"];

    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-gencat-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Generate(string name)
    {
        string output = Path.Combine(_dir, name);
        var (code, stdout, stderr) = CommandRun.Run(GenCommand.Create(), ["gen", "catalog", .. Small, "--out", output]);
        Assert.True(code == 0, stderr + stdout);
        Assert.True(File.Exists(Path.Combine(output, CatalogGenerator.SummaryName)), "gen.json is written last, on success");
        return output;
    }

    [Fact]
    public async Task TheGeneratedDirectory_OpensAsAServer_WouldAndAnswersRecommend()
    {
        string output = Generate("c");
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, CatalogGenerator.ServeConfigName)));
        var store = CatalogGenerator.ReadStoreOptions(output);
        var options = new ServingStateOptions
        {
            Store = store,
            // Generous budgets: a shared test machine must not drop a source by timing.
            Config = models => PipelineDefaults.Config(models).WithSourceBudget(TimeSpan.FromSeconds(10)),
        };
        string registry = Path.Combine(output, config.RootElement.GetProperty("Serving").GetProperty("RegistryDirectory").GetString()!);
        Assert.Equal(["hnsw", "ivfpq"], ModelRegistry.Open(registry).List().Select(v => v.Id).Order());
        await using var state = await ServingState.OpenAsync(registry, store.DataDirectory, options);
        Assert.Equal("hnsw", state.ActiveVersionId);

        // Item vectors are the recipe's base rows, normalised (ALS item factors, no training).
        var expected = new SyntheticVectorGenerator(96, 42).GenerateBase(2);
        SyntheticVectorGenerator.Normalize(expected.AsSpan(96, 96));
        var als = state.Pipeline.Version.Models.Als!;
        Assert.Equal(expected.AsSpan(96, 96).ToArray(), als.ItemRow(1).ToArray());

        // User 7 has a profile (segment) and 8 events in the store; the answer leaves them out (seen).
        var profile = await state.Store.GetUserProfileAsync(7);
        Assert.NotNull(profile);
        var history = await state.Store.GetRecentHistoryAsync(7, 100);
        Assert.Equal(8, history.Length);
        var item = await state.Store.GetItemAsync(history[0].ItemId);
        Assert.NotNull(item);
        Assert.True(item.PublishedAtMs > 0);
        Assert.Single(item.Categories);

        var answer = await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = 7, K = 10, NowMs = 1_764_547_200_000 });
        Assert.Equal(10, answer.Items.Length);
        Assert.Empty(answer.DroppedSources);
        Assert.DoesNotContain(answer.Items, i => history.Any(h => h.ItemId == i.ItemId));

        // The IVF-PQ version swaps in live.
        await state.ActivateAsync("ivfpq");
        var afterSwap = await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = 7, K = 10, NowMs = 1_764_547_200_000 });
        Assert.Equal("ivfpq", state.ActiveVersionId);
        Assert.Equal(10, afterSwap.Items.Length);
    }

    [Fact]
    public void TheSameOptions_WriteTheSameVersions()
    {
        var a = ModelRegistry.Open(Path.Combine(Generate("a"), "registry"));
        var b = ModelRegistry.Open(Path.Combine(Generate("b"), "registry"));
        foreach (string id in new[] { "hnsw", "ivfpq" })
        {
            var fa = a.Get(id).Manifest.Files;
            var fb = b.Get(id).Manifest.Files;
            Assert.Equal(fa.Keys.Order(), fb.Keys.Order());
            foreach (var (path, file) in fa)
                Assert.True(file == fb[path], $"{id}/{path} differs between two runs with the same options");
        }
    }

    [Fact]
    public async Task WithRanker_EveryVersionShipsIt_AndTheOpenedVersionRanksWithIt()
    {
        string output = Path.Combine(_dir, "ranked");
        var (code, stdout, stderr) = CommandRun.Run(GenCommand.Create(), ["gen", "catalog", .. Small, "--ranker", "gbdt", "--ranker-sample", "400", "--out", output]);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("training the gbdt ranker on a generated sample of 400 items x 400 users", stderr);
        using (var gen = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, CatalogGenerator.SummaryName))))
        {
            var ranker = gen.RootElement.GetProperty("ranker");
            Assert.Equal("gbdt", ranker.GetProperty("kind").GetString());
            Assert.Equal(400, ranker.GetProperty("sample").GetInt32());
            Assert.True(ranker.GetProperty("features").GetInt32() > 0);
        }
        string registry = Path.Combine(output, "registry");
        foreach (var v in ModelRegistry.Open(registry).List())
            Assert.True(v.Manifest.Ranker is not null, $"version '{v.Id}' ships no ranker");
        // The ranker was trained inside the output directory; each version holds its own copy, and the training folder is gone.
        Assert.Equal(["gen.json", "registry", "serve.json", "store"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // The ranker loads and ranks; its schema names only sources the generated version runs on its home surface (the
        // sample had a content model, the versions have none); without a ranker loader the version is refused.
        var store = CatalogGenerator.ReadStoreOptions(output);
        var options = new ServingStateOptions
        {
            Store = store,
            Config = models => PipelineDefaults.Config(models).WithSourceBudget(TimeSpan.FromSeconds(10)),
            Load = new VersionLoadOptions { RankerLoader = CpuRankerLoader.Shared },
        };
        await using (var state = await ServingState.OpenAsync(registry, store.DataDirectory, options))
        {
            var answer = await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = 7, K = 10, NowMs = 1_764_547_200_000 });
            Assert.Equal(10, answer.Items.Length);
            Assert.Equal("onnx-gbdt", answer.Ranker);
            var served = state.Pipeline.Version.Config.Surface("home").Sources.Select(x => x.Name).ToHashSet();
            using var onnx = OnnxRanker.Load(state.Registry.Get("hnsw").PathOf(state.Registry.Get("hnsw").Manifest.Ranker!));
            Assert.NotEmpty(onnx.Schema.Sources);
            Assert.All(onnx.Schema.Sources, source => Assert.Contains(source, served));
        }
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await ServingState.OpenAsync(registry, store.DataDirectory, options with { Load = new VersionLoadOptions() }));
        Assert.Contains("ranker", refused.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--items", "0")]
    [InlineData("--users", "0")]
    [InlineData("--dim", "0")]
    [InlineData("--history", "0")]
    [InlineData("--history", "601")]
    [InlineData("--index", "flat")]
    [InlineData("--hnsw", "IVF16,PQ8")]
    [InlineData("--hnsw", "HNSW0")]
    [InlineData("--ivfpq", "IVF4096,PQ24")]
    [InlineData("--ivfpq", "IVF16,PQ7")]
    [InlineData("--end-time", "yesterday")]
    [InlineData("--threads", "0")]
    [InlineData("--ranker", "xgboost")]
    [InlineData("--ranker-sample", "10")]
    public void ABadOption_ExitsTwo_NamingIt_BeforeWritingAnything(string option, string value)
    {
        var args = new Dictionary<string, string> { ["--items"] = "600", ["--users"] = "400", ["--index"] = "both" };
        args[option] = value;
        string output = Path.Combine(_dir, "never");
        var (code, _, stderr) = CommandRun.Run(GenCommand.Create(), ["gen", "catalog", .. args.SelectMany(p => new[] { p.Key, p.Value }), "--out", output]);
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains(option, stderr);
        Assert.False(Directory.Exists(output), "options are checked before anything is written");
    }

    [Fact]
    public void WithRanker_AnIvfPqOnlyCatalogShipsOneToo()
    {
        // The sample's pipeline needs an index spec for its own CF index; with no HNSW version it trains over the
        // trainer's default HNSW, and the IVF-PQ version ships the ranker like any other.
        string output = Path.Combine(_dir, "ivfpq-ranked");
        var (code, stdout, stderr) = CommandRun.Run(GenCommand.Create(),
            ["gen", "catalog", "--items", "600", "--users", "200", "--history", "5", "--index", "ivfpq", "--threads", "1", "--ranker", "mlp", "--ranker-sample", "200", "--out", output]);
        Assert.True(code == 0, stderr + stdout);
        var version = Assert.Single(ModelRegistry.Open(Path.Combine(output, "registry")).List());
        Assert.Equal("ivfpq", version.Id);
        Assert.NotNull(version.Manifest.Ranker);
    }

    [Theory]
    [InlineData("--users", "10", "--ranker")] // the sample is at most the catalog's users: 10, under 100
    [InlineData("--history", "1", "--history")] // nothing to hold out
    [InlineData("--items", "150", "--ranker")] // with --history 100 the sample's 150 items leave too few candidates
    public void ARankerTheCatalogCannotTrain_ExitsTwo_NamingWhy(string option, string value, string named)
    {
        var args = new Dictionary<string, string> { ["--items"] = "600", ["--users"] = "400", ["--history"] = "5", ["--ranker"] = "mlp" };
        args[option] = value;
        if (option == "--items")
            args["--history"] = "100";
        string output = Path.Combine(_dir, "never");
        var (code, _, stderr) = CommandRun.Run(GenCommand.Create(), ["gen", "catalog", .. args.SelectMany(p => new[] { p.Key, p.Value }), "--out", output]);
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains(named, stderr);
        Assert.False(Directory.Exists(output), "options are checked before anything is written");
    }

    [Fact]
    public void ANonEmptyOutputDirectory_ExitsTwo()
    {
        string output = Path.Combine(_dir, "used");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "x"), "");
        var (code, _, stderr) = CommandRun.Run(GenCommand.Create(), "gen", "catalog", "--items", "600", "--users", "400", "--out", output);
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains("--out", stderr);
    }
}
