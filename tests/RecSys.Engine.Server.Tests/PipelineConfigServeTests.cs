using System.Globalization;
using Grpc.Core;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Serving:PipelineConfigFile (issue 13) through <c>recsys serve</c>'s path (<see cref="RecSysServer.ServeAsync"/> over a
/// config file, real Kestrel on 127.0.0.1, a real FASTER store): the file's pin, MMR and exploration settings and the
/// surface it adds shape the answers over the wire; an unknown surface is still INVALID_ARGUMENT naming the field; a
/// file the served version refuses stops the start, naming the key, the file and the field.
/// </summary>
public sealed class PipelineConfigServeTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>, IDisposable
{
    private const int K = 10;

    private readonly RegistryRig _rig = new(trained);

    public void Dispose() => _rig.Dispose();

    private string Root => Path.GetDirectoryName(_rig.RegistryDirectory)!;

    /// <summary>The rig's registry with version v1 active, <paramref name="json"/> as ROOT/<paramref name="file"/>, and the serve config pointing at it.</summary>
    private async Task<ServeConfig> ConfigAsync(string json, string file = "pipeline.json")
    {
        await using (await _rig.CreateAsync("v1"))
        {
        }
        File.WriteAllText(Path.Combine(Root, file), json);
        return ServeConfigFile.Write(Root, new Dictionary<string, object> { ["PipelineConfigFile"] = file });
    }

    /// <summary>The items (external ids) user <paramref name="u"/> interacted with in training: the seen filter keeps them out, pins included.</summary>
    private HashSet<long> Seen(int u)
    {
        var data = trained.Planted.Data;
        var seen = new HashSet<long>();
        if (data.Events.Users.TryGetOrdinal(PlantedCatalog.UserId(u).ToString(CultureInfo.InvariantCulture), out int user))
        {
            foreach (int item in data.Matrix.Columns(user))
                seen.Add(long.Parse(data.Events.Items[item], CultureInfo.InvariantCulture));
        }
        return seen;
    }

    private static List<long> Stage(RecommendResponse answer, string stage) =>
        Assert.Single(answer.Trace, t => t.Stage == stage).Items.Select(i => i.Num).ToList();

