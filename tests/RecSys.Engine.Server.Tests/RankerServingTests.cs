using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// <c>recsys serve</c>'s path (<see cref="RecSysServer.ServeAsync"/>, real Kestrel) over a registry on disk whose
/// versions ship an MLP ranker exported to ONNX: loaded by the server's own ONNX loader on the real ONNX Runtime,
/// answering Recommend, swapped by ActivateModel / Rollback; a ranker of the wrong schema refuses the start.
/// </summary>
public sealed class RankerServingTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>, IDisposable
{
    private readonly RegistryRig _rig = new(trained);
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        _dir.Dispose();
        _rig.Dispose();
    }

    private ServeConfig Config(string provider = "cpu", bool ignoreRanker = false, int intraOpThreads = 1, int maxCandidates = 1000) => new()
    {
        Server = ServerRig.TestOptions,
        Serving = new ServingOptions
        {
            RegistryDirectory = _rig.RegistryDirectory,
            RankerProvider = provider,
            IgnoreRanker = ignoreRanker,
            RankerIntraOpThreads = intraOpThreads,
            RankerMaxCandidates = maxCandidates,
            SourceBudget = TimeSpan.FromSeconds(10), // first requests JIT-compile on a shared machine: no source may be dropped
            FeatureStore = new FeatureStoreOptions { DataDirectory = _rig.StoreDirectory, MemoryBudgetBytes = 16L << 20, IndexBuckets = 1 << 14, CheckpointInterval = TimeSpan.Zero },
        },
    };

    /// <summary>v1 (rank fusion) then v2 with <paramref name="rankerFile"/>, v2 active: what a registry looks like after `recsys train` shipped a ranker.</summary>
    private async Task RegistryWithRankerAsync(string rankerFile)
    {
        await using (await _rig.CreateAsync("v1"))
        {
        }
        _rig.AddVersion("v2", ranker: rankerFile);
        _rig.Registry.SetActive("v2");
    }

    /// <summary>Serves <paramref name="config"/> until <paramref name="calls"/> is done, through the generated clients.</summary>
    private static Task ServeAsync(ServeConfig config, LogCapture logs, Func<Recommender.RecommenderClient, Admin.AdminClient, Task> calls) =>
        ServeRun.RunAsync(config, logs, (_, recommender, admin) => calls(recommender, admin));

    private static async Task<Api.V1.RecommendResponse> RecommendAsync(Recommender.RecommenderClient client) =>
        await client.RecommendAsync(new Api.V1.RecommendRequest { User = ServerRig.UserId(3), K = 5 }, TestKeys.Read);

    [Fact]
    public async Task A_version_with_an_onnx_mlp_ranker_is_served_through_it_and_activation_and_rollback_swap_it()
    {
        await RegistryWithRankerAsync(PlantedRanker.TrainMlp(PlantedRanker.Schema(trained.Planted), _dir.File("mlp.onnx")));
        var logs = new LogCapture();
        // 100 candidates per call: fewer than the collaborative source alone brings (200), so a request is scored in chunks.
        await ServeAsync(Config(intraOpThreads: 2, maxCandidates: 100), logs, async (recommender, admin) =>
        {
            var ranked = await RecommendAsync(recommender);
            Assert.EndsWith("/v2", ranked.Version, StringComparison.Ordinal);
            Assert.Equal("onnx-mlp", ranked.Ranker);
            Assert.Equal(5, ranked.Items.Count);

            var rolledBack = await admin.RollbackAsync(new RollbackRequest(), TestKeys.AdminOnly);
            Assert.Equal(("v1", "v2"), (rolledBack.Active, rolledBack.Previous));
            var fused = await RecommendAsync(recommender);
            Assert.Equal("rrf", fused.Ranker);
            Assert.NotEqual(ranked.Items.Select(i => i.Score), fused.Items.Select(i => i.Score));

            await admin.ActivateModelAsync(new ActivateModelRequest { Version = "v2" }, TestKeys.AdminOnly);
            Assert.Equal("onnx-mlp", (await RecommendAsync(recommender)).Ranker);
        });
        // Serving:RankerProvider, RankerIntraOpThreads and RankerMaxCandidates reached ONNX Runtime, and the load said so
        // where the server logs.
        Assert.Contains(logs.Entries, e => e.Message.Contains("provider CPU, 2 intra-op thread(s), up to 100 candidates", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_ranker_of_another_schema_refuses_the_start_naming_the_field_and_IgnoreRanker_serves_rank_fusion()
    {
        await RegistryWithRankerAsync(PlantedRanker.TrainMlp(PlantedRanker.Schema(trained.Planted, historyWindow: 30), _dir.File("window30.onnx")));
        var e = await Assert.ThrowsAsync<ServerConfigException>(() => ServeAsync(Config(), new LogCapture(), (_, _) => Task.CompletedTask));
        Assert.Contains("'history_window'", e.Message);
        Assert.Contains("ranker.onnx", e.Message);
        Assert.Contains("'v2'", e.Message);
        Assert.Contains("Serving:IgnoreRanker", e.Message);

        await ServeAsync(Config(ignoreRanker: true), new LogCapture(), async (recommender, _) =>
        {
            var answer = await RecommendAsync(recommender);
            Assert.EndsWith("/v2", answer.Version, StringComparison.Ordinal);
            Assert.Equal("rrf", answer.Ranker);
        });
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("")]
    public void A_ranker_provider_other_than_auto_cuda_or_cpu_is_a_config_error_naming_the_key(string provider)
    {
        Directory.CreateDirectory(_rig.RegistryDirectory);
        var e = Assert.Throws<ServerConfigException>(() => Config(provider).Serving.Validate());
        Assert.Equal("Serving:RankerProvider", e.Key);
        Assert.Contains($"'{provider}'", e.Message);
        Assert.Equal("auto", new ServingOptions().RankerProvider);
        Config("CUDA").Serving.Validate();
    }

    [Theory]
    [InlineData("RankerIntraOpThreads", 0)]
    [InlineData("RankerMaxCandidates", 0)]
    [InlineData("RankerConcurrentCalls", -1)]
    public void A_ranker_thread_candidate_or_call_count_below_one_is_a_config_error_naming_the_key(string key, int value)
    {
        Directory.CreateDirectory(_rig.RegistryDirectory);
        string root = Path.GetDirectoryName(_rig.RegistryDirectory)!;
        var e = Assert.Throws<ServerConfigException>(() => ServeConfigFile.Write(root, new Dictionary<string, object> { [key] = value }));
        Assert.Equal($"Serving:{key}", e.Key);
        Assert.StartsWith($"Serving:{key}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", e.Message);

        var good = ServeConfigFile.Write(root, new Dictionary<string, object> { [key] = 3 }).Serving;
        Assert.Equal(3, key switch
        {
            "RankerIntraOpThreads" => good.RankerIntraOpThreads,
            "RankerMaxCandidates" => good.RankerMaxCandidates,
            _ => good.RankerConcurrentCalls,
        });
        var defaults = new ServingOptions();
        Assert.Equal((1, 1000, (int?)null), (defaults.RankerIntraOpThreads, defaults.RankerMaxCandidates, defaults.RankerConcurrentCalls));
    }
}
