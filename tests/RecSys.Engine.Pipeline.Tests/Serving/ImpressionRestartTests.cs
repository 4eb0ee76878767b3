using System.Text.Json.Nodes;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>
/// Impression counts (exploration slots, the new-items source) survive a restart through the catalog snapshot, over a
/// real registry and FASTER store reopened from the same directories.
/// </summary>
public sealed class ImpressionRestartTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private const long NewItem = 900_001;

    /// <summary>
    /// Home: popular items, then the new-items source; a new item is explored until it has 2 impressions. Only impression
    /// events count (no served-item counting), so a request can be replayed with the very same counts.
    /// </summary>
    private static ServingStateOptions Options(bool saveOnDispose = true) => RegistryRig.Options(config: models =>
        PipelineHarness.WithSurface(PipelineDefaults.Config(models), "home", s => s with
        {
            Sources = [new SourceConfig(SourceNames.Popular, 30, TimeSpan.FromSeconds(1)), new SourceConfig(SourceNames.NewItems, 10, TimeSpan.FromSeconds(1), Weight: 0.01f)],
            ExplorationShare = 0.3f, MmrLambda = 1, CategoryCap = 0, ExplorationPick = ExplorationPick.LeastShown, ExplorationPool = 3,
            ExplorationEpsilon = 0, ExplorationEstablishedImpressions = null,
        }) with { ExplorationImpressions = 2, CountServedImpressions = false }) with { SaveOnDispose = saveOnDispose };

    private static int[] Counts(LiveCatalog catalog) => [.. Enumerable.Range(0, catalog.Length).Select(catalog.Impressions)];

    private static int Ordinal(ServingState state, long item) => state.Catalog.Items.TryGetOrdinal(item, out int o) ? o : throw new KeyNotFoundException($"item {item}");

    /// <summary>Impressions on home (code 1) logged by a user the tests never ask for.</summary>
    private static Task ImpressionsAsync(ServingState state, RegistryRig rig, long item, int count) =>
        state.Pipeline.RecordEventsAsync([.. Enumerable.Range(0, count).Select(i => new InteractionEvent(PlantedCatalog.UserId(200), item, EventType.Impression, 1, rig.NowMs - 60_000 + i))]).AsTask();

    private static async Task<long[]> HomeAsync(ServingState state, RegistryRig rig) =>
        [.. (await state.Pipeline.RecommendAsync(rig.Request(5, requestId: "fixed"))).Items.Select(i => i.ItemId)];

    /// <summary>The new item (added live) shown while new, then impressions for it and two established items.</summary>
    private static async Task<long[]> ServeAndShowAsync(ServingState state, RegistryRig rig)
    {
        await state.Pipeline.UpsertItemAsync(NewItem, new ItemAttributes { Title = "space golden storm", Categories = ["c0"] });
        Assert.Contains(NewItem, await HomeAsync(state, rig));
        await ImpressionsAsync(state, rig, NewItem, 2);
        await ImpressionsAsync(state, rig, PlantedCatalog.ItemId(3), 7);
        await ImpressionsAsync(state, rig, PlantedCatalog.ItemId(11), 1);
        var page = await HomeAsync(state, rig);
        Assert.DoesNotContain(NewItem, page);
        return page;
    }

    private static string SnapshotDirectory(RegistryRig rig)
    {
        string serving = Path.Combine(rig.RegistryDirectory, "serving");
        return Path.Combine(serving, File.ReadAllText(Path.Combine(serving, "CURRENT")).Trim());
    }

    [Fact]
    public async Task Impression_counts_are_back_after_a_clean_stop_and_a_shown_new_item_stays_shown()
    {
        using var rig = new RegistryRig(trained);
        int[] before;
        long[] page;
        await using (var state = await rig.CreateAsync(options: Options()))
        {
            page = await ServeAndShowAsync(state, rig);
            before = Counts(state.Catalog);
        }
        Assert.Equal(2, before[rig.Planted.Items]); // the new item's ordinal
        Assert.Equal(7, before.Max());

        await using (var state = await rig.OpenAsync(Options()))
        {
            Assert.Equal(before, Counts(state.Catalog));
            // The new item had its impressions: neither the new-items source nor an exploration slot brings it back.
            Assert.Equal(page, await HomeAsync(state, rig));
        }
    }

    [Fact]
    public async Task A_snapshot_saved_before_counts_were_kept_loads_with_every_count_at_zero()
    {
        using var rig = new RegistryRig(trained);
        await using (var state = await rig.CreateAsync(options: Options()))
            await ServeAndShowAsync(state, rig);

        // The snapshot as the build before this one wrote it: no count file, no "impressions" in the manifest.
        string dir = SnapshotDirectory(rig);
        string manifest = Path.Combine(dir, "snapshot.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        Assert.True(json.Remove("impressions"));
        File.WriteAllText(manifest, json.ToJsonString());
        File.Delete(Path.Combine(dir, "impressions.counts"));

        await using (var state = await rig.OpenAsync(Options()))
        {
            Assert.True(state.Catalog.Items.TryGetOrdinal(NewItem, out _));
            Assert.All(Counts(state.Catalog), c => Assert.Equal(0, c));
            Assert.Contains(NewItem, await HomeAsync(state, rig));
        }
    }

    /// <summary>
    /// The snapshot (counts included) is written by SaveAsync (a clean stop, the Checkpoint RPC), not by the store's
    /// timed checkpoints: after a crash the counts are those of the last save, and impressions since are lost.
    /// </summary>
    [Fact]
    public async Task After_a_crash_the_counts_are_those_of_the_last_save()
    {
        using var rig = new RegistryRig(trained);
        await using (var state = await rig.CreateAsync(options: Options(saveOnDispose: false)))
        {
            await ImpressionsAsync(state, rig, PlantedCatalog.ItemId(3), 2);
            await state.SaveAsync();
            await ImpressionsAsync(state, rig, PlantedCatalog.ItemId(3), 3);
            await ImpressionsAsync(state, rig, PlantedCatalog.ItemId(11), 1);
            Assert.Equal((5, 1), (state.Catalog.Impressions(Ordinal(state, PlantedCatalog.ItemId(3))), state.Catalog.Impressions(Ordinal(state, PlantedCatalog.ItemId(11)))));
        } // no save on the way out: the process died here

        await using (var state = await rig.OpenAsync(Options()))
            Assert.Equal((2, 0), (state.Catalog.Impressions(Ordinal(state, PlantedCatalog.ItemId(3))), state.Catalog.Impressions(Ordinal(state, PlantedCatalog.ItemId(11)))));
    }

    [Fact]
    public async Task A_torn_count_file_is_refused_naming_it()
    {
        using var rig = new RegistryRig(trained);
        await using (var state = await rig.CreateAsync(options: Options()))
            await ImpressionsAsync(state, rig, PlantedCatalog.ItemId(3), 2);
        string path = Path.Combine(SnapshotDirectory(rig), "impressions.counts");
        using (var file = new FileStream(path, FileMode.Open))
            file.SetLength(file.Length - 2);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => rig.OpenAsync(Options()));
        Assert.Contains(path, e.Message);
    }
}
