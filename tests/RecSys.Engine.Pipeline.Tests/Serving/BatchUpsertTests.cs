using System.Reflection;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>
/// <see cref="RecommendationPipeline.UpsertItemsAsync"/>: many items with one store commit and one journal fsync (group
/// commit), over a real FASTER store and a real journal file. What a batch must keep of the single upsert: every item
/// checked before any is written, each id's last upsert wins, an item the store refused is new on its retry, and
/// nothing of a batch is in the catalog before the journal has it (or a retry would find nothing to journal).
/// </summary>
public sealed class BatchUpsertTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private const long First = 940_001;

    private static ServingStateOptions Crashing => RegistryRig.Options() with { SaveOnDispose = false };

    private static ItemAttributes Item(string title, params string[] categories) => new() { Title = title, Categories = categories, Tags = ["t"] };

    private static ItemUpsert[] NewItems(int count, string newCategory) =>
    [
        .. Enumerable.Range(0, count).Select(i => i % 3 == 0
            ? ItemUpsert.Of($"sku-batch-{i}", Item($"{PlantedCatalog.Words[i % 5]} batch {i}", PlantedCatalog.Category(i % 4), newCategory))
            : ItemUpsert.Of(First + i, Item($"{PlantedCatalog.Words[i % 5]} dark city {i}", PlantedCatalog.Category(i % 4)))),
    ];

    private static int Ordinal(ServingState state, ItemUpsert u) => state.Catalog.Items.TryGetOrdinal(u.Key, out int o) ? o : throw new KeyNotFoundException($"item {u.Key}");

    [Fact]
    public async Task A_batch_of_new_items_is_one_journal_record_and_all_of_it_is_back_after_a_crash()
    {
        using var rig = new RegistryRig(trained);
        var batch = NewItems(40, "batch-only-category");
        int[] ordinals;
        float[][] rows;
        int category;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            long before = state.Journal.Changes;
            await state.Pipeline.UpsertItemsAsync(batch);
            // One record (one fsync) for the 40 ids, the new category and the 40 content rows; one call each would be 40.
            Assert.Equal(1, state.Journal.Changes - before);
            ordinals = [.. batch.Select(u => Ordinal(state, u))];
            Assert.All(ordinals, o => Assert.False(state.Catalog.IsDeleted(o)));
            rows = [.. ordinals.Select(o => state.Catalog.Content!.Row(o).ToArray())];
            Assert.All(rows, r => Assert.NotEmpty(r));
            Assert.True(state.Catalog.Categories.TryGetId("batch-only-category", out category));
        }

        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.Equal(1, state.Journal.ReplayedRecords);
            for (int i = 0; i < batch.Length; i++)
            {
                Assert.Equal(ordinals[i], Ordinal(state, batch[i]));
                Assert.Equal(batch[i].Name, state.Catalog.Items.NameOf(ordinals[i]));
                Assert.False(state.Catalog.IsDeleted(ordinals[i]));
                Assert.Equal(rows[i], state.Catalog.Content!.Row(ordinals[i]).ToArray());
            }
            Assert.True(state.Catalog.Categories.TryGetId("batch-only-category", out int again));
            Assert.Equal(category, again);
            Assert.Contains(category, state.Catalog.CategoriesOf(ordinals[0]).ToArray());
        }
    }

    [Fact]
    public async Task A_batch_with_a_bad_item_is_refused_naming_its_position_and_nothing_of_it_is_written()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var batch = NewItems(6, "refused-category");
        batch[4] = batch[4] with { Attributes = batch[4].Attributes with { PublishedAtMs = -1 } };
        int items = h.Catalog.Items.Count, categories = h.Catalog.Categories.Count;

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await h.Pipeline.UpsertItemsAsync(batch));
        Assert.Equal("items[4]", e.ParamName);
        Assert.StartsWith("items[4]: PublishedAtMs must not be negative", e.Message);
        Assert.Equal(items, h.Catalog.Items.Count);
        Assert.Equal(categories, h.Catalog.Categories.Count);
        Assert.Null(await h.Store.GetItemAsync(batch[1].Key));
    }

    /// <summary>
    /// A content vector with a non-finite value is a bad item like any other: refused before anything is written. Let
    /// through, the store and the journal took it and the batch, the catalog took its NaN row (which the content profile
    /// and every score built from it then read), the index refused it, and the items after it in the batch were stored
    /// and journaled but never applied.
    /// </summary>
    [Fact]
    public async Task A_batch_with_a_non_finite_content_vector_is_refused_naming_its_position_and_nothing_of_it_is_written()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var vector = new float[h.ContentModel.Dimension];
        vector[0] = 1f;
        vector[1] = float.NaN;
        var batch = NewItems(4, PlantedCatalog.Category(1));
        batch[1] = batch[1] with { Attributes = batch[1].Attributes with { ContentVector = vector } };
        int items = h.Catalog.Items.Count;

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await h.Pipeline.UpsertItemsAsync(batch));
        Assert.Equal("items[1]", e.ParamName);
        Assert.Equal(items, h.Catalog.Items.Count);
        foreach (var u in batch)
            Assert.Null(await h.Store.GetItemAsync(u.Key));

        // One at a time, the same: refused before the store.
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await h.Pipeline.UpsertItemAsync(batch[1].Key, batch[1].Attributes));
        Assert.Null(await h.Store.GetItemAsync(batch[1].Key));
    }

    [Fact]
    public async Task Two_ids_of_a_batch_that_share_a_key_under_different_names_are_refused_before_anything_is_written()
    {
        await using var h = await PipelineHarness.CreateAsync();
        const string Name = "sku-shared-key";
        ItemUpsert[] batch =
        [
            ItemUpsert.Of(First, Item("first", PlantedCatalog.Category(0))),
            ItemUpsert.Of(Name, Item("named", PlantedCatalog.Category(1))),
            ItemUpsert.Of(CatalogIdMap.KeyOf(Name), Item("the same key as a number", PlantedCatalog.Category(2))),
        ];
        int items = h.Catalog.Items.Count;

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await h.Pipeline.UpsertItemsAsync(batch));
        Assert.Equal("items[2]", e.ParamName);
        Assert.Contains("map to the same key", e.Message);
        Assert.Equal(items, h.Catalog.Items.Count);
        Assert.Null(await h.Store.GetItemAsync(First));
    }

    [Fact]
    public async Task An_id_twice_in_a_batch_ends_as_its_last_upsert_and_joins_the_new_items_once()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var second = Item(PlantedCatalog.Words[2] + " second title", PlantedCatalog.Category(2));
        await h.Pipeline.UpsertItemsAsync(
        [
            ItemUpsert.Of(First, Item(PlantedCatalog.Words[1] + " first title", PlantedCatalog.Category(1))),
            ItemUpsert.Of(First + 1, Item("another", PlantedCatalog.Category(0))),
            ItemUpsert.Of(First, second),
        ]);
        // The same attributes under another id, one at a time: what the last upsert of First must have left.
        await h.Pipeline.UpsertItemAsync(First + 2, second);

        Assert.True(h.Catalog.Items.TryGetOrdinal(First, out int ordinal));
        Assert.True(h.Catalog.Items.TryGetOrdinal(First + 2, out int reference));
        Assert.True(h.Catalog.Categories.TryGetId(PlantedCatalog.Category(2), out int category));
        Assert.Equal([category], h.Catalog.CategoriesOf(ordinal).ToArray());
        Assert.Equal(h.Catalog.Content!.Row(reference).ToArray(), h.Catalog.Content!.Row(ordinal).ToArray());
        var stored = await h.Store.GetItemAsync(First);
        Assert.Equal([category], stored!.Categories);
        var recent = new int[64];
        int n = h.Catalog.CopyRecent(recent);
        Assert.Equal(3, n);
        Assert.Single(recent[..n], ordinal);
    }

    [Fact]
    public async Task When_the_store_refuses_one_write_of_a_batch_the_others_are_applied_and_the_refused_item_is_new_on_its_retry()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var store = new InstrumentedStore(h.Store);
        var pipeline = new RecommendationPipeline(store, h.Catalog, h.Pipeline.Version, new PipelineOptions());
        var batch = NewItems(5, PlantedCatalog.Category(3));

        store.FailNextItemUpsert = new IOException("store down"); // the first write of the batch
        var e = await Assert.ThrowsAsync<IOException>(async () => await pipeline.UpsertItemsAsync(batch));
        Assert.Equal("store down", e.Message);
        Assert.Null(await h.Store.GetItemAsync(batch[0].Key));
        for (int i = 1; i < batch.Length; i++)
        {
            Assert.NotNull(await h.Store.GetItemAsync(batch[i].Key));
            Assert.True(h.Catalog.Items.TryGetOrdinal(batch[i].Key, out int o));
            Assert.False(h.Catalog.IsDeleted(o));
        }
        Assert.True(h.Catalog.Items.TryGetOrdinal(batch[0].Key, out int refused));
        Assert.True(h.Catalog.IsDeleted(refused));

        // The retry of the whole batch: the refused item joins as new, the others are updates and do not join again.
        await pipeline.UpsertItemsAsync(batch);
        Assert.False(h.Catalog.IsDeleted(refused));
        var recent = new int[64];
        int n = h.Catalog.CopyRecent(recent);
        Assert.Equal(batch.Length, n);
        Assert.Equal(refused, recent[0]);
    }

    /// <summary>
    /// The journal's file is swapped for a read-only handle (reflection), so the batch's append fails as a full disk
    /// fails it, and is put back for the retry. A batch applied to the catalog before its append would leave the retry
    /// nothing to journal (its content rows already equal), and a crash would then lose them.
    /// </summary>
    [Fact]
    public async Task When_the_journal_append_of_a_batch_fails_none_of_it_is_applied_and_the_retry_journals_it_all()
    {
        using var rig = new RegistryRig(trained);
        var batch = NewItems(4, "retried-category");
        int[] ordinals;
        float[][] rows;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            var field = typeof(CatalogJournal).GetField("_file", BindingFlags.Instance | BindingFlags.NonPublic)!;
            var file = (FileStream)field.GetValue(state.Journal)!;
            using (var readOnly = new FileStream(state.Journal.CurrentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                field.SetValue(state.Journal, readOnly);
                await Assert.ThrowsAnyAsync<Exception>(async () => await state.Pipeline.UpsertItemsAsync(batch));
                field.SetValue(state.Journal, file);
            }
            ordinals = [.. batch.Select(u => Ordinal(state, u))];
            Assert.All(ordinals, o => Assert.True(state.Catalog.IsDeleted(o)));
            Assert.All(ordinals, o => Assert.False(state.Catalog.Content!.Row(o).ContainsAnyExcept(0f)));

            await state.Pipeline.UpsertItemsAsync(batch);
            Assert.All(ordinals, o => Assert.False(state.Catalog.IsDeleted(o)));
            rows = [.. ordinals.Select(o => state.Catalog.Content!.Row(o).ToArray())];
            Assert.All(rows, r => Assert.True(r.AsSpan().ContainsAnyExcept(0f)));
            var recent = new int[64];
            Assert.Equal(batch.Length, state.Catalog.CopyRecent(recent));
        }

        await using (var state = await rig.OpenAsync(Crashing))
        {
            for (int i = 0; i < batch.Length; i++)
            {
                Assert.Equal(ordinals[i], Ordinal(state, batch[i]));
                Assert.False(state.Catalog.IsDeleted(ordinals[i]));
                Assert.Equal(rows[i], state.Catalog.Content!.Row(ordinals[i]).ToArray());
            }
        }
    }
    /// <summary>
    /// The store refuses one write of a batch and the journal append for the others fails too (a full disk): the error
    /// names both, so the store's refusal is not lost behind the journal's, and nothing of the batch is applied.
    /// </summary>
    [Fact]
    public async Task When_the_store_refuses_a_write_and_the_journal_append_fails_too_the_error_names_both()
    {
        using var rig = new RegistryRig(trained);
        var batch = NewItems(3, PlantedCatalog.Category(2));
        await using var state = await rig.CreateAsync(options: Crashing);
        var store = new InstrumentedStore(state.Store);
        var pipeline = new RecommendationPipeline(store, state.Catalog, state.Pipeline.Version, new PipelineOptions()) { Journal = state.Journal };
        var field = typeof(CatalogJournal).GetField("_file", BindingFlags.Instance | BindingFlags.NonPublic)!;
        var file = (FileStream)field.GetValue(state.Journal)!;
        using (var readOnly = new FileStream(state.Journal.CurrentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            store.FailNextItemUpsert = new IOException("store down");
            store.BeforeItemUpsert = _ => field.SetValue(state.Journal, readOnly);
            var e = await Assert.ThrowsAsync<AggregateException>(async () => await pipeline.UpsertItemsAsync(batch));
            field.SetValue(state.Journal, file);
            Assert.Equal(2, e.InnerExceptions.Count);
            Assert.Contains(e.InnerExceptions, x => x.Message == "store down");
            Assert.Contains("store down", e.Message);
        }
        Assert.All(batch, u => Assert.True(state.Catalog.IsDeleted(Ordinal(state, u))));
    }

    /// <summary>
    /// A batch of an item the catalog knows (given a new category: the key is journaled before the store takes the
    /// record) and a brand-new one, whose store writes succeed and whose journal append then fails, and then a crash.
    /// The brand-new id must not be journaled before its store write: the restart would know it, read the record the
    /// failed call left, and serve it as a live item with no content row (its call never returned; a single upsert
    /// leaves a restart that never heard of it, so its retry adds it as new).
    /// </summary>
    [Fact]
    public async Task A_brand_new_id_of_a_batch_is_not_journaled_with_the_new_keys_before_its_store_write()
    {
        using var rig = new RegistryRig(trained);
        const long Existing = First + 100, Brand = First + 101;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.Pipeline.UpsertItemAsync(Existing, Item("known before", PlantedCatalog.Category(0)));
            var store = new InstrumentedStore(state.Store);
            var pipeline = new RecommendationPipeline(store, state.Catalog, state.Pipeline.Version, new PipelineOptions()) { Journal = state.Journal };
            var field = typeof(CatalogJournal).GetField("_file", BindingFlags.Instance | BindingFlags.NonPublic)!;
            var file = (FileStream)field.GetValue(state.Journal)!;
            using var readOnly = new FileStream(state.Journal.CurrentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            // Once the store writes start, the journal's appends fail (a full disk): the new category went before them.
            store.BeforeItemUpsert = _ => field.SetValue(state.Journal, readOnly);
            await Assert.ThrowsAnyAsync<Exception>(async () => await pipeline.UpsertItemsAsync(
            [
                ItemUpsert.Of(Existing, Item("known, now in a new category", "category-new-in-the-batch")),
                ItemUpsert.Of(Brand, Item(PlantedCatalog.Words[3] + " brand new", PlantedCatalog.Category(1))),
            ]));
            field.SetValue(state.Journal, file);
            Assert.NotNull(await state.Store.GetItemAsync(Brand)); // the store took it
            Assert.True(state.Catalog.Items.TryGetOrdinal(Brand, out int o));
            Assert.True(state.Catalog.IsDeleted(o)); // and the catalog did not
        }

        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.True(state.Catalog.Categories.TryGetId("category-new-in-the-batch", out _));
            Assert.True(!state.Catalog.Items.TryGetOrdinal(Brand, out int o) || state.Catalog.IsDeleted(o),
                "the failed batch's brand-new item is live after the restart, with no content row");
        }
    }
    /// <summary>
    /// A user upsert while a batch's store writes are in flight (user upserts journal without the catalog-writes lock)
    /// must not journal the batch's brand-new ids either: a profile names categories and segments, never an item, and a
    /// crash after the store took the item and before the batch's record would leave it live with no content row.
    /// </summary>
    [Fact]
    public async Task A_user_upsert_during_a_batch_does_not_journal_the_batchs_brand_new_ids_before_their_store_writes()
    {
        using var rig = new RegistryRig(trained);
        const long Brand = First + 201;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            var store = new InstrumentedStore(state.Store);
            var pipeline = new RecommendationPipeline(store, state.Catalog, state.Pipeline.Version, new PipelineOptions()) { Journal = state.Journal };
            var field = typeof(CatalogJournal).GetField("_file", BindingFlags.Instance | BindingFlags.NonPublic)!;
            var file = (FileStream)field.GetValue(state.Journal)!;
            using var readOnly = new FileStream(state.Journal.CurrentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            store.BeforeItemUpsert = _ =>
            {
                // Another caller's user upsert, journaled while the batch's write is in flight; then the journal fails.
                pipeline.UpsertUserAsync(PlantedCatalog.UserId(3), new UserAttributes
                {
                    Age = 30, Gender = "f", Occupation = "o", Country = "new-country-during-batch", OnboardingCategories = ["onboarding-new-during-batch"],
                }).AsTask().GetAwaiter().GetResult();
                field.SetValue(state.Journal, readOnly);
            };
            await Assert.ThrowsAnyAsync<Exception>(async () =>
                await pipeline.UpsertItemsAsync([ItemUpsert.Of(Brand, Item(PlantedCatalog.Words[3] + " brand new", PlantedCatalog.Category(1)))]));
            field.SetValue(state.Journal, file);
            Assert.NotNull(await state.Store.GetItemAsync(Brand));
        }

        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.True(state.Catalog.Categories.TryGetId("onboarding-new-during-batch", out _)); // the user's keys are journaled
            Assert.True(!state.Catalog.Items.TryGetOrdinal(Brand, out int o) || state.Catalog.IsDeleted(o),
                "the failed batch's brand-new item is live after the restart, with no content row");
        }
    }
}
