using System.Globalization;
using Grpc.Core;
using Grpc.Reflection.V1Alpha;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>Catalog writes while serving, the admin calls, reflection and the metrics endpoint.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class CatalogAndAdminTests(SharedServer shared)
{
    private ServerRig Rig => shared.Rig;

    [Fact]
    public async Task An_item_upserted_with_a_string_id_is_served_under_that_id_until_deleted()
    {
        var content = Rig.Harness.Catalog.Content!;
        var twinOf = content.Row(123).ToArray();
        using (var call = Rig.Catalog.UpsertItems(TestKeys.Write))
        {
            await call.RequestStream.WriteAsync(new UpsertItemsRequest { Items = { new Item { Id = new Id { Str = "sku-twin" }, Title = "twin", Categories = { "c3" }, ContentVector = { twinOf } } } });
            await call.RequestStream.WriteAsync(new UpsertItemsRequest { Items = { new Item { Id = new Id { Str = "sku-other" }, Title = "space golden storm", Categories = { "c0" }, Tags = { "space" } } } });
            await call.RequestStream.CompleteAsync();
            Assert.Equal(2, (await call.ResponseAsync).Upserted);
        }
        var search = new SearchVectorsRequest { Index = "content", K = 3, Vector = { twinOf } };
        var hits = (await Rig.Recommender.SearchVectorsAsync(search, TestKeys.Read)).Hits;
        Assert.Contains(hits, h => h.Item.Str == "sku-twin" && h.Distance < 1e-4f);

        var similar = await Rig.Recommender.SimilarItemsAsync(new SimilarItemsRequest { Item = new Id { Str = "sku-twin" }, K = 5 }, TestKeys.Read);
        Assert.NotEmpty(similar.Items);

        var deleted = await Rig.Catalog.DeleteItemsAsync(new DeleteItemsRequest { Items = { new Id { Str = "sku-twin" }, new Id { Str = "sku-twin" } } }, TestKeys.Write);
        Assert.Equal(1, deleted.Deleted);
        // A second delete is taken, and says it changed nothing.
        deleted = await Rig.Catalog.DeleteItemsAsync(new DeleteItemsRequest { Items = { new Id { Str = "sku-twin" } } }, TestKeys.Write);
        Assert.Equal(0, deleted.Deleted);
        hits = (await Rig.Recommender.SearchVectorsAsync(search, TestKeys.Read)).Hits;
        Assert.DoesNotContain(hits, h => h.Item.Str == "sku-twin");
    }

    [Fact]
    public async Task A_string_id_that_is_a_number_s_text_is_that_number()
    {
        var response = await Rig.Recommender.SimilarItemsAsync(new SimilarItemsRequest { Item = new Id { Str = PlantedCatalog.ItemId(10).ToString(CultureInfo.InvariantCulture) }, K = 3 }, TestKeys.Read);
        Assert.All(response.Items, i => Assert.Equal(Id.KindOneofCase.Num, i.Item.KindCase));
    }

    [Fact]
    public async Task UpsertUsers_stores_the_profile_and_onboarding_shapes_a_new_user_s_answer()
    {
        const long user = 770_001;
        var response = await Rig.Catalog.UpsertUsersAsync(new UpsertUsersRequest
        {
            Users = { new User { Id = new Id { Num = user }, Age = 30, Gender = "F", Occupation = "occ1", OnboardingCategories = { "c6" } } },
        }, TestKeys.Write);
        Assert.Equal(1, response.Upserted);
        var profile = await Rig.Harness.Store.GetUserProfileAsync(user);
        Assert.NotNull(profile);
        Assert.NotEmpty(profile.OnboardingCategories);
        var answer = await Rig.Recommender.RecommendAsync(new Api.V1.RecommendRequest { User = new Id { Num = user }, K = 10, Context = new RecommendContext { Now = Rig.Now } }, TestKeys.Read);
        Assert.Contains(answer.Items, i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.Item.Num)) == 6);
    }

    [Fact]
    public async Task GetStats_reports_the_version_indexes_and_sources_and_Checkpoint_completes()
    {
        await Rig.RecommendAsync(5);
        var stats = await Rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.AdminOnly);
        Assert.Equal(Rig.Harness.Pipeline.Version.Name, stats.ActiveVersion);
        Assert.True(stats.Requests >= 1);
        Assert.Contains(stats.Indexes, i => i.Name == "cf" && i.Vectors > 0 && i.Kind == "hnsw");
        Assert.Contains(stats.Indexes, i => i.Name == "content" && i.Dimension == Rig.Harness.Catalog.Content!.Dimension);
        Assert.Contains(stats.Sources, s => s.Name == "collaborative" && s.Runs >= 1);
        Assert.Equal("healthy", stats.FeatureStore);

        var checkpoint = await Rig.Admin.CheckpointAsync(new CheckpointRequest(), TestKeys.AdminOnly);
        Assert.NotNull(checkpoint.CompletedAt);
        var after = await Rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.AdminOnly);
        Assert.NotNull(after.LastCheckpoint);

        var models = await Rig.Admin.ListModelsAsync(new ListModelsRequest(), TestKeys.AdminOnly);
        Assert.Equal(stats.ActiveVersion, models.Active);
    }

    [Fact]
    public async Task Reflection_lists_every_service_without_a_key()
    {
        var reflection = new ServerReflection.ServerReflectionClient(Rig.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Contains("recsys.v1.Recommender", names);
        Assert.Contains("recsys.v1.Catalog", names);
        Assert.Contains("recsys.v1.Admin", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    [Fact]
    public async Task Clicks_on_an_item_added_live_fold_its_CF_row_in_and_GetStats_counts_it()
    {
        // The harness's ALS model knows the planted items only: "sku-liked" gets its row from the three users who click it.
        using (var call = Rig.Catalog.UpsertItems(TestKeys.Write))
        {
            await call.RequestStream.WriteAsync(new UpsertItemsRequest { Items = { new Item { Id = new Id { Str = "sku-liked" }, Title = "liked", Categories = { "c4" } } } });
            await call.RequestStream.CompleteAsync();
            Assert.Equal(1, (await call.ResponseAsync).Upserted);
        }
        Assert.True(Rig.Harness.Catalog.Items.TryGetOrdinal(Models.Data.CatalogIdMap.KeyOf("sku-liked"), out int ordinal));
        var events = new RecordEventsRequest();
        foreach (int user in (int[])[4, 12, 20]) // users whose favourite category is c4
            events.Events.Add(new Event { User = ServerRig.UserId(user), Item = new Id { Str = "sku-liked" }, Type = EventType.Click, Time = Rig.Now });
        Assert.Equal(3, (await Rig.Recommender.RecordEventsBatchAsync(events, TestKeys.Write)).Accepted);

        Assert.False(Rig.Harness.Pipeline.Version.Models.AlsRows!.Row(ordinal).IsEmpty);
        var stats = await Rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.AdminOnly);
        Assert.True(stats.ItemFoldIns >= 1, $"item_fold_ins {stats.ItemFoldIns}");
        Assert.True(stats.ItemsWithInteractors >= 1, $"items_with_interactors {stats.ItemsWithInteractors}");
    }

    [Fact]
    public async Task Metrics_are_scraped_from_their_own_port()
    {
        var shown = await Rig.RecommendAsync(6);
        await Rig.Recommender.RecordEventsBatchAsync(new RecordEventsRequest
        {
            Events =
            {
                new Event { User = ServerRig.UserId(6), Item = shown.Items[0].Item, Type = EventType.Click, Time = Rig.Now },
                new Event { User = ServerRig.UserId(6), Item = shown.Items[1].Item, Type = EventType.Impression, Value = 42, Time = Rig.Now },
            },
        }, TestKeys.Write);
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, null, () => Rig.Recommender.RecommendAsync(new Api.V1.RecommendRequest { User = ServerRig.UserId(6) }));
        Assert.NotNull(Rig.Server.MetricsAddress);
        Assert.NotEqual(Rig.Server.Port, Rig.Server.MetricsPort);
        using var http = new HttpClient();
        string text = await http.GetStringAsync(Rig.Server.MetricsAddress);
        Assert.Contains("recsys_rpc_requests_total{", text);
        Assert.Contains("rpc_method=\"/recsys.v1.Recommender/Recommend\"", text);
        Assert.Contains("rpc_grpc_status_code=\"Unauthenticated\"", text);
        Assert.Contains("recsys_rpc_duration_seconds_bucket{", text);
        Assert.Contains("recsys_pipeline_duration_seconds_bucket{", text);
        foreach (string stage in (string[])["user_context", "sources", "merge_filter", "rank", "post"])
            Assert.Contains($"recsys_pipeline_stage_duration_seconds_bucket{{otel_scope_name=\"RecSys.Engine.Pipeline\",stage=\"{stage}\"", text);
        Assert.Contains("recsys_events_lag_seconds_bucket{", text);
        Assert.Contains("recsys_index_vectors{", text);
        Assert.Contains("index=\"cf\"", text);
        Assert.Contains("index=\"content\"", text);
        Assert.Contains($"version=\"{Rig.Harness.Pipeline.Version.Name}\"", text);
        Assert.Contains("recsys_source_runs_total{", text);
        Assert.Matches(@"recsys_pipeline_impressions_without_surface_total\{[^}]*\} [1-9]", text);
    }

    [Fact]
    public async Task Without_a_registry_the_model_calls_are_failed_precondition()
    {
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, null, () => Rig.Admin.ActivateModelAsync(new ActivateModelRequest { Version = "v2" }, TestKeys.AdminOnly));
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, null, () => Rig.Admin.RollbackAsync(new RollbackRequest(), TestKeys.AdminOnly));
        using var call = Rig.Catalog.BulkLoadEmbeddings(TestKeys.AdminOnly);
        await call.RequestStream.CompleteAsync();
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, null, () => call.ResponseAsync);
    }
}
