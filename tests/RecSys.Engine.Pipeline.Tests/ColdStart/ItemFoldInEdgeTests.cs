using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

using static RecSys.Engine.Pipeline.Tests.ColdStart.NewItemScenario;

namespace RecSys.Engine.Pipeline.Tests.ColdStart;

/// <summary>
/// The item fold-in at its edges (each found by a review, each failing before its fix): models of other sizes side by
/// side, a deleted item across a restart, users whose items are all trained without events, a store read that fails, and
/// catalog writes held while events come.
/// </summary>
public sealed class ItemFoldInEdgeTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private TrainedModels WithFactors(RegistryRig rig, int factors, ulong seed = 4)
    {
        var settings = TrainedPlanted.Settings(seed);
        settings = settings with { Als = settings.Als with { Factors = factors } };
        return trained.Models with { Als = TrainedModels.Train(rig.Planted.Data, settings).Als };
    }

    /// <summary>
    /// A variant pinned to a version whose ALS model has more factors than the active one's: each event batch folds the
    /// item in under both models, on a thread whose [ThreadStatic] FoldInScratch was sized for the first model's k.
    /// </summary>
    [Fact]
    public async Task Item_fold_in_under_a_variant_with_more_ALS_factors_folds_in_under_both()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync();
        rig.AddVersion("v2", WithFactors(rig, 32));
        await state.SetExperimentsAsync([new ExperimentConfig
        {
            Name = "als",
            Salt = "fold",
            Surfaces = ["home"],
            Variants = [new() { Name = "control", Share = 0.5 }, new() { Name = "v2", Share = 0.5, Version = "v2" }],
        }]);
        var fans = Fans(rig);
        // Several new items, so several fold-ins run on whatever threads the continuations take.
        for (int item = 0; item < 4; item++)
        {
            long id = NewItem + item;
            await AddNewItemAsync(state, id);
            foreach (int fan in fans.Take(4))
                await ClickAsync(state, rig, fan, id);
        }
        Assert.Equal(8 * 2, state.Pipeline.Stats.ItemFoldIns);
    }

    /// <summary>
    /// A swap to a version with more ALS factors, after items were folded in under a smaller model on the same threads:
    /// the attach's catch-up (and later events) reuse the thread's scratch sized for the old k.
    /// </summary>
    [Fact]
    public async Task A_swap_to_a_version_with_more_ALS_factors_after_item_fold_ins_folds_them_in()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync();
        rig.AddVersion("v2", WithFactors(rig, 32));
        var fans = Fans(rig);
        for (int item = 0; item < 4; item++)
        {
            long id = NewItem + item;
            await AddNewItemAsync(state, id);
            foreach (int fan in fans.Take(3))
                await ClickAsync(state, rig, fan, id);
        }
        await state.ActivateAsync("v2");
        var models = state.Pipeline.Version.Models;
        // The users' stored vectors are v1's (16 factors, another tag): v2 reads their trained rows of its own model.
        var als = models.Als!;
        Assert.Equal(32, als.Factors);
        var gathered = new float[3 * 32];
        for (int n = 0; n < 3; n++)
        {
            Assert.True(models.AlsUsers!.TryGetOrdinal(PlantedCatalog.UserId(fans[n]), out int u));
            als.UserRow(u).CopyTo(gathered.AsSpan(n * 32));
        }
        var expected = new float[32];
        als.FoldInItem(gathered, 3, expected);
        Assert.Equal(expected, models.AlsRows!.Row(OrdinalOf(state)).ToArray());
        foreach (int fan in fans.Skip(3).Take(3))
            await ClickAsync(state, rig, fan);
        Assert.False(models.AlsRows!.Row(OrdinalOf(state)).SequenceEqual(expected)); // its 4th-6th users moved it
    }

    /// <summary>
    /// A new item folded in from 3 users, deleted, then the server restarts (the attach's catch-up skips deleted items),
    /// then the item is upserted again: its users are all still known (the snapshot kept them), but it has no CF row and
    /// stays out of the CF index until a 4th distinct user comes (a repeat click by a known user does not fold).
    /// </summary>
    [Fact]
    public async Task A_deleted_folded_item_brought_back_after_a_restart_gets_its_CF_row_back()
    {
        using var rig = new RegistryRig(trained);
        var fans = Fans(rig);
        await using (var state = await rig.CreateAsync())
        {
            await AddNewItemAsync(state);
            foreach (int fan in fans.Take(3))
                await ClickAsync(state, rig, fan);
            await state.Pipeline.DeleteItemAsync(NewItem);
            await state.SaveCatalogAsync();
        }
        await using (var state = await rig.OpenAsync())
        {
            Assert.Equal(3, state.Catalog.Interactors.CountOf(OrdinalOf(state)));
            await AddNewItemAsync(state);
            await ClickAsync(state, rig, fans[0]); // a known user again
            Assert.False(state.Pipeline.Version.Models.AlsRows!.Row(OrdinalOf(state)).IsEmpty, "no CF row for the undeleted item that has 3 users");
        }
    }

    /// <summary>
    /// A user whose interactions are all items trained without events (all-zero ALS rows) gets a stored CF vector (zeros,
    /// tagged) from the events' fold-in, as before items were folded in: requests read "has a CF vector" and CF scores of 0.
    /// </summary>
    [Fact]
    public async Task A_user_whose_items_were_all_trained_without_events_still_gets_a_stored_CF_vector()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync();
        // v2: v1's ALS with item 0's row zeroed (an item trained without events).
        var als = trained.Models.Als!;
        int k = als.Factors;
        var users = new float[als.UserCount * k];
        for (int u = 0; u < als.UserCount; u++)
            als.UserRow(u).CopyTo(users.AsSpan(u * k));
        var items = new float[als.ItemCount * k];
        for (int i = 1; i < als.ItemCount; i++)
            als.ItemRow(i).CopyTo(items.AsSpan(i * k));
        rig.AddVersion("v2", trained.Models with { Als = ImplicitAls.FromFactors(als.Options, users, items, als.UserCount, als.ItemCount) });
        await state.ActivateAsync("v2");
        const long newUser = 7_000_003;
        await state.Pipeline.RecordEventsAsync([new InteractionEvent(newUser, state.Catalog.Items.ExternalId(0), EventType.Click, 1f, rig.NowMs)]);
        Assert.NotNull(await state.Store.GetCfVectorAsync(newUser));
    }

    /// <summary>
    /// The 3rd user's batch: the user joins the interactors, then the fold-in's store read fails. The call does not fail
    /// (its events are stored; a retry would store them twice): the fold-in is deferred, and the retried batch, whose
    /// user is known already, folds it in.
    /// </summary>
    [Fact]
    public async Task A_failed_item_fold_in_does_not_fail_the_call_and_the_item_s_next_event_does_it()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync();
        await AddNewItemAsync(state);
        var store = new InstrumentedStore(state.Store);
        var pipeline = new RecommendationPipeline(store, state.Catalog, state.Pipeline.Version, new PipelineOptions());
        var fans = Fans(rig);
        InteractionEvent Click(int user) => new(PlantedCatalog.UserId(user), NewItem, EventType.Click, 1f, rig.NowMs);
        await pipeline.RecordEventsAsync([Click(fans[0])]);
        await pipeline.RecordEventsAsync([Click(fans[1])]);
        store.FailNextCfVectorRead = new IOException("store briefly unreachable");
        await pipeline.RecordEventsAsync([Click(fans[2])]);
        Assert.True(state.Pipeline.Version.Models.AlsRows!.Row(OrdinalOf(state)).IsEmpty);
        Assert.Equal(1, pipeline.Stats.ItemFoldInsDeferred);
        await pipeline.RecordEventsAsync([Click(fans[2])]); // the same user again
        Assert.Equal(3, state.Catalog.Interactors.CountOf(OrdinalOf(state)));
        Assert.False(state.Pipeline.Version.Models.AlsRows!.Row(OrdinalOf(state)).IsEmpty, "3 users, a later event, and still no CF row");
        Assert.Equal(1, pipeline.Stats.ItemFoldIns);
    }

    /// <summary>
    /// Events never waited on catalog writes before items were folded in, and wait at most ItemFoldInWait now: the 3rd
    /// user's click, while an upsert holds the catalog writes, returns with the fold-in deferred; the item's next event
    /// folds it in.
    /// </summary>
    [Fact]
    public async Task A_click_on_a_new_item_does_not_wait_for_catalog_writes_and_the_next_one_folds_it_in()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync();
        await AddNewItemAsync(state);
        var fans = Fans(rig);
        await ClickAsync(state, rig, fans[0]);
        await ClickAsync(state, rig, fans[1]);
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = state.Pipeline.UnderCatalogWritesAsync(() => release.Task, CancellationToken.None);
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var e = new InteractionEvent(PlantedCatalog.UserId(fans[2]), NewItem, EventType.Click, 1f, rig.NowMs);
            var ex = await Record.ExceptionAsync(async () => await state.Pipeline.RecordEventsAsync([e], deadline.Token));
            Assert.True(ex is null, $"the click's call failed while an upsert held the catalog writes: {ex?.GetType().Name}");
            Assert.Equal(1, state.Pipeline.Stats.ItemFoldInsDeferred);
            Assert.True(state.Pipeline.Version.Models.AlsRows!.Row(OrdinalOf(state)).IsEmpty);
        }
        finally
        {
            release.SetResult(true);
            await held;
        }
        await ClickAsync(state, rig, fans[0]); // a known user: the item is pending
        Assert.False(state.Pipeline.Version.Models.AlsRows!.Row(OrdinalOf(state)).IsEmpty);
    }

    /// <summary>
    /// A retrain covers every catalog item, so an item added just before it (no events yet) is trained with an all-zero
    /// row, and is no more findable than one added after it. Its users fold a row in the same way.
    /// </summary>
    [Fact]
    public async Task An_item_trained_without_events_gets_its_CF_row_from_its_users_like_a_new_one()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync();
        int item = Enumerable.Range(0, rig.Planted.Items).Last(i => PlantedCatalog.CategoryOf(i) == Taste);
        rig.AddVersion("v2", trained.Models with { Als = WithZeroRow(trained.Models.Als!, item) });
        await state.ActivateAsync("v2");
        var models = state.Pipeline.Version.Models;
        var index = Assert.IsType<Core.Index.Hnsw.HnswIndex>(models.CfIndex);
        Assert.True(item < models.Als!.ItemCount);
        Assert.True(models.AlsRows!.NeedsFoldIn(item));
        Assert.False(index.Contains(item));

        long id = PlantedCatalog.ItemId(item);
        foreach (int fan in Fans(rig).Take(3))
            await ClickAsync(state, rig, fan, id);
        Assert.False(models.AlsRows.Row(item).IsEmpty);
        Assert.Equal(models.AlsRows.Row(item).ToArray(), models.AlsRows.StoredRow(item).ToArray());
        Assert.True(index.Contains(item));
        Assert.Equal(1, state.Pipeline.Stats.ItemFoldIns);

        // Its users are kept through a save while the serving model still has no trained row for it.
        await state.SaveCatalogAsync();
        Assert.Equal(3, state.Catalog.Interactors.CountOf(item));
    }

    /// <summary><paramref name="als"/>'s factors with item <paramref name="item"/>'s row zeroed (as if trained without events).</summary>
    private static ImplicitAls WithZeroRow(ImplicitAls als, int item)
    {
        float[] items = als.ItemFactors.ToArray();
        items.AsSpan(item * als.Factors, als.Factors).Clear();
        return ImplicitAls.FromFactors(als.Options, als.UserFactors.ToArray(), items, als.UserCount, als.ItemCount);
    }
}
