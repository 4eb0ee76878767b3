using Grpc.Core;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Every bad field is refused with the right status and a message that starts with the field as the client spells
/// it; a refused batch changes nothing; nothing crashes the server (it answers the next call).
/// </summary>
[Collection(SharedServerCollection.Name)]
public sealed class ValidationTests(SharedServer shared)
{
    private ServerRig Rig => shared.Rig;

    private Api.V1.RecommendRequest Recommend(Action<Api.V1.RecommendRequest>? change = null)
    {
        var r = new Api.V1.RecommendRequest { User = ServerRig.UserId(1), Context = new RecommendContext { Now = Rig.Now } };
        change?.Invoke(r);
        return r;
    }

    [Theory]
    [InlineData(201, "k")]
    [InlineData(-1, "k")]
    public async Task K_out_of_range_is_invalid_argument_naming_k(int k, string field) =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, field, () => Rig.Recommender.RecommendAsync(Recommend(r => r.K = k), TestKeys.Read));

    [Fact]
    public async Task An_unknown_surface_is_invalid_argument_naming_surface() =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "surface", () => Rig.Recommender.RecommendAsync(Recommend(r => r.Surface = "nowhere"), TestKeys.Read));

    [Fact]
    public async Task Missing_empty_and_oversized_ids_are_invalid_argument_naming_the_field()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "user", () => Rig.Recommender.RecommendAsync(Recommend(r => r.User = null), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "user", () => Rig.Recommender.RecommendAsync(Recommend(r => r.User = new Id { Str = "" }), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "user", () => Rig.Recommender.RecommendAsync(Recommend(r => r.User = new Id { Str = new string('u', 257) }), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "filters.deny_items[1]",
            () => Rig.Recommender.RecommendAsync(Recommend(r => r.Filters = new Filters { DenyItems = { ServerRig.ItemId(1), new Id() } }), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "filters.deny_items",
            () => Rig.Recommender.RecommendAsync(Recommend(r => r.Filters = new Filters { DenyItems = { Enumerable.Range(0, 21).Select(ServerRig.ItemId) } }), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "request_id",
            () => Rig.Recommender.RecommendAsync(Recommend(r => r.RequestId = new string('r', 300)), TestKeys.Read));
    }

    [Fact]
    public async Task A_bad_query_vector_is_invalid_argument_naming_context_query_vector()
    {
        int dim = Rig.Harness.Catalog.Content!.Dimension;
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "context.query_vector",
            () => Rig.Recommender.RecommendAsync(Recommend(r => { r.Surface = "search"; r.Context.QueryVector.Add(new float[dim - 1]); }), TestKeys.Read));
        var nan = new float[dim];
        nan[3] = float.NaN;
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "context.query_vector",
            () => Rig.Recommender.RecommendAsync(Recommend(r => { r.Surface = "search"; r.Context.QueryVector.Add(nan); }), TestKeys.Read));
    }

    [Fact]
    public async Task An_unknown_page_item_is_not_found_naming_the_field()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "context.item",
            () => Rig.Recommender.RecommendAsync(Recommend(r => { r.Surface = "item-page"; r.Context.Item = new Id { Num = 5 }; }), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "item",
            () => Rig.Recommender.SimilarItemsAsync(new SimilarItemsRequest { Item = new Id { Str = "no-such-item" } }, TestKeys.Read));
    }

    [Fact]
    public async Task SearchVectors_refuses_bad_vectors_k_beams_and_index_names()
    {
        int dim = Rig.Harness.Catalog.Content!.Dimension;
        SearchVectorsRequest Search(Action<SearchVectorsRequest> change)
        {
            var r = new SearchVectorsRequest { Index = "content", K = 5, Vector = { Enumerable.Repeat(0.1f, dim) } };
            change(r);
            return r;
        }
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "vector", () => Rig.Recommender.SearchVectorsAsync(Search(r => r.Vector.Add(1f)), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "vector", () => Rig.Recommender.SearchVectorsAsync(Search(r => r.Vector[0] = float.NaN), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "vector", () => Rig.Recommender.SearchVectorsAsync(Search(r => r.Vector[1] = float.PositiveInfinity), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "k", () => Rig.Recommender.SearchVectorsAsync(Search(r => r.K = 0), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "k", () => Rig.Recommender.SearchVectorsAsync(Search(r => r.K = 1001), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "ef", () => Rig.Recommender.SearchVectorsAsync(Search(r => r.Ef = -3), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "nprobe", () => Rig.Recommender.SearchVectorsAsync(Search(r => r.Nprobe = 1 << 20), TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "index", () => Rig.Recommender.SearchVectorsAsync(Search(r => r.Index = "images"), TestKeys.Read));
    }

    [Fact]
    public async Task Rank_refuses_an_empty_or_oversized_list_and_unknown_candidates_are_not_found()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "items", () => Rig.Recommender.RankAsync(new RankRequest { User = ServerRig.UserId(0) }, TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "items",
            () => Rig.Recommender.RankAsync(new RankRequest { User = ServerRig.UserId(0), Items = { Enumerable.Range(0, 51).Select(ServerRig.ItemId) } }, TestKeys.Read));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "items[1]",
            () => Rig.Recommender.RankAsync(new RankRequest { User = ServerRig.UserId(0), Items = { ServerRig.ItemId(1), new Id { Num = 3 } } }, TestKeys.Read));
    }

    [Fact]
    public async Task A_refused_event_batch_applies_nothing()
    {
        const int user = 60;
        long userId = PlantedCatalog.UserId(user);
        int before = (await Rig.Harness.Store.GetRecentHistoryAsync(userId, 1000)).Length;
        Event Good(int item) => new() { User = ServerRig.UserId(user), Item = ServerRig.ItemId(item), Type = EventType.Click, Time = Rig.Now };

        await RpcAssert.FailsAsync(StatusCode.NotFound, "events[2].item",
            () => Rig.Recommender.RecordEventsBatchAsync(new RecordEventsRequest { Events = { Good(1), Good(2), new Event(Good(3)) { Item = new Id { Num = 9 } } } }, TestKeys.Write));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "events[1].type",
            () => Rig.Recommender.RecordEventsBatchAsync(new RecordEventsRequest { Events = { Good(1), new Event(Good(2)) { Type = EventType.Unspecified } } }, TestKeys.Write));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "events[0].value",
            () => Rig.Recommender.RecordEventsBatchAsync(new RecordEventsRequest { Events = { new Event(Good(2)) { Value = float.NaN } } }, TestKeys.Write));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "events[1].user",
            () => Rig.Recommender.RecordEventsBatchAsync(new RecordEventsRequest { Events = { Good(1), new Event(Good(2)) { User = null } } }, TestKeys.Write));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "events[0].time",
            () => Rig.Recommender.RecordEventsBatchAsync(new RecordEventsRequest { Events = { new Event(Good(2)) { Time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = -5 } } } }, TestKeys.Write));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "events",
            () => Rig.Recommender.RecordEventsBatchAsync(new RecordEventsRequest { Events = { Enumerable.Range(0, 51).Select(i => Good(i)) } }, TestKeys.Write));

        // A stream whose last message is bad: the good messages before it are not applied either.
        using (var call = Rig.Recommender.RecordEvents(TestKeys.Write))
        {
            await call.RequestStream.WriteAsync(new RecordEventsRequest { Events = { Good(5), Good(6) } });
            await call.RequestStream.WriteAsync(new RecordEventsRequest { Events = { new Event(Good(7)) { Item = new Id { Str = "ghost" } } } });
            await call.RequestStream.CompleteAsync();
            await RpcAssert.FailsAsync(StatusCode.NotFound, "events[2].item", () => call.ResponseAsync);
        }
        Assert.Equal(before, (await Rig.Harness.Store.GetRecentHistoryAsync(userId, 1000)).Length);
    }

    [Fact]
    public async Task A_refused_item_or_user_batch_applies_nothing()
    {
        int items = Rig.Harness.Catalog.Items.Count;
        int dim = Rig.Harness.Catalog.Content!.Dimension;
        Item Good(string id) => new() { Id = new Id { Str = id }, Title = "quiet harbour", Categories = { "c1" } };

        async Task Upsert(StatusCode code, string field, params Item[] batch)
        {
            using var call = Rig.Catalog.UpsertItems(TestKeys.Write);
            await call.RequestStream.WriteAsync(new UpsertItemsRequest { Items = { batch } });
            await call.RequestStream.CompleteAsync();
            await RpcAssert.FailsAsync(code, field, () => call.ResponseAsync);
        }
        await Upsert(StatusCode.InvalidArgument, "items[1].content_vector", Good("v-1"), new Item(Good("v-2")) { ContentVector = { new float[dim + 1] } });
        await Upsert(StatusCode.InvalidArgument, "items[0].content_vector", new Item(Good("v-3")) { ContentVector = { new float[dim] } });
        await Upsert(StatusCode.InvalidArgument, "items[1].title", Good("v-4"), new Item(Good("v-5")) { Title = new string('t', 1025) });
        await Upsert(StatusCode.InvalidArgument, "items[0].categories[1]", new Item(Good("v-6")) { Categories = { "" } });
        await Upsert(StatusCode.InvalidArgument, "items[0].policies[0]", new Item(Good("v-7")) { Policies = { (ItemPolicy)42 } });
        await Upsert(StatusCode.InvalidArgument, "items[1].id", Good("v-8"), new Item { Title = "no id" });
        Assert.Equal(items, Rig.Harness.Catalog.Items.Count);

        await RpcAssert.FailsAsync(StatusCode.NotFound, "items[1]",
            () => Rig.Catalog.DeleteItemsAsync(new DeleteItemsRequest { Items = { ServerRig.ItemId(300), new Id { Num = 77 } } }, TestKeys.Write));
        Assert.False(Rig.Harness.Catalog.IsDeleted(300));

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "users[1].age", () => Rig.Catalog.UpsertUsersAsync(new UpsertUsersRequest
        {
            Users = { new User { Id = new Id { Num = 555_001 }, Age = 30 }, new User { Id = new Id { Num = 555_002 }, Age = 200 } },
        }, TestKeys.Write));
        Assert.Null(await Rig.Harness.Store.GetUserProfileAsync(555_001));
    }

    [Fact]
    public async Task A_message_past_the_size_limit_is_resource_exhausted_and_the_server_answers_the_next_call()
    {
        var huge = new SearchVectorsRequest { Index = "content", K = 5, Vector = { new float[300_000] } };
        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, null, () => Rig.Recommender.SearchVectorsAsync(huge, TestKeys.Read));
        Assert.Equal(10, (await Rig.RecommendAsync(2)).Items.Count);
    }
}