    [Fact]
    public async Task The_files_pin_diversity_exploration_and_new_surface_shape_the_answers_over_the_wire()
    {
        long pinned = PlantedCatalog.ItemId(trained.Planted.Items - 3);
        // The defaults' home runs MMR at 0.7 and gives one slot in 10 to exploration; the file turns both off and pins an item.
        var config = await ConfigAsync($$"""
            {"version": "from-file",
             "surfaces": [{"name": "home", "mmr_lambda": 1, "exploration_share": 0,
                           "rules": [{"kind": "Pin", "item_id": {{pinned}}, "position": 0}]},
                          {"name": "deals", "code": 5, "learned_ranker": false, "sources": [{"name": "popular", "count": 30}]}]}
            """);
        Assert.NotNull(config.PipelineFile);
        await ServeRun.RunAsync(config, new LogCapture(), async (_, recommender, _) =>
        {
            int users = 0;
            for (int u = 0; users < 20; u++)
            {
                if (Seen(u).Contains(pinned))
                    continue;
                users++;
                var answer = await recommender.RecommendAsync(new RecommendRequest { User = new Id { Num = PlantedCatalog.UserId(u) }, K = K, Debug = true }, TestKeys.Read);
                Assert.StartsWith("from-file/", answer.Version);
                Assert.Equal(K, answer.Items.Count);
                Assert.Equal(pinned, answer.Items[0].Item.Num);
                Assert.DoesNotContain(answer.Items, i => i.Exploration);
                // Relevance only: diversity keeps the k best by score in their order, and exploration changes nothing.
                var byScore = Stage(answer, "post:freshness");
                var diverse = Stage(answer, "post:diversity");
                Assert.Equal(byScore.Take(K), diverse);
                Assert.Equal(diverse, Stage(answer, "post:exploration"));
                Assert.Equal([pinned, .. diverse.Where(i => i != pinned).Take(K - 1)], answer.Items.Select(i => i.Item.Num));
            }

            var deals = await recommender.RecommendAsync(new RecommendRequest { User = new Id { Num = PlantedCatalog.UserId(0) }, Surface = "deals", K = 5 }, TestKeys.Read);
            Assert.Equal(("deals", 5), (deals.Surface, deals.Items.Count));
            Assert.All(deals.Items, i => Assert.Equal("popular", i.Source));

            await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "surface",
                () => recommender.RecommendAsync(new RecommendRequest { User = new Id { Num = PlantedCatalog.UserId(0) }, Surface = "homepage", K = K }, TestKeys.Read));
        });
    }

    [Theory]
    [InlineData("""{"surfaces": [{"name": "home", "mmr_lambda": 1.5}]}""", "surfaces[0].mmr_lambda: surface 'home': must be in [0, 1]")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Pin", "item_id": 5}]}]}""", "surfaces[0].rules[0].position")]
    [InlineData("""{"surfaces": [{"name": "item-page", "sources": [{"name": "similar-cf", "count": -1}]}]}""", "surfaces[0].sources[0].count")]
    // Only the version can tell: it has no source of that name (PipelineVersion.Create's check, reported at the file's field).
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "colaborative", "count": 10}]}]}""", "surfaces[0].sources[0].name: surface 'home' lists source 'colaborative'")]
    public async Task A_file_the_served_version_refuses_stops_the_start_naming_the_key_the_file_and_the_field(string json, string field)
    {
        var config = await ConfigAsync(json, "bad-pipeline.json");
        bool listened = false;
        // A start that is not refused stops at once, so the test fails rather than serves forever.
        using var stop = new CancellationTokenSource();
        var e = await Assert.ThrowsAsync<ServerConfigException>(() => RecSysServer.ServeAsync(config, _ =>
        {
            listened = true;
            stop.Cancel();
        }, new LogCapture().Configure, stop: stop.Token));
        Assert.False(listened);
        Assert.Equal("Serving:PipelineConfigFile", e.Key);
        Assert.StartsWith($"Serving:PipelineConfigFile: {Path.Combine(Root, "bad-pipeline.json")}: ", e.Message);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public async Task Activating_a_version_the_file_does_not_fit_is_FAILED_PRECONDITION_and_the_old_version_keeps_serving()
    {
        // The file adds the sequence source to home: v1 has the sequence model, v2 does not.
        var config = await ConfigAsync("""{"surfaces": [{"name": "home", "sources": [{"name": "sequence", "count": 20}]}]}""");
        _rig.AddVersion("v2", trained.Models with { Sequence = null });
        await ServeRun.RunAsync(config, new LogCapture(), async (_, recommender, admin) =>
        {
            await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "version",
                () => admin.ActivateModelAsync(new ActivateModelRequest { Version = "v2" }, TestKeys.AdminOnly));
            var answer = await recommender.RecommendAsync(new RecommendRequest { User = new Id { Num = PlantedCatalog.UserId(1) }, K = K }, TestKeys.Read);
            Assert.EndsWith("/v1", answer.Version, StringComparison.Ordinal);
            Assert.Equal(K, answer.Items.Count);
        });
    }

    [Theory]
    [InlineData("{\"surfaces\": [", "not a valid pipeline config file")]
    [InlineData("""{"surfaces": [{"name": "home", "mmr_lamda": 0.5}]}""", "surfaces[0].mmr_lamda")]
    public void A_file_that_does_not_parse_refuses_the_config_naming_the_key_the_file_and_the_field(string json, string field)
    {
        Directory.CreateDirectory(_rig.RegistryDirectory);
        File.WriteAllText(Path.Combine(Root, "typo.json"), json);
        var e = Assert.Throws<ServerConfigException>(() => ServeConfigFile.Write(Root, new Dictionary<string, object> { ["PipelineConfigFile"] = "typo.json" }));
        Assert.Equal("Serving:PipelineConfigFile", e.Key);
        Assert.Contains(Path.Combine(Root, "typo.json"), e.Message);
        Assert.Contains(field, e.Message);

        var missing = Assert.Throws<ServerConfigException>(() => ServeConfigFile.Write(Root, new Dictionary<string, object> { ["PipelineConfigFile"] = "absent.json" }));
        Assert.Equal("Serving:PipelineConfigFile", missing.Key);
        Assert.Contains("absent.json", missing.Message);
    }
}
