using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Registry;

/// <summary>
/// An experiment variant pinned to a version whose content vocabulary differs from the active version's, at the same
/// dimension: each version scores listed items, builds the content profile and seeds similar-content from the rows of
/// its own vocabulary (the rows its own index holds), before, while and after the variant serves.
/// </summary>
public sealed class VariantContentTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private const int User = 9;

    /// <summary>The trained models with a content model of another vocabulary (category block weighted 4x) at the same dimension.</summary>
    private static TrainedModels OtherVocabulary(TrainedPlanted trained)
    {
        var content = new ContentEncoder(TrainedPlanted.Settings(seed: 3).Content with { CategoryWeight = 4f });
        content.Fit(trained.Planted.Data);
        Assert.Equal(trained.Models.Content!.Dimension, content.Dimension);
        return trained.Models with { Content = content };
    }

    /// <summary>A variant pinned to <paramref name="version"/> on the email surface only: home, search and item-page stay the active version's.</summary>
    private static ExperimentConfig EmailExperiment(string version) => new()
    {
        Name = "content-vocabulary",
        Salt = "cv",
        Surfaces = ["email"],
        Variants = [new() { Name = "control", Share = 0.5 }, new() { Name = version, Share = 0.5, Version = version }],
    };

    /// <summary>The content-sourced scores of the active version for the user, each request on an allow list (scored from the rows, not searched).</summary>
    private static async Task<(long[] Ids, float[] Scores)[]> ContentScoresAsync(RegistryRig rig, ServingState state, long[] allow)
    {
        var filters = new RequestFilters { AllowItems = allow };
        var home = await state.Pipeline.RecommendAsync(rig.Request(User, "home") with { Debug = true, Filters = filters });
        var search = await state.Pipeline.RecommendAsync(rig.Request(User, "search") with { Debug = true, Filters = filters, QueryText = PlantedCatalog.CategoryWord(2) });
        var item = await state.Pipeline.RecommendAsync(rig.Request(User, "item-page") with { Debug = true, Filters = filters, ItemId = PlantedCatalog.ItemId(7) });
        var stages = new[]
        {
            home.Trace!.Stage("source:" + SourceNames.Content),
            search.Trace!.Stage("source:" + SourceNames.Query),
            item.Trace!.Stage("source:" + SourceNames.SimilarContent),
        };
        Assert.All(stages, s => Assert.NotEmpty(s!.ItemIds));
        Assert.All([home, search, item], r => Assert.Null(r.Variant));
        return [.. stages.Select(s => (s!.ItemIds, s.Scores))];
    }

    [Fact]
    public async Task A_variant_of_another_vocabulary_leaves_the_active_versions_content_scores_as_they_were()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync("v1");
        rig.AddVersion("v2", OtherVocabulary(trained));
        long[] allow = [.. Enumerable.Range(0, 400).Where(i => i % 13 == 5).Select(PlantedCatalog.ItemId)];
        var before = await ContentScoresAsync(rig, state, allow);

        await state.SetExperimentsAsync([EmailExperiment("v2")]);
        var during = await ContentScoresAsync(rig, state, allow);

        for (int s = 0; s < before.Length; s++)
        {
            Assert.Equal(before[s].Ids, during[s].Ids);
            Assert.Equal(before[s].Scores, during[s].Scores);
        }
    }

    [Fact]
    public async Task The_active_versions_rows_survive_a_restart_after_a_variant_of_another_vocabulary_served()
    {
        using var rig = new RegistryRig(trained);
        long[] allow = [.. Enumerable.Range(0, 400).Where(i => i % 13 == 5).Select(PlantedCatalog.ItemId)];
        (long[] Ids, float[] Scores)[] before;
        await using (var state = await rig.CreateAsync("v1"))
        {
            rig.AddVersion("v2", OtherVocabulary(trained));
            before = await ContentScoresAsync(rig, state, allow);
            await state.SetExperimentsAsync([EmailExperiment("v2")]);
            // An edit while the variant serves puts the snapshot owing a save: the rows it saves are the active version's.
            await state.Pipeline.UpsertItemAsync(PlantedCatalog.ItemId(399), new ItemAttributes { Title = "space quiet moon", Categories = [PlantedCatalog.Category(7)] });
        }
        await using var reopened = await rig.OpenAsync();
        var after = await ContentScoresAsync(rig, reopened, allow);
        for (int s = 0; s < before.Length; s++)
        {
            Assert.Equal(before[s].Ids, after[s].Ids);
            Assert.Equal(before[s].Scores, after[s].Scores);
        }
        var v1 = trained.Models.Content!;
        Assert.Equal(v1.ItemVector(5).ToArray(), reopened.Catalog.Content!.Row(5).ToArray());
    }

    [Fact]
    public async Task An_item_upserted_while_a_variant_serves_is_in_each_versions_rows_and_index_as_its_own_vocabulary_encodes_it()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync("v1");
        var other = OtherVocabulary(trained);
        rig.AddVersion("v2", other);
        // The variant answers search here: a query is encoded, and the item's vector searched and scored, in each version's vocabulary.
        await state.SetExperimentsAsync([EmailExperiment("v2") with { Surfaces = ["search"] }]);
        const long NewItem = 777_001;
        var item = new ItemAttributes { Title = "crime zebra harbour", Categories = [PlantedCatalog.Category(2)], Tags = ["zebra"] };
        await state.Pipeline.UpsertItemAsync(NewItem, item);

        var users = Enumerable.Range(0, 40).Select(u => (User: u, Variant: state.Pipeline.RecommendAsync(rig.Request(u, "search") with { QueryText = "zebra" }).AsTask().Result.Variant)).ToArray();
        foreach (var (variant, vocabulary) in new[] { ("control", trained.Models.Content!.Vocabulary!), ("v2", other.Content!.Vocabulary!) })
        {
            int user = users.First(u => u.Variant == variant).User;
            var query = new float[vocabulary.Dimension];
            vocabulary.Encode("zebra", [], ["zebra"], query);
            var row = new float[vocabulary.Dimension];
            vocabulary.Encode(item.Title, item.Categories, item.Tags, row);
            float expected = (float)(DotProduct.Reference(query, row) / Math.Sqrt(DotProduct.Reference(query, query) * DotProduct.Reference(row, row)));
            // Scored from the rows (an allow list), and searched in the index: the same score, the version's own.
            foreach (var filters in new RequestFilters?[] { new() { AllowItems = [NewItem, PlantedCatalog.ItemId(2)] }, null })
            {
                var response = await state.Pipeline.RecommendAsync(rig.Request(user, "search") with { Debug = true, Filters = filters, QueryText = "zebra" });
                Assert.Equal(variant, response.Variant);
                var stage = response.Trace!.Stage("source:" + SourceNames.Query)!;
                int at = Array.IndexOf(stage.ItemIds, NewItem);
                Assert.True(at >= 0, $"{variant}: the new item is not among the query source's items");
                Assert.Equal(expected, stage.Scores[at], 1e-4);
            }
        }
    }

    /// <summary>
    /// A variant of another vocabulary encodes an item upserted while it served from the item's title, categories and
    /// tags. After a restart the variant is attached again and encodes the live items from the store's records: the
    /// store keeps the title now, so the row is the one it had. Before, the title was not stored and the row came back
    /// without it (another vector in the variant's index).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_variants_row_of_an_item_upserted_while_it_served_is_the_same_after_a_restart_title_included(bool save)
    {
        using var rig = new RegistryRig(trained);
        var other = OtherVocabulary(trained);
        var vocabulary = other.Content!.Vocabulary!;
        const long NewItem = 777_005;
        var item = new ItemAttributes { Title = "crime zebra harbour", Categories = [PlantedCatalog.Category(2)], Tags = ["zebra"] };
        var expected = new float[vocabulary.Dimension];
        vocabulary.Encode(item.Title, item.Categories, item.Tags, expected);
        var untitled = new float[vocabulary.Dimension];
        vocabulary.Encode("", item.Categories, item.Tags, untitled);
        Assert.NotEqual(expected, untitled); // the title is in the vocabulary: a row without it differs

        float[] VariantRow(ServingState state)
        {
            Assert.True(state.Catalog.Items.TryGetOrdinal(NewItem, out int o));
            var own = state.Pipeline.ServingContentRows().Where(r => !ReferenceEquals(r.Rows, state.Catalog.Content)).ToList();
            return Assert.Single(own).Rows!.Row(o).ToArray();
        }

        var options = RegistryRig.Options() with { SaveOnDispose = save };
        await using (var state = await rig.CreateAsync("v1", options))
        {
            rig.AddVersion("v2", other);
            await state.SetExperimentsAsync([EmailExperiment("v2")]);
            await state.Pipeline.UpsertItemAsync(NewItem, item);
            Assert.Equal(expected, VariantRow(state));
        }
        await using (var state = await rig.OpenAsync(options))
        {
            await state.SetExperimentsAsync([EmailExperiment("v2")]);
            Assert.Equal(expected, VariantRow(state));
        }
    }

    [Fact]
    public async Task A_variant_of_the_active_versions_vocabulary_shares_its_rows_and_one_of_another_has_its_own()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync("v1");
        rig.AddVersion("same", trained.Models);
        rig.AddVersion("other", OtherVocabulary(trained));

        await state.SetExperimentsAsync([EmailExperiment("same")]);
        var rows = state.Pipeline.ServingContentRows();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Same(state.Catalog.Content, r.Rows));

        await state.SetExperimentsAsync([EmailExperiment("other")]);
        rows = state.Pipeline.ServingContentRows();
        Assert.Same(state.Catalog.Content, rows[0].Rows);
        Assert.NotSame(rows[0].Rows, rows[1].Rows);
        Assert.Equal(OtherVocabulary(trained).Content!.ItemVector(5).ToArray(), rows[1].Rows!.Row(5).ToArray());
        Assert.Equal(trained.Models.Content!.ItemVector(5).ToArray(), rows[0].Rows!.Row(5).ToArray());
    }

    [Fact]
    public async Task Activating_a_version_of_another_vocabulary_gives_it_rows_of_its_own_and_leaves_the_old_versions_as_they_were()
    {
        using var rig = new RegistryRig(trained);
        var other = OtherVocabulary(trained);
        const long LiveItem = 777_002;
        var item = new ItemAttributes { Title = "nature heron", Categories = [PlantedCatalog.Category(7)], Tags = ["heron", "marsh"] };
        float[] liveRow;
        await using (var state = await rig.CreateAsync("v1"))
        {
            rig.AddVersion("v2", other);
            await state.Pipeline.UpsertItemAsync(LiveItem, item);
            Assert.True(state.Catalog.Items.TryGetOrdinal(LiveItem, out int live));
            var old = state.Pipeline.Version;
            float[] oldLive = old.ContentRows!.Row(live).ToArray();

            await state.ActivateAsync("v2");

            // The old version (requests in flight finish on it) still reads its own rows.
            Assert.Equal(trained.Models.Content!.ItemVector(5).ToArray(), old.ContentRows.Row(5).ToArray());
            Assert.Equal(oldLive, old.ContentRows.Row(live).ToArray());
            // The new one reads its trained vectors, and the live item as its vocabulary encodes what the store keeps:
            // title, categories and tags, what the upsert gave.
            var vocabulary = other.Content!.Vocabulary!;
            var expected = new float[vocabulary.Dimension];
            vocabulary.Encode(item.Title, item.Categories, item.Tags, expected);
            Assert.Same(state.Catalog.Content, state.Pipeline.Version.ContentRows);
            Assert.Equal(other.Content.ItemVector(5).ToArray(), state.Catalog.Content!.Row(5).ToArray());
            liveRow = state.Catalog.Content.Row(live).ToArray();
            Assert.Equal(expected, liveRow);
            // ... which its index holds: the query source finds the item by its tag with the score of that vector.
            var query = new float[vocabulary.Dimension];
            vocabulary.Encode("heron", [], ["heron"], query);
            float score = (float)(DotProduct.Reference(query, expected) / Math.Sqrt(DotProduct.Reference(query, query) * DotProduct.Reference(expected, expected)));
            var response = await state.Pipeline.RecommendAsync(rig.Request(User, "search") with { Debug = true, QueryText = "heron" });
            var stage = response.Trace!.Stage("source:" + SourceNames.Query)!;
            Assert.Equal(LiveItem, stage.ItemIds[0]);
            Assert.Equal(score, stage.Scores[0], 1e-4);
        }
        // The snapshot the swap saved holds the new version's rows: a restart reads them back.
        await using var reopened = await rig.OpenAsync();
        Assert.True(reopened.Catalog.Items.TryGetOrdinal(LiveItem, out int ordinal));
        Assert.Equal(liveRow, reopened.Catalog.Content!.Row(ordinal).ToArray());
        Assert.Equal(other.Content!.ItemVector(5).ToArray(), reopened.Catalog.Content.Row(5).ToArray());
    }
    /// <summary>
    /// A crash after a swap to a version of another vocabulary committed the registry pointer but before its snapshot
    /// was committed (or a swap whose save failed, which is logged and serves on): the restart reads the old version's
    /// snapshot and journal, whose live rows were made by the old vocabulary. The new version must read its own
    /// encoding of those items, as it did before the crash, not rows of another space its index and queries do not use.
    /// </summary>
    [Fact]
    public async Task A_restart_after_a_crash_between_a_swap_to_another_vocabulary_and_its_save_reads_the_new_versions_rows_of_live_items()
    {
        using var rig = new RegistryRig(trained);
        var other = OtherVocabulary(trained);
        const long Saved = 777_003, Journaled = 777_004;
        var savedItem = new ItemAttributes { Title = "nature heron", Categories = [PlantedCatalog.Category(7)], Tags = ["heron", "marsh"] };
        var journaledItem = new ItemAttributes { Title = "crime zebra harbour", Categories = [PlantedCatalog.Category(2)], Tags = ["zebra"] };
        var crashing = RegistryRig.Options() with { SaveOnDispose = false };
        string serving = Path.Combine(rig.RegistryDirectory, "serving");
        string beforeSwap = serving + "-before-swap";
        float[] savedRow, journaledRow;
        await using (var state = await rig.CreateAsync("v1", crashing))
        {
            rig.AddVersion("v2", other);
            await state.Pipeline.UpsertItemAsync(Saved, savedItem);
            await state.SaveCatalogAsync(); // the live row of Saved in the snapshot (v1's vocabulary)
            await state.Pipeline.UpsertItemAsync(Journaled, journaledItem); // the live row of Journaled in the journal only
            CopyDirectory(serving, beforeSwap);

            await state.ActivateAsync("v2");
            Assert.True(state.Catalog.Items.TryGetOrdinal(Saved, out int s));
            Assert.True(state.Catalog.Items.TryGetOrdinal(Journaled, out int j));
            savedRow = state.Catalog.Content!.Row(s).ToArray();
            journaledRow = state.Catalog.Content.Row(j).ToArray();
        }
        // The catalog directory as the crash left it: the registry names v2, the snapshot and journal are v1's.
        Directory.Delete(serving, recursive: true);
        Directory.Move(beforeSwap, serving);

        await using var reopened = await rig.OpenAsync(crashing);
        Assert.Equal("v2", reopened.ActiveVersionId);
        Assert.True(reopened.Catalog.Items.TryGetOrdinal(Saved, out int saved));
        Assert.True(reopened.Catalog.Items.TryGetOrdinal(Journaled, out int journaled));
        Assert.Equal(savedRow, reopened.Catalog.Content!.Row(saved).ToArray());
        Assert.Equal(journaledRow, reopened.Catalog.Content.Row(journaled).ToArray());
        Assert.Equal(other.Content!.ItemVector(5).ToArray(), reopened.Catalog.Content.Row(5).ToArray());
    }

    /// <summary>
    /// A variant pinned to a version without a content model reads the active version's rows (diversity, new items):
    /// after a swap to a version of another vocabulary those are the new table, which upserts keep writing, not the old
    /// one, which nothing writes any more (items added after the swap would have no row there) and which the variant
    /// alone would keep alive.
    /// </summary>
    [Fact]
    public async Task A_variant_without_a_content_model_reads_the_active_versions_rows_after_a_swap_to_another_vocabulary()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync("v1");
        rig.AddVersion("plain", trained.Models with { Content = null });
        rig.AddVersion("v2", OtherVocabulary(trained));
        await state.SetExperimentsAsync([EmailExperiment("plain")]);
        await state.ActivateAsync("v2");
        const long NewItem = 777_005;
        await state.Pipeline.UpsertItemAsync(NewItem, new ItemAttributes { Title = "nature heron", Categories = [PlantedCatalog.Category(7)], Tags = ["heron"] });
        Assert.True(state.Catalog.Items.TryGetOrdinal(NewItem, out int ordinal));
        Assert.True(state.Catalog.Content!.HasRow(ordinal));

        var rows = state.Pipeline.ServingContentRows().Single(r => r.Vocabulary is null).Rows;
        Assert.True(rows is null || ReferenceEquals(rows, state.Catalog.Content), "the content-less variant reads the swapped-out version's table");
        // And its requests serve (they read the catalog's rows when the version names none).
        var responses = Enumerable.Range(0, 40).Select(u => state.Pipeline.RecommendAsync(rig.Request(u, "email")).AsTask().Result).ToArray();
        Assert.Contains(responses, r => r.Variant == "plain" && r.Items.Any());
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string dir in Directory.EnumerateDirectories(from))
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
