using Grpc.Core;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>The read path and events through the generated client: happy paths and what they must not do.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class RecommenderTests(SharedServer shared)
{
    private ServerRig Rig => shared.Rig;

    [Fact]
    public async Task Recommend_gives_a_known_user_items_of_their_planted_taste()
    {
        int hits = 0, total = 0;
        for (int u = 0; u < 16; u++)
        {
            var response = await Rig.RecommendAsync(u);
            Assert.Equal(10, response.Items.Count);
            Assert.Equal("home", response.Surface);
            Assert.Equal("rrf", response.Ranker);
            Assert.False(string.IsNullOrEmpty(response.RequestId));
            Assert.Equal(Rig.Harness.Pipeline.Version.Name, response.Version);
            foreach (var item in response.Items)
            {
                total++;
                if (PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(item.Item.Num)) == PlantedCatalog.Favourite(u))
                    hits++;
            }
        }
        Assert.True(hits >= total * 0.6, $"{hits} of {total} in the favourite category");
    }

    [Fact]
    public async Task An_unknown_user_is_cold_start_not_an_error_with_a_number_or_a_string_id()
    {
        foreach (var user in new[] { new Id { Num = 987_654_321 }, new Id { Str = "new-visitor-7" } })
        {
            var response = await Rig.Recommender.RecommendAsync(new Api.V1.RecommendRequest { User = user, K = 5, Context = new RecommendContext { Now = Rig.Now } }, TestKeys.Read);
            Assert.Equal(5, response.Items.Count);
            Assert.All(response.Items, i => Assert.NotEqual("collaborative", i.Source));
        }
    }

    [Fact]
    public async Task Debug_returns_every_stage_and_the_final_list_matches_the_answer()
    {
        var response = await Rig.Recommender.RecommendAsync(new Api.V1.RecommendRequest { User = ServerRig.UserId(3), K = 5, Debug = true, Context = new RecommendContext { Now = Rig.Now } }, TestKeys.Read);
        Assert.Contains(response.Trace, t => t.Stage == "merged");
        var final = Assert.Single(response.Trace, t => t.Stage == "final");
        Assert.Equal(response.Items.Select(i => i.Item), final.Items);
    }

    [Fact]
    public async Task Filters_reach_the_pipeline()
    {
        var response = await Rig.Recommender.RecommendAsync(new Api.V1.RecommendRequest
        {
            User = ServerRig.UserId(4),
            K = 10,
            Context = new RecommendContext { Now = Rig.Now },
            Filters = new Filters { IncludeCategories = { PlantedCatalog.Category(5) } },
        }, TestKeys.Read);
        Assert.NotEmpty(response.Items);
        Assert.All(response.Items, i => Assert.Equal(5, PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.Item.Num))));
    }

    [Fact]
    public async Task SimilarItems_answers_neighbours_of_the_item_and_never_the_item_itself()
    {
        var response = await Rig.Recommender.SimilarItemsAsync(new SimilarItemsRequest { Item = ServerRig.ItemId(42), K = 8, Now = Rig.Now }, TestKeys.Read);
        Assert.Equal("item-page", response.Surface);
        Assert.Equal(8, response.Items.Count);
        Assert.DoesNotContain(response.Items, i => i.Item.Num == PlantedCatalog.ItemId(42));
        int same = response.Items.Count(i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.Item.Num)) == PlantedCatalog.CategoryOf(42));
        Assert.True(same >= 4, $"{same} of 8 neighbours share the item's category");
    }

    [Fact]
    public async Task SearchVectors_finds_the_item_whose_vector_is_the_query_and_honours_filters()
    {
        var content = Rig.Harness.Catalog.Content!;
        int ordinal = 17;
        var request = new SearchVectorsRequest { Index = "content", K = 5, Vector = { content.Row(ordinal).ToArray() } };
        var response = await Rig.Recommender.SearchVectorsAsync(request, TestKeys.Read);
        Assert.Equal(5, response.Hits.Count);
        Assert.Equal(PlantedCatalog.ItemId(ordinal), response.Hits[0].Item.Num);
        Assert.True(response.Hits[0].Distance < 1e-4f);

        request.Filter = new Filters { DenyItems = { ServerRig.ItemId(ordinal) }, ExcludeCategories = { PlantedCatalog.Category(2) } };
        response = await Rig.Recommender.SearchVectorsAsync(request, TestKeys.Read);
        Assert.Equal(5, response.Hits.Count);
        Assert.DoesNotContain(response.Hits, h => h.Item.Num == PlantedCatalog.ItemId(ordinal));
        Assert.DoesNotContain(response.Hits, h => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(h.Item.Num)) == 2);

        var als = Rig.Harness.Models.Als!;
        var cf = await Rig.Recommender.SearchVectorsAsync(new SearchVectorsRequest { Index = "cf", K = 3, Ef = 50, Vector = { als.ItemRow(ordinal).ToArray() } }, TestKeys.Read);
        Assert.Equal(3, cf.Hits.Count);
    }

    [Fact]
    public async Task Rank_scores_the_given_candidates_in_their_order_with_the_pipeline_s_ranker()
    {
        int[] items = [8, 3, 16, 24, 3];
        var response = await Rig.Recommender.RankAsync(new RankRequest { User = ServerRig.UserId(0), Items = { items.Select(ServerRig.ItemId) }, Now = Rig.Now }, TestKeys.Read);
        Assert.Equal(items.Select(ServerRig.ItemId), response.Items.Select(i => i.Item));
        Assert.Equal("rrf", response.Ranker);
        float[] expected = await Rig.Harness.Pipeline.RankAsync(PlantedCatalog.UserId(0), [.. items.Select(PlantedCatalog.ItemId)], "home", Rig.Harness.NowMs);
        Assert.Equal(expected, response.Items.Select(i => i.Score));
        Assert.All(response.Items, i => Assert.True(float.IsFinite(i.Score) && i.Score > 0));
        Assert.Equal(response.Items[1].Score, response.Items[4].Score); // a repeated candidate gets the same score
    }

    [Fact]
    public async Task An_event_changes_the_next_recommendations()
    {
        const int user = 30;
        var before = await Rig.RecommendAsync(user);
        var top = before.Items[0].Item;
        var recorded = await Rig.Recommender.RecordEventsBatchAsync(new RecordEventsRequest
        {
            Events = { new Event { User = ServerRig.UserId(user), Item = top, Type = EventType.Click, Time = Rig.Now, RequestId = before.RequestId } },
        }, TestKeys.Write);
        Assert.Equal(1, recorded.Accepted);
        var after = await Rig.RecommendAsync(user);
        Assert.DoesNotContain(top, after.Items.Select(i => i.Item));
    }

    [Fact]
    public async Task RecordEvents_takes_a_client_stream_as_one_batch()
    {
        const int user = 31;
        using var call = Rig.Recommender.RecordEvents(TestKeys.Write);
        for (int m = 0; m < 3; m++)
        {
            await call.RequestStream.WriteAsync(new RecordEventsRequest
            {
                Events = { new Event { User = ServerRig.UserId(user), Item = ServerRig.ItemId(200 + m), Type = EventType.View, Time = Rig.Now } },
            });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Assert.Equal(3, response.Accepted);
        var history = await Rig.Harness.Store.GetRecentHistoryAsync(PlantedCatalog.UserId(user), 10);
        Assert.Equal(new long[] { 1202, 1201, 1200 }, history.Take(3).Select(e => e.ItemId));
    }
}
