using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>A store write that fails leaves nothing half done that a retry cannot mend.</summary>
public sealed class ItemWriteFailureTests
{
    [Fact]
    public async Task A_new_item_whose_store_write_failed_is_still_new_when_the_upsert_is_retried()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var store = new InstrumentedStore(h.Store);
        var pipeline = new RecommendationPipeline(store, h.Catalog, h.Pipeline.Version, new PipelineOptions());
        const long NewItem = 880_001;
        var attributes = new ItemAttributes { Title = "new " + PlantedCatalog.Words[3] + " dark city", Categories = [PlantedCatalog.Category(3)] };

        store.FailNextItemUpsert = new IOException("store down");
        var e = await Assert.ThrowsAsync<IOException>(async () => await pipeline.UpsertItemAsync(NewItem, attributes));
        Assert.Equal("store down", e.Message);
        Assert.Null(await h.Store.GetItemAsync(NewItem));

        // The retry: the item joins as a new item (the recent list the new-items source and exploration draw on), as if
        // the failed call had never happened. Before, the failed call had already given the id its ordinal, so the retry
        // took it for a known item and it never became "new".
        await pipeline.UpsertItemAsync(NewItem, attributes);
        Assert.NotNull(await h.Store.GetItemAsync(NewItem));
        Assert.True(h.Catalog.Items.TryGetOrdinal(NewItem, out int ordinal));
        var recent = new int[64];
        int n = h.Catalog.CopyRecent(recent);
        Assert.Equal(ordinal, recent[0]);
        Assert.Equal(1, n);

        // An item the store has is not new again on its next update.
        await pipeline.UpsertItemAsync(NewItem, attributes with { Title = "renamed" });
        Assert.Equal(1, h.Catalog.CopyRecent(recent));
    }
}
