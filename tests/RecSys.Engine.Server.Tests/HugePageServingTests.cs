using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Serving:HugePageMappings from a config file, through <see cref="RecSysServer.ServeAsync"/> (real Kestrel on
/// 127.0.0.1): by default the served version's mapped index rows are advised for 2 MiB pages (smaps' "hg" flag) and
/// the server answers; with the key false they are mapped as the page cache holds them.
/// </summary>
public sealed class HugePageServingTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>, IDisposable
{
    private readonly RegistryRig _rig = new(trained);

    public void Dispose() => _rig.Dispose();

    private string Root => Path.GetDirectoryName(_rig.RegistryDirectory)!;

    private ServeConfig Config(bool? hugePages) =>
        ServeConfigFile.Write(Root, hugePages is bool b ? new Dictionary<string, object> { ["HugePageMappings"] = b } : null);

    /// <summary>This rig's mapped index row files (each HNSW index's vectors.rsv under the registry).</summary>
    private List<ProcessMapping> IndexRowMappings() =>
        ProcessMappings.Read().Where(m => m.Path.StartsWith(_rig.RegistryDirectory, StringComparison.Ordinal)
            && m.Path.EndsWith("vectors.rsv", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task By_default_the_index_rows_are_served_from_mappings_advised_for_huge_pages_and_false_turns_it_off()
    {
        if (!OperatingSystem.IsLinux())
            return; // /proc/self/smaps and MADV_HUGEPAGE are Linux's
        await using (await _rig.CreateAsync("v1"))
        {
        }
        var config = Config(hugePages: null);
        Assert.True(config.Serving.HugePageMappings);
        var logs = new LogCapture();
        await ServeRun.RunAsync(config, logs, async (_, recommender, _) =>
        {
            var rows = IndexRowMappings();
            Assert.NotEmpty(rows);
            Assert.All(rows, m => Assert.True(m.AdvisedHugePages, $"{m.Path}: {m.VmFlags}"));
            var answer = await recommender.RecommendAsync(new RecommendRequest { User = ServerRig.UserId(3), K = 5 }, TestKeys.Read);
            Assert.Equal(5, answer.Items.Count);
        });
        // Every advice took: nothing was logged from the mapping category.
        Assert.DoesNotContain(logs.Entries, e => e.Category == "RecSys.Engine.Server.Mapping");

        var plain = Config(hugePages: false);
        Assert.False(plain.Serving.HugePageMappings);
        await ServeRun.RunAsync(plain, new LogCapture(), (_, _, _) =>
        {
            var rows = IndexRowMappings();
            Assert.NotEmpty(rows);
            Assert.All(rows, m => Assert.False(m.AdvisedHugePages, $"{m.Path}: {m.VmFlags}"));
            return Task.CompletedTask;
        });
    }
}
