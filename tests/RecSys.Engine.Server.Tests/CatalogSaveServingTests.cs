using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Serving:CatalogSaveInterval: the server saves the catalog snapshot on a timer, emptying the catalog journal; an item
/// added live survives a crash (no clean stop) either way; over a real registry and FASTER store reopened from the
/// same directories, and through <c>recsys serve</c>'s path for the key.
/// </summary>
public sealed class CatalogSaveServingTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    /// <summary>An overall deadline for what the timer does on its own: generous, for a shared 2-core machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private const long NewItem = 910_001;

    /// <summary>
    /// Adds an item live with the save timer on (or off), then drops the state as a crash would (no save on dispose),
    /// reopens it from the same directories and says whether the item is in the catalog, and how many bytes of catalog
    /// journal the crash left (a journal file with no record is its 32-byte header).
    /// </summary>
    private static async Task<(bool Survived, long JournalBytes)> ItemSurvivesACrashAsync(RegistryRig rig, bool timer)
    {
        await using (var state = await rig.CreateAsync(options: RegistryRig.Options() with { SaveOnDispose = false }))
        {
            using var service = new CatalogSaveService(state.SaveCatalogAsync, timer ? TimeSpan.FromMilliseconds(100) : TimeSpan.Zero, NullLogger.Instance);
            await service.StartAsync(CancellationToken.None);
            await state.Pipeline.UpsertItemAsync(NewItem, new ItemAttributes { Title = "space golden storm", Categories = ["c0"] });
            long after = service.Runs;
            // Two saves after the upsert: the second began after it returned, so it saved the item.
            var deadline = DateTime.UtcNow + Patience;
            while (timer && service.Runs < after + 2 && DateTime.UtcNow < deadline)
                await Task.Delay(50);
            await service.StopAsync(CancellationToken.None);
            Assert.Equal(0, service.Failures);
            Assert.True(!timer || service.Runs >= after + 2, $"{service.Runs - after} saves after the upsert within {Patience}");
        }
        long journal = Directory.GetFiles(Path.Combine(rig.RegistryDirectory, "serving"), "journal-*").Sum(f => new FileInfo(f).Length);
        await using var reopened = await rig.OpenAsync(RegistryRig.Options() with { SaveOnDispose = false });
        return (reopened.Catalog.Items.TryGetOrdinal(NewItem, out _), journal);
    }

    [Fact]
    public async Task An_item_added_live_survives_a_crash_from_the_journal_and_the_timer_s_saves_empty_it()
    {
        // Without timed saves the journal alone brings it back; with them the snapshot holds it and the journal is empty.
        using (var rig = new RegistryRig(trained))
        {
            var (survived, journal) = await ItemSurvivesACrashAsync(rig, timer: false);
            Assert.True(survived);
            Assert.True(journal > 32, $"{journal} bytes of journal");
        }
        using (var rig = new RegistryRig(trained))
            Assert.Equal((true, 32L), await ItemSurvivesACrashAsync(rig, timer: true));
    }

    [Fact]
    public async Task The_key_reaches_the_server_and_a_bad_one_is_refused_naming_it()
    {
        using var rig = new RegistryRig(trained);
        string root = Path.GetDirectoryName(rig.RegistryDirectory)!;
        await using (await rig.CreateAsync("v1"))
        {
        }
        foreach (string bad in new[] { "-00:00:01", "00:00:00.0005", "60.00:00:00" })
        {
            var e = Assert.Throws<ServerConfigException>(() => ServeConfigFile.Write(root, new Dictionary<string, object> { ["CatalogSaveInterval"] = bad }));
            Assert.Equal("Serving:CatalogSaveInterval", e.Key);
        }
        Assert.Equal(TimeSpan.FromMinutes(1), new ServingOptions().CatalogSaveInterval);
        var config = ServeConfigFile.Write(root, new Dictionary<string, object> { ["CatalogSaveInterval"] = "00:00:00.250" });
        await ServeRun.RunAsync(config, new LogCapture(), async (server, _, _) =>
        {
            var save = server.Services.GetRequiredService<CatalogSaveService>();
            Assert.Equal(TimeSpan.FromMilliseconds(250), save.Interval); // the key reached the server, not the default
            // The running server's own timer saves the serving state's catalog: an item added now is in the snapshot on
            // disk after two saves, while the server still runs (its stop saves too, so the check is made before it).
            await server.Services.GetRequiredService<Pipeline.RecommendationPipeline>()
                .UpsertItemAsync(NewItem, new ItemAttributes { Title = "space golden storm", Categories = ["c0"] });
            long after = save.Runs;
            var deadline = DateTime.UtcNow + Patience;
            while (save.Runs < after + 2 && DateTime.UtcNow < deadline)
                await Task.Delay(50);
            Assert.True(save.Runs >= after + 2, $"{save.Runs - after} saves after the upsert within {Patience}");
            string serving = Path.Combine(rig.RegistryDirectory, "serving");
            var saved = Models.Data.CatalogIdMap.Load(Path.Combine(serving, File.ReadAllText(Path.Combine(serving, "CURRENT")).Trim()));
            Assert.True(saved.TryGetOrdinal(NewItem, out _), "the snapshot the timer saved lacks the item added live");
        });
    }
}
