using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Features.Codecs;

namespace RecSys.Engine.Pipeline.Tests.Redis;

/// <summary>
/// The request path and the catalog writes over the Redis-protocol backend (a real Garnet server), where the other
/// end-to-end tests run over FASTER. The delete test needs it: one Redis key's write can fail while its neighbours
/// commit, where a FASTER log fails all writes or none.
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
        var content = Assert.IsType<HnswIndex>(rig.Models.ContentIndex);
        var items = rig.Pipeline.Catalog.Items;
        Assert.True(items.TryGetOrdinal(taken, out int takenOrdinal));
        Assert.True(items.TryGetOrdinal(refused, out int refusedOrdinal));
        Assert.True(cf.Contains(takenOrdinal) && cf.Contains(refusedOrdinal));
        Assert.True(content.Contains(takenOrdinal) && content.Contains(refusedOrdinal));
        // The refused item's metadata record carries a format version this build does not know (as a newer engine sharing
        // the Redis store might write it): the store's read-modify-write of it fails, the other item's write commits.
        // (A key of the wrong type is no use here: Garnet answers GET on a hash with WRONGTYPE in some runs and nil in others.)
        string refusedKey = $"{rig.KeyPrefix}{{i:{refused}}}:meta";
        byte[] record = (byte[])(await rig.Raw.StringGetAsync(refusedKey))!;
        Assert.NotEmpty(record);
        await rig.Raw.StringSetAsync(refusedKey, new byte[] { 0xEE, 0, 0, 0 });

        var failure = await Assert.ThrowsAsync<FeatureFormatException>(async () => await rig.Pipeline.DeleteItemsAsync([taken, refused]));
        Assert.Contains("version", failure.Message, StringComparison.OrdinalIgnoreCase);

        // What the store took is deleted everywhere: store, catalog, index, answers.
        Assert.True((await rig.Store.GetItemAsync(taken))!.Deleted);
        Assert.True(rig.Pipeline.Catalog.IsDeleted(takenOrdinal));
        Assert.False(cf.Contains(takenOrdinal), "the item the store deleted is still in the CF index");
        Assert.False(content.Contains(takenOrdinal), "the item the store deleted is still in the content index");
        // What it refused is deleted nowhere: still served.
        Assert.False(rig.Pipeline.Catalog.IsDeleted(refusedOrdinal));
        Assert.True(cf.Contains(refusedOrdinal), "the item the store refused left the CF index");
        Assert.True(content.Contains(refusedOrdinal), "the item the store refused left the content index");
        var after = await rig.RecommendAsync(user, k: 20);
        Assert.DoesNotContain(after.Items, i => i.ItemId == taken);
        Assert.Contains(after.Items, i => i.ItemId == refused);

        // Once the record is mended, the same delete goes through, in the store too.
        await rig.Raw.StringSetAsync(refusedKey, record);
        await rig.Pipeline.DeleteItemsAsync([refused]);
        Assert.True((await rig.Store.GetItemAsync(refused))!.Deleted);
        Assert.True(rig.Pipeline.Catalog.IsDeleted(refusedOrdinal));
        Assert.False(cf.Contains(refusedOrdinal));
        Assert.False(content.Contains(refusedOrdinal));
        Assert.DoesNotContain((await rig.RecommendAsync(user, k: 20)).Items, i => i.ItemId == refused);
    }

    [Fact]
    public async Task Over_Garnet_a_new_item_gets_its_CF_row_from_its_users_stored_vectors()
    {
        // The item fold-in reads its users' CF vectors from the store all at once: over Redis, concurrent GETs.
        await using var rig = await GarnetPipelineRig.StartAsync();
        const long newItem = 9_000_002;
        await rig.Pipeline.UpsertItemAsync(newItem, new Catalog.ItemAttributes { Title = "a live item", Categories = [PlantedCatalog.Category(2)] });
        Assert.True(rig.Pipeline.Catalog.Items.TryGetOrdinal(newItem, out int ordinal));
        var fans = Enumerable.Range(0, rig.Planted.Users).Where(u => PlantedCatalog.Favourite(u) == 2).Take(4).ToArray();
        foreach (int fan in fans.Take(3))
            await rig.Pipeline.RecordEventsAsync([new InteractionEvent(PlantedCatalog.UserId(fan), newItem, EventType.Click, 1, rig.NowMs)]);
        ReadOnlySpan<float> row = rig.Models.AlsRows!.Row(ordinal);
        Assert.False(row.IsEmpty);
        Assert.Equal(1, rig.Pipeline.Stats.ItemFoldIns);
        Assert.True(Assert.IsType<HnswIndex>(rig.Models.CfIndex).Contains(ordinal));
        // The row is the solve over the users' vectors as the store holds them (each folded in after its click).
        var als = rig.Models.Als!;
        var gathered = new float[3 * als.Factors];
        for (int n = 0; n < 3; n++)
        {
            float[] stored = (await rig.Store.GetCfVectorAsync(PlantedCatalog.UserId(fans[n])))!;
            stored.AsSpan(0, als.Factors).CopyTo(gathered.AsSpan(n * als.Factors));
        }
        var expected = new float[als.Factors];
        als.FoldInItem(gathered, 3, expected);
        Assert.Equal(expected, rig.Models.AlsRows!.Row(ordinal).ToArray());
    }

    private static int Ordinal(GarnetPipelineRig rig, long user) =>
        rig.Planted.Data.Events.Users.TryGetOrdinal(user.ToString(System.Globalization.CultureInfo.InvariantCulture), out int u) ? u : throw new InvalidOperationException($"user {user} is not in the planted data");
}
