using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests;

/// <summary>End to end, in process: the planted catalog, trained models, a real FASTER store, the whole request path.</summary>
public sealed class RecommendationPipelineTests
{
    [Fact]
    public void Pipeline_depends_on_no_onnx_or_grpc_assembly()
    {
        var referenced = typeof(RecommendationPipeline).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();
        Assert.DoesNotContain(referenced, n => n.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
        Assert.DoesNotContain(referenced, n => n.StartsWith("Grpc", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_known_user_gets_items_of_their_planted_taste()
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0, CategoryCap = 0, MmrLambda = 1 }));
        int hits = 0, total = 0;
        for (int u = 0; u < 24; u++)
        {
            var response = await h.RecommendAsync(PlantedCatalog.UserId(u));
            Assert.Equal(10, response.Items.Length);
            Assert.Equal("rrf", response.Ranker);
            Assert.Empty(response.DroppedSources);
            foreach (var item in response.Items)
            {
                total++;
                if (PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(item.ItemId)) == PlantedCatalog.Favourite(u))
                    hits++;
            }
        }
        Assert.True(hits >= total * 0.6, $"{hits} of {total} in the favourite category");
    }

    [Theory]
    [InlineData("home")]
    [InlineData("email")]
    public async Task Seen_items_never_return(string surface)
    {
        await using var h = await PipelineHarness.CreateAsync();
        for (int u = 0; u < 40; u++)
        {
            var seen = h.TrainingItems(u);
            var response = await h.RecommendAsync(PlantedCatalog.UserId(u), surface, k: 30);
            Assert.NotEmpty(response.Items);
            Assert.DoesNotContain(response.Items, i => seen.Contains(i.ItemId));
        }
    }

    [Fact]
    public async Task Seen_items_older_than_the_history_window_never_return()
    {
        // A window of 3 events shapes the request, but the seen filter reads every event the store keeps: the user's
        // 12 favourites (the items the collaborative source finds first) stay out of the answer.
        await using var h = await PipelineHarness.CreateAsync(c => c with { HistoryWindow = 3 });
        for (int u = 0; u < 40; u++)
        {
            var seen = h.TrainingItems(u);
            Assert.True(seen.Count > 3);
            var response = await h.RecommendAsync(PlantedCatalog.UserId(u), k: 30);
            Assert.NotEmpty(response.Items);
            Assert.DoesNotContain(response.Items, i => seen.Contains(i.ItemId));
        }
    }

    [Theory]
    [InlineData("home")]
    [InlineData("email")]
    public async Task Seen_items_never_return_after_they_fall_out_of_a_full_history(string surface)
    {
        // The store keeps 4 interactions a user; the planted users have about 19 training items each. The ones that
        // fell out are kept apart by the store, and the seen filter reads them.
        await using var h = await PipelineHarness.CreateAsync(historyCapacity: 4);
        for (int u = 0; u < 40; u++)
        {
            var seen = h.TrainingItems(u);
            Assert.True(seen.Count > 4);
            var older = await h.Store.GetOlderSeenItemsAsync(PlantedCatalog.UserId(u));
            Assert.Equal(seen.Count - 4, older.Length);
            var response = await h.RecommendAsync(PlantedCatalog.UserId(u), surface, k: 30);
            Assert.NotEmpty(response.Items);
            Assert.DoesNotContain(response.Items, i => seen.Contains(i.ItemId));
        }
    }

    [Fact]
    public async Task Sources_widen_a_search_for_seen_items_only_up_to_the_overfetch_bound()
    {
        // A user's ~19 seen items are the ones the collaborative search finds first. Without widening, they leave the
        // source short; widened by up to 3, it is less short; widened enough, it is full. Seen items never return.
        long user = PlantedCatalog.UserId(2);
        async Task<int> Collaborative(int overfetch)
        {
            await using var h = await PipelineHarness.CreateAsync(c => c with { SeenOverfetch = overfetch });
            var response = await h.RecommendAsync(user, k: 10, debug: true);
            Assert.DoesNotContain(response.Items, i => h.TrainingItems(2).Contains(i.ItemId));
            return response.Trace!.Stage("source:" + SourceNames.Collaborative)!.ItemIds.Length;
        }
        int none = await Collaborative(0), three = await Collaborative(3), all = await Collaborative(200);
        Assert.True(none < three && three < all, $"collaborative candidates: {none} with no widening, {three} with 3, {all} with 200");
        Assert.True(three <= none + 3, $"{three} candidates with a widening of 3 from {none}");
    }

    [Fact]
    public async Task An_impression_naming_no_surface_is_kept_as_one_of_no_surface_and_its_batch_applies()
    {
        await using var h = await PipelineHarness.CreateAsync();
        long user = PlantedCatalog.UserId(7);
        var fresh = Enumerable.Range(0, h.Planted.Items).Select(PlantedCatalog.ItemId).Where(i => !h.TrainingItems(7).Contains(i)).Take(2).ToArray();
        await h.Pipeline.RecordEventsAsync([
            new InteractionEvent(user, fresh[0], EventType.Impression, 42, h.NowMs),
            new InteractionEvent(user, fresh[1], EventType.Click, 1, h.NowMs + 1)]);
        Assert.Equal(1, h.Pipeline.Stats.ImpressionsWithoutSurface);
        var history = await h.Store.GetRecentHistoryAsync(user, 3);
        Assert.Equal((fresh[1], EventType.Click), (history[0].ItemId, history[0].Type));
        Assert.Equal((fresh[0], EventType.Impression, 0f), (history[1].ItemId, history[1].Type, history[1].Value));
    }

    [Fact]
    public async Task Seen_items_never_return_after_many_impressions()
    {
        // A client that logs what it showed (as A/B click-through counting asks) sends 10 impressions a page. Those must
        // not push the user's interactions out of the stored history: the seen filter, the seeds and fold-in read them.
        await using var h = await PipelineHarness.CreateAsync();
        int pages = h.Store.HistoryCapacity / 10 + 5;
        for (int u = 0; u < 12; u++)
        {
            long user = PlantedCatalog.UserId(u);
            var seen = h.TrainingItems(u);
            for (int p = 0; p < pages; p++)
            {
                var page = await h.RecommendAsync(user, k: 10);
                await h.Pipeline.RecordEventsAsync([.. page.Items.Select(i => new InteractionEvent(user, i.ItemId, EventType.Impression, 0, h.NowMs + p))]);
            }
            var history = await h.Store.GetRecentHistoryAsync(user, int.MaxValue);
            Assert.Equal(seen.Count, history.Count(e => e.Type != EventType.Impression));
            var response = await h.RecommendAsync(user, k: 30);
            Assert.NotEmpty(response.Items);
            Assert.DoesNotContain(response.Items, i => seen.Contains(i.ItemId));
        }
    }

    [Fact]
    public async Task The_history_window_counts_interactions_not_impressions()
    {
        // A window of 3 with 10 newer impressions: the request is still shaped by the 3 newest interactions (the
        // item-to-item source starts from them), as it was before anything was shown.
        await using var h = await PipelineHarness.CreateAsync(c => c with { HistoryWindow = 3 });
        long user = PlantedCatalog.UserId(5);
        var before = (await h.RecommendAsync(user, debug: true)).Trace!.Stage("source:" + SourceNames.ItemToItem)!.ItemIds;
        Assert.NotEmpty(before);
        var other = h.TrainingItems(6).Except(h.TrainingItems(5)).Take(10).ToArray();
        await h.Pipeline.RecordEventsAsync([.. other.Select((item, i) => new InteractionEvent(user, item, EventType.Impression, 0, h.NowMs + i))]);
        var after = (await h.RecommendAsync(user, debug: true)).Trace!.Stage("source:" + SourceNames.ItemToItem)!.ItemIds;
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_deleted_item_never_returns()
    {
        await using var h = await PipelineHarness.CreateAsync();
        long user = PlantedCatalog.UserId(3);
        var before = await h.RecommendAsync(user, k: 20);
        long victim = before.Items[0].ItemId;
        await h.Pipeline.DeleteItemAsync(victim);

        Assert.True((await h.Store.GetItemAsync(victim))!.Deleted);
        for (int u = 0; u < 40; u++)
        {
            var response = await h.RecommendAsync(PlantedCatalog.UserId(u), k: 30);
            Assert.DoesNotContain(response.Items, i => i.ItemId == victim);
        }
        // Not through the similar-items page of its neighbours either, nor search.
        int neighbour = PlantedCatalog.ItemIndex(victim) + PlantedCatalog.Categories;
        var page = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = user, Surface = "item-page", ItemId = PlantedCatalog.ItemId(neighbour % h.Planted.Items), K = 50, NowMs = h.NowMs });
        Assert.DoesNotContain(page.Items, i => i.ItemId == victim);
        await Assert.ThrowsAsync<UnknownItemException>(async () => await h.Pipeline.DeleteItemAsync(999_999));
    }

    [Fact]
    public async Task A_batch_delete_removes_every_item_and_an_unknown_id_deletes_none()
    {
        await using var h = await PipelineHarness.CreateAsync();
        long user = PlantedCatalog.UserId(3);
        var before = await h.RecommendAsync(user, k: 20);
        long[] victims = [.. before.Items.Take(6).Select(i => i.ItemId)];

        // One unknown id in the batch: refused, naming its position, and none of the others is deleted.
        var unknown = await Assert.ThrowsAsync<UnknownItemException>(async () => await h.Pipeline.DeleteItemsAsync([victims[0], 999_999, victims[1]]));
        Assert.Equal("itemIds[1]", unknown.Field);
        Assert.False((await h.Store.GetItemAsync(victims[0]))!.Deleted);
        Assert.Contains((await h.RecommendAsync(user, k: 20)).Items, i => i.ItemId == victims[0]);
        // A call cancelled before the batch starts deletes none either.
        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await h.Pipeline.DeleteItemsAsync(victims, cancelled.Token));
        }
        Assert.False((await h.Store.GetItemAsync(victims[0]))!.Deleted);

        // Gone from the indexes themselves, not only filtered out of the answers.
        var cf = Assert.IsType<HnswIndex>(h.Models.CfIndex);
        int[] ordinals = [.. victims.Select(v => h.Pipeline.Catalog.Items.TryGetOrdinal(v, out int o) ? o : -1)];
        Assert.All(ordinals, o => Assert.True(cf.Contains(o)));
        long cfBefore = cf.Count;

        Assert.Equal(victims.Length, await h.Pipeline.DeleteItemsAsync(victims));
        foreach (long victim in victims)
            Assert.True((await h.Store.GetItemAsync(victim))!.Deleted);
        // Deleted again (and listed twice): taken, and the count says nothing was live.
        Assert.Equal(0, await h.Pipeline.DeleteItemsAsync([victims[0], victims[0]]));
        Assert.All(ordinals, o => Assert.False(cf.Contains(o), $"ordinal {o} is still in the CF index"));
        Assert.Equal(cfBefore - victims.Length, cf.Count);
        for (int u = 0; u < 40; u++)
        {
            var response = await h.RecommendAsync(PlantedCatalog.UserId(u), k: 30);
            Assert.DoesNotContain(response.Items, i => victims.Contains(i.ItemId));
        }
    }

    [Fact]
    public async Task A_new_user_in_a_segment_gets_that_segments_popular_items()
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0, CategoryCap = 0, MmrLambda = 1 }));
        long newUser = 900_001;
        await h.Pipeline.UpsertUserAsync(newUser, new UserAttributes { Age = PlantedCatalog.SegmentAge, Gender = PlantedCatalog.SegmentGender, Occupation = PlantedCatalog.SegmentOccupation });
        var response = await h.RecommendAsync(newUser, k: 10);
        var segmentItems = PlantedCatalog.SegmentItems(h.Planted.Items).Select(PlantedCatalog.ItemId).ToHashSet();
        int found = response.Items.Count(i => segmentItems.Contains(i.ItemId));
        Assert.True(found >= 3, $"{found} of the segment's 5 items in {string.Join(",", response.Items.Select(i => i.ItemId))}");

        // Another segment does not get them: its own hits lead, the overall ones.
        long other = 900_002;
        await h.Pipeline.UpsertUserAsync(other, new UserAttributes { Age = 20, Gender = "M", Occupation = "occ0" });
        var r = await h.RecommendAsync(other, k: 10);
        Assert.Equal(10, r.Items.Length);
        Assert.DoesNotContain(r.Items, i => segmentItems.Contains(i.ItemId));
        var hits = PlantedCatalog.Blockbusters.Select(PlantedCatalog.ItemId).ToHashSet();
        Assert.True(r.Items.Take(5).Count(i => hits.Contains(i.ItemId)) >= 4);
        // A user without a profile gets overall popularity: the hits first.
        var anonymous = await h.RecommendAsync(900_003, k: 10);
        Assert.True(anonymous.Items.Take(5).Count(i => hits.Contains(i.ItemId)) >= 4);
    }

    [Fact]
    public async Task Onboarding_categories_steer_a_new_users_content_profile()
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            Sources = [new RecSys.Engine.Pipeline.Config.SourceConfig(SourceNames.Content, 50, TimeSpan.FromSeconds(5))], ExplorationShare = 0, CategoryCap = 0, MmrLambda = 1,
        }));
        long user = 900_010;
        await h.Pipeline.UpsertUserAsync(user, new UserAttributes { OnboardingCategories = [PlantedCatalog.Category(5)] });
        var response = await h.RecommendAsync(user, k: 10);
        Assert.Equal(10, response.Items.Length);
        Assert.All(response.Items, i => Assert.Equal(5, PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId))));
    }

    [Fact]
    public async Task An_event_changes_the_next_answer()
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0, CategoryCap = 0, MmrLambda = 1 }));
        // A brand-new user: popular items first.
        long user = 900_100;
        var before = await h.RecommendAsync(user, k: 10);
        Assert.Equal(10, before.Items.Length);
        long clicked = before.Items[0].ItemId;

        // They click a handful of category-6 items (and the top one): the very next answer reflects it.
        var events = new List<InteractionEvent> { new(user, clicked, EventType.Click, 1f, h.NowMs) };
        for (int i = 6; i < 6 + 8 * 6; i += 8)
            events.Add(new InteractionEvent(user, PlantedCatalog.ItemId(i), EventType.Click, 1f, h.NowMs));
        long foldInsBefore = h.Pipeline.Stats.FoldIns;
        await h.Pipeline.RecordEventsAsync(events);
        Assert.Equal(foldInsBefore + 1, h.Pipeline.Stats.FoldIns);
        Assert.NotNull(await h.Store.GetCfVectorAsync(user));

        var after = await h.RecommendAsync(user, k: 10);
        Assert.DoesNotContain(after.Items, i => events.Any(e => e.ItemId == i.ItemId));
        int category6Before = before.Items.Count(i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId)) == 6);
        int category6After = after.Items.Count(i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId)) == 6);
        Assert.True(category6After >= 5 && category6After > category6Before, $"category 6: {category6Before} before, {category6After} after");
        Assert.Contains(after.Items, i => i.Source is SourceNames.Collaborative or SourceNames.ItemToItem or SourceNames.Content);
    }

    [Fact]
    public async Task Bad_events_are_refused_naming_the_field_and_change_nothing()
    {
        await using var h = await PipelineHarness.CreateAsync();
        long user = 900_200;
        var unknown = await Assert.ThrowsAsync<UnknownItemException>(async () =>
            await h.Pipeline.RecordEventsAsync([new(user, PlantedCatalog.ItemId(1), EventType.Click, 1, h.NowMs), new(user, 77, EventType.Click, 1, h.NowMs)]));
        Assert.Equal("events[1].ItemId", unknown.Field);
        var nan = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await h.Pipeline.RecordEventsAsync([new(user, PlantedCatalog.ItemId(1), EventType.Rating, float.NaN, h.NowMs)]));
        Assert.Equal("events[0].Value", nan.ParamName);
        Assert.Empty(await h.Store.GetRecentHistoryAsync(user, 10));
    }

    [Fact]
    public async Task Unknown_surface_and_bad_k_are_clear_errors()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await h.RecommendAsync(1, surface: "homepage"));
        Assert.Equal("surface", e.ParamName);
        Assert.Contains("homepage", e.Message);
        var k = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await h.RecommendAsync(1, k: 100_000));
        Assert.Equal("k", k.ParamName);
        await Assert.ThrowsAsync<UnknownItemException>(async () =>
            await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 1, Surface = "item-page", ItemId = 5 }));
        var query = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 1, Surface = "search", QueryVector = [1f, 2f] }));
        Assert.Equal("QueryVector", query.ParamName);
    }

    [Fact]
    public async Task A_live_item_is_recommendable_at_once_and_a_delete_takes_it_away()
    {
        await using var h = await PipelineHarness.CreateAsync();
        long newItem = 50_000;
        await h.Pipeline.UpsertItemAsync(newItem, new ItemAttributes
        {
            Title = "new " + PlantedCatalog.Words[3],
            Categories = [PlantedCatalog.Category(3)],
            PublishedAtMs = h.NowMs - 1000,
        });
        Assert.NotNull(await h.Store.GetItemAsync(newItem));

        // Item page of a category-3 item: its content neighbours include the new item (it has no interactions, no CF vector).
        var page = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 1, Surface = "item-page", ItemId = PlantedCatalog.ItemId(3), K = 50, NowMs = h.NowMs, Debug = true });
        Assert.Contains(newItem, page.Trace!.Stage("source:" + SourceNames.SimilarContent)!.ItemIds);
        Assert.DoesNotContain(newItem, page.Trace!.Stage("source:" + SourceNames.SimilarCf)!.ItemIds);
        // Its own page: similar items through content alone, of its category.
        var own = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 1, Surface = "item-page", ItemId = newItem, K = 10, NowMs = h.NowMs });
        Assert.Equal(10, own.Items.Length);
        Assert.All(own.Items, i => Assert.Equal(SourceNames.SimilarContent, i.Source));
        Assert.All(own.Items, i => Assert.Equal(3, PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId))));
        // Search by its title finds it (an anonymous user: no personal re-rank to move it).
        var search = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 900_500, Surface = "search", QueryText = "new " + PlantedCatalog.Words[3], K = 5, NowMs = h.NowMs });
        Assert.Equal(newItem, search.Items[0].ItemId);
        // On home, a user of that taste gets it from the new-items and content sources, and it survives every filter
        // (where it lands after ranking is the ranker's business).
        var home = await h.RecommendAsync(PlantedCatalog.UserId(3), k: 20, debug: true);
        Assert.Contains(newItem, home.Trace!.Stage("source:" + SourceNames.NewItems)!.ItemIds);
        Assert.Contains(newItem, home.Trace!.Stage("source:" + SourceNames.Content)!.ItemIds);
        Assert.Contains(newItem, home.Trace!.Stage("filtered")!.ItemIds);

        await h.Pipeline.DeleteItemAsync(newItem);
        page = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 1, Surface = "item-page", ItemId = PlantedCatalog.ItemId(3), K = 50, NowMs = h.NowMs, Debug = true });
        Assert.DoesNotContain(newItem, page.Trace!.Stage("merged")!.ItemIds);
        search = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 900_500, Surface = "search", QueryText = "new " + PlantedCatalog.Words[3], K = 5, NowMs = h.NowMs });
        Assert.DoesNotContain(search.Items, i => i.ItemId == newItem);

        // Upserted again it is back.
        await h.Pipeline.UpsertItemAsync(newItem, new ItemAttributes { Title = "new " + PlantedCatalog.Words[3], Categories = [PlantedCatalog.Category(3)] });
        search = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 900_500, Surface = "search", QueryText = "new " + PlantedCatalog.Words[3], K = 5, NowMs = h.NowMs });
        Assert.Equal(newItem, search.Items[0].ItemId);
    }

    [Fact]
    public async Task The_email_batch_answers_many_users_and_never_sends_an_item_twice()
    {
        await using var h = await PipelineHarness.CreateAsync();
        long[] users = [.. Enumerable.Range(0, 12).Select(PlantedCatalog.UserId)];
        var first = await h.Pipeline.RecommendBatchAsync(users, "email", nowMs: h.NowMs);
        var second = await h.Pipeline.RecommendBatchAsync(users, "email", nowMs: h.NowMs);
        Assert.Equal(users.Length, first.Length);
        for (int u = 0; u < users.Length; u++)
        {
            Assert.Equal(20, first[u].Items.Length);
            Assert.NotEmpty(second[u].Items);
            var sent = first[u].Items.Select(i => i.ItemId).ToHashSet();
            Assert.DoesNotContain(second[u].Items, i => sent.Contains(i.ItemId));
        }
        // What was sent is in the store as impressions with the email surface's code.
        var history = await h.Store.GetRecentHistoryAsync(users[0], 200);
        Assert.Contains(history, e => e.Type == EventType.Impression && e.Value == 3);
        await Assert.ThrowsAsync<ArgumentException>(async () => await h.Pipeline.RecommendBatchAsync(users, "mail"));
    }

    [Fact]
    public async Task An_email_is_never_sent_twice_however_many_home_pages_were_shown_since()
    {
        // The home client logs its pages as impressions (surface code 1). Those are kept apart from email's (code 3),
        // so more home impressions than the store keeps per surface leave the already-sent filter intact.
        await using var h = await PipelineHarness.CreateAsync();
        long user = PlantedCatalog.UserId(4);
        var sent = (await h.Pipeline.RecommendBatchAsync([user], "email", nowMs: h.NowMs))[0].Items.Select(i => i.ItemId).ToHashSet();
        var others = Enumerable.Range(0, h.Planted.Items).Select(PlantedCatalog.ItemId).Where(i => !sent.Contains(i)).ToArray();
        int home = h.Store.ImpressionCapacity + 50;
        await h.Pipeline.RecordEventsAsync([.. Enumerable.Range(0, home).Select(i => new InteractionEvent(user, others[i % others.Length], EventType.Impression, 1, h.NowMs + 1 + i))]);
        var history = await h.Store.GetRecentHistoryAsync(user, int.MaxValue);
        Assert.Equal(h.Store.ImpressionCapacity, history.Count(e => e.Type == EventType.Impression && e.Value == 1));
        var again = await h.Pipeline.RecommendBatchAsync([user], "email", nowMs: h.NowMs + 1 + home);
        Assert.NotEmpty(again[0].Items);
        Assert.DoesNotContain(again[0].Items, i => sent.Contains(i.ItemId));
    }

    [Fact]
    public async Task Search_finds_the_query_and_reranks_for_the_user()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var response = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = PlantedCatalog.UserId(2), Surface = "search", QueryText = PlantedCatalog.Words[4], K = 10, NowMs = h.NowMs, Debug = true });
        Assert.Equal(10, response.Items.Length);
        // Title tokens hash into buckets, so a stray collision may slip in; the query's category must dominate.
        Assert.Equal(4, PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(response.Items[0].ItemId)));
        Assert.True(response.Items.Count(i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId)) == 4) >= 8);
        // The personal column took part (the user has a CF vector) and moved the order away from the query's alone.
        var query = response.Trace!.Stage("source:query")!.ItemIds.Take(10);
        Assert.NotEqual(query, response.Items.Select(i => i.ItemId));
    }

    [Fact]
    public async Task Request_filters_hold_for_every_source()
    {
        await using var h = await PipelineHarness.CreateAsync();
        long user = PlantedCatalog.UserId(9);
        var only2 = await h.RecommendAsync(user, k: 10, filters: new RequestFilters { IncludeCategories = [PlantedCatalog.Category(2)] });
        Assert.Equal(10, only2.Items.Length);
        Assert.All(only2.Items, i => Assert.Equal(2, PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId))));

        var plain = await h.RecommendAsync(user, k: 10);
        long[] deny = [.. plain.Items.Take(3).Select(i => i.ItemId)];
        var denied = await h.RecommendAsync(user, k: 10, filters: new RequestFilters { DenyItems = deny, ExcludeCategories = [PlantedCatalog.Category(0)] });
        Assert.DoesNotContain(denied.Items, i => deny.Contains(i.ItemId) || PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId)) == 0);

        long[] allow = [PlantedCatalog.ItemId(11), PlantedCatalog.ItemId(12), PlantedCatalog.ItemId(13)];
        var allowed = await h.RecommendAsync(user, k: 10, filters: new RequestFilters { AllowItems = allow });
        Assert.All(allowed.Items, i => Assert.Contains(i.ItemId, allow));
    }

    [Theory]
    [InlineData("HNSW16,efc100")]
    [InlineData("IVF16,PQ8,R100,np2")]
    public async Task An_allow_list_of_a_few_unseen_items_comes_back_whole_from_the_collaborative_source_with_either_index(string index)
    {
        // Six unseen items spread over the catalog, so over many IVF lists: probing 2 of 16 lists finds about 1 of them;
        // the indexes' filter planner answers a filter this selective (1.5% of the items) by an exact scan instead.
        await using var h = await PipelineHarness.CreateAsync(index: index);
        long user = PlantedCatalog.UserId(9);
        var seen = h.TrainingItems(9);
        long[] allow = [.. Enumerable.Range(0, 400).Where(i => i % 53 == 5).Select(PlantedCatalog.ItemId).Where(id => !seen.Contains(id)).Take(6)];
        Assert.Equal(6, allow.Length);

        var response = await h.RecommendAsync(user, k: 10, debug: true, filters: new RequestFilters { AllowItems = allow });
        var collaborative = response.Trace!.Stage("source:" + SourceNames.Collaborative)!.ItemIds;
        Assert.Equal(allow.Order(), collaborative.Order());
        Assert.All(response.Items, i => Assert.Contains(i.ItemId, allow));
    }

    [Fact]
    public async Task Debug_returns_every_stage()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var response = await h.RecommendAsync(PlantedCatalog.UserId(1), debug: true);
        var trace = Assert.IsType<PipelineTrace>(response.Trace);
        string[] expected = ["source:collaborative", "source:item2item", "source:content", "source:trending", "source:popular", "source:new-items",
            "merged", "filtered", "ranked", "post:rules", "post:freshness", "post:diversity", "post:exploration", "post:pins", "final"];
        foreach (string stage in expected)
            Assert.NotNull(trace.Stage(stage));
        Assert.Equal(response.Items.Select(i => i.ItemId), trace.Stage("final")!.ItemIds);
        Assert.True(trace.Stage("merged")!.ItemIds.Length >= trace.Stage("filtered")!.ItemIds.Length);
        Assert.Null((await h.RecommendAsync(PlantedCatalog.UserId(1))).Trace);
    }

    [Fact]
    public async Task An_ivf_pq_index_serves_as_well()
    {
        await using var h = await PipelineHarness.CreateAsync(index: "IVF8,PQ8,R100,np8");
        var seen = h.TrainingItems(4);
        var response = await h.RecommendAsync(PlantedCatalog.UserId(4), k: 10);
        Assert.Equal(10, response.Items.Length);
        Assert.DoesNotContain(response.Items, i => seen.Contains(i.ItemId));
        Assert.Contains(response.Items, i => i.Source == SourceNames.Collaborative);
    }
}
