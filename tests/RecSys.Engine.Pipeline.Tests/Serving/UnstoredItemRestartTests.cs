using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>
/// An id numbered for an upsert whose store write failed (the numbering only grows; a later journal record carries the
/// ordinal) is not an item after a restart: it comes back deleted, so the new-items source, which serves the newest
/// ordinals, never shows an item that was never stored. A retry of the upsert brings it in.
/// </summary>
public sealed class UnstoredItemRestartTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private const long Unstored = 930_001;
    private const long Stored = 930_002;

    [Fact]
    public async Task An_ordinal_numbered_for_an_item_the_store_never_took_comes_back_deleted_and_a_retry_adds_it()
    {
        using var rig = new RegistryRig(trained);
        var crashing = RegistryRig.Options() with { SaveOnDispose = false };
        int unstored;
        await using (var state = await rig.CreateAsync(options: crashing))
        {
            await state.SaveCatalogAsync();
            // What a failed store write leaves: the id has its ordinal, the store has no record (the pipeline numbers
            // before it writes); the next upsert journals the numbering, this ordinal with it.
            unstored = state.Catalog.Items.GetOrAdd(Unstored);
            await state.Pipeline.UpsertItemAsync(Stored, new ItemAttributes { Title = "stored", Categories = ["c1"], Tags = ["t"] });
        }

        await using (var state = await rig.OpenAsync(crashing))
        {
            Assert.True(state.Catalog.Items.TryGetOrdinal(Unstored, out int again));
            Assert.Equal(unstored, again);
            Assert.True(state.Catalog.IsDeleted(unstored));
            Assert.True(state.Catalog.Items.TryGetOrdinal(Stored, out int stored));
            Assert.False(state.Catalog.IsDeleted(stored));
            var fresh = await NewItemsAsync(state);
            Assert.Contains(Stored, fresh);
            Assert.DoesNotContain(Unstored, fresh);

            await state.Pipeline.UpsertItemAsync(Unstored, new ItemAttributes { Title = "stored at last", Categories = ["c2"], Tags = ["t"] });
            Assert.False(state.Catalog.IsDeleted(unstored));
            Assert.Contains(Unstored, await NewItemsAsync(state));
        }
    }

    private static async Task<long[]> NewItemsAsync(ServingState state)
    {
        var response = await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = PlantedCatalog.UserId(3), K = 10, Debug = true });
        return response.Trace!.Stage("source:" + SourceNames.NewItems)?.ItemIds ?? throw new Xunit.Sdk.XunitException("no new-items stage");
    }
}
