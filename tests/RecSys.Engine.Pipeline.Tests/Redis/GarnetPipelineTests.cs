using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Tests.Support;
using StackExchange.Redis;

namespace RecSys.Engine.Pipeline.Tests.Redis;

/// <summary>
/// The request path and the catalog writes over the Redis-protocol backend (a real Garnet server), where the other
/// end-to-end tests run over FASTER. The delete test needs it: a Redis key can fail on its own while its neighbours
/// commit, which a FASTER log cannot be made to do.
/// </summary>
public sealed class GarnetPipelineTests
{
    [Fact]
    public async Task Over_Garnet_seen_items_never_return_and_a_click_leaves_the_next_answer()
    {
        await using var rig = await GarnetPipelineRig.StartAsync();
        long user = PlantedCatalog.UserId(5);
        var training = rig.Planted.Data.Matrix.Columns(Ordinal(rig, user)).ToArray()
            .Select(i => long.Parse(rig.Planted.Data.Events.Items[i], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.NotEmpty(training);

        var first = await rig.RecommendAsync(user, k: 20);
        Assert.Equal(20, first.Items.Length);
        Assert.DoesNotContain(first.Items, i => training.Contains(i.ItemId));
        long top = first.Items[0].ItemId;

        await rig.Pipeline.RecordEventsAsync([new InteractionEvent(user, top, EventType.Click, 1, rig.NowMs)]);

        var next = await rig.RecommendAsync(user, k: 20);
        Assert.DoesNotContain(next.Items, i => i.ItemId == top);
        Assert.Equal(top, (await rig.Store.GetRecentHistoryAsync(user, 1))[0].ItemId);
    }

    [Fact]
    public async Task A_delete_batch_the_store_takes_in_part_deletes_what_it_took_everywhere_and_throws_the_failure()
    {
        await using var rig = await GarnetPipelineRig.StartAsync();
        long user = PlantedCatalog.UserId(3);
        var before = await rig.RecommendAsync(user, k: 20);
        long taken = before.Items[0].ItemId, refused = before.Items[1].ItemId;
        var cf = Assert.IsType<HnswIndex>(rig.Models.CfIndex);
        var items = rig.Pipeline.Catalog.Items;
        Assert.True(items.TryGetOrdinal(taken, out int takenOrdinal));
        Assert.True(items.TryGetOrdinal(refused, out int refusedOrdinal));
        Assert.True(cf.Contains(takenOrdinal) && cf.Contains(refusedOrdinal));
        // The refused item's metadata key holds a hash, not a string: the store's read of it fails with WRONGTYPE,
        // the other item's write commits.
        string refusedKey = $"{rig.KeyPrefix}{{i:{refused}}}:meta";
        Assert.True(await rig.Raw.KeyDeleteAsync(refusedKey));
        await rig.Raw.HashSetAsync(refusedKey, "broken", "1");

        var failure = await Assert.ThrowsAsync<RedisServerException>(async () => await rig.Pipeline.DeleteItemsAsync([taken, refused]));
        Assert.Contains("WRONGTYPE", failure.Message, StringComparison.OrdinalIgnoreCase);

        // What the store took is deleted everywhere: store, catalog, index, answers.
        Assert.True((await rig.Store.GetItemAsync(taken))!.Deleted);
        Assert.True(rig.Pipeline.Catalog.IsDeleted(takenOrdinal));
        Assert.False(cf.Contains(takenOrdinal), "the item the store deleted is still in the CF index");
        // What it refused is deleted nowhere: still served.
        Assert.False(rig.Pipeline.Catalog.IsDeleted(refusedOrdinal));
        Assert.True(cf.Contains(refusedOrdinal), "the item the store refused left the CF index");
        var after = await rig.RecommendAsync(user, k: 20);
        Assert.DoesNotContain(after.Items, i => i.ItemId == taken);
        Assert.Contains(after.Items, i => i.ItemId == refused);

        // Once the key is mended, the same delete goes through.
        Assert.True(await rig.Raw.KeyDeleteAsync(refusedKey));
        await rig.Pipeline.DeleteItemsAsync([refused]);
        Assert.True(rig.Pipeline.Catalog.IsDeleted(refusedOrdinal));
        Assert.False(cf.Contains(refusedOrdinal));
        Assert.DoesNotContain((await rig.RecommendAsync(user, k: 20)).Items, i => i.ItemId == refused);
    }

    private static int Ordinal(GarnetPipelineRig rig, long user) =>
        rig.Planted.Data.Events.Users.TryGetOrdinal(user.ToString(System.Globalization.CultureInfo.InvariantCulture), out int u) ? u : throw new InvalidOperationException($"user {user} is not in the planted data");
}
