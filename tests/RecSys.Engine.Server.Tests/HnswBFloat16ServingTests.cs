using Microsoft.Extensions.DependencyInjection;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Serving:HnswBFloat16Traversal from a config file, through <see cref="RecSysServer.ServeAsync"/> (real Kestrel on
/// 127.0.0.1): the served version's graphs walk on bf16 rows, answers still come, and a version activated over the wire
/// loads the same way, keeping the beam width its index was saved with.
/// </summary>
public sealed class HnswBFloat16ServingTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>, IDisposable
{
    private readonly RegistryRig _rig = new(trained);

    public void Dispose() => _rig.Dispose();

    private string Root => Path.GetDirectoryName(_rig.RegistryDirectory)!;

    private ServeConfig Config(bool? bf16) =>
        ServeConfigFile.Write(Root, bf16 is bool b ? new Dictionary<string, object> { ["HnswBFloat16Traversal"] = b } : null);

    private static HnswIndex CfGraph(RunningServer server) =>
        Assert.IsType<HnswIndex>(server.Services.GetRequiredService<ServingContext>().State!.Pipeline.Version.Models.CfIndex);

    private static Task ServeAsync(ServeConfig config, Func<RunningServer, Recommender.RecommenderClient, Admin.AdminClient, Task> calls) =>
        ServeRun.RunAsync(config, new LogCapture(), calls);

    [Fact]
    public async Task The_config_key_reaches_the_served_graphs_and_a_swapped_in_version_keeps_it_and_its_saved_beam()
    {
        await using (await _rig.CreateAsync("v1"))
        {
        }
        _rig.AddVersion("v2", cfIndex: "HNSW16,efc100,ef40");
        var config = Config(bf16: true);
        Assert.True(config.Serving.HnswBFloat16Traversal);

        await ServeAsync(config, async (server, recommender, admin) =>
        {
            Assert.True(CfGraph(server).Options.BFloat16Traversal);
            Assert.Equal(new HnswOptions().EfSearch, CfGraph(server).Options.EfSearch);
            var answer = await recommender.RecommendAsync(new RecommendRequest { User = ServerRig.UserId(3), K = 5 }, TestKeys.Read);
            Assert.Equal(5, answer.Items.Count);

            await admin.ActivateModelAsync(new ActivateModelRequest { Version = "v2" }, TestKeys.AdminOnly);
            Assert.True(CfGraph(server).Options.BFloat16Traversal);
            Assert.Equal(40, CfGraph(server).Options.EfSearch);
            answer = await recommender.RecommendAsync(new RecommendRequest { User = ServerRig.UserId(3), K = 5 }, TestKeys.Read);
            Assert.EndsWith("/v2", answer.Version, StringComparison.Ordinal);
            Assert.Equal(5, answer.Items.Count);
        });

        // Without the key each graph is walked as it was saved (float32 here).
        var plain = Config(bf16: null);
        Assert.Null(plain.Serving.HnswBFloat16Traversal);
        await ServeAsync(plain, (server, _, _) =>
        {
            Assert.False(CfGraph(server).Options.BFloat16Traversal);
            Assert.Equal(40, CfGraph(server).Options.EfSearch);
            return Task.CompletedTask;
        });
    }
}
