using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Sources;

public sealed class PopularitySourceTests
{
    [Fact]
    public async Task Segment_lists_come_from_the_model_and_the_trending_refresh_follows_the_store()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var trending = (PopularitySource)h.Pipeline.Version.Sources[SourceNames.Trending];
        var segmentItems = PlantedCatalog.SegmentItems(h.Planted.Items).Select(i => h.Catalog.Items.TryGetOrdinal(PlantedCatalog.ItemId(i), out int o) ? o : -1).ToHashSet();
        Assert.True(h.Catalog.Segments.TryGetId("25-34|F|occ1", out int segment));
        Assert.True(trending.ListOf(segment)[..5].ToArray().All(segmentItems.Contains));
        Assert.DoesNotContain(trending.ListOf(-1)[..5].ToArray(), segmentItems.Contains);

        // Ten days on, a cold item gets a burst of events: after a refresh it leads the overall trending list (the
        // store's counters of the training events have decayed through ten half-lives by then).
        long cold = PlantedCatalog.ItemId(h.Planted.Items - 6);
        Assert.True(h.Catalog.Items.TryGetOrdinal(cold, out int coldOrdinal));
        int before = trending.ListOf(-1).IndexOf(coldOrdinal);
        long later = h.NowMs + 10 * 86_400_000L;
        var events = Enumerable.Range(0, 60).Select(u => new InteractionEvent(PlantedCatalog.UserId(u), cold, EventType.Click, 1f, later)).ToList();
        await h.Pipeline.RecordEventsAsync(events);
        await h.Pipeline.RefreshTrendingAsync(later);
        Assert.Equal(coldOrdinal, trending.ListOf(-1)[0]);
        Assert.NotEqual(0, before);
    }

    [Fact]
    public async Task A_refresh_that_fails_keeps_the_items_that_had_events_for_the_next_one()
    {
        // A pool of 20 of the 400 items: a cold item enters a list only as an item that had events since the last
        // refresh. A refresh whose store read fails must not forget it.
        await using var h = await PipelineHarness.CreateAsync();
        var source = new PopularitySource("trending", h.Models.Trending!, h.Catalog, poolSize: 20);
        var store = new InstrumentedStore(h.Store);
        long cold = PlantedCatalog.ItemId(h.Planted.Items - 6);
        Assert.True(h.Catalog.Items.TryGetOrdinal(cold, out int coldOrdinal));
        Assert.DoesNotContain(coldOrdinal, source.ListOf(-1).ToArray());
        long later = h.NowMs + 10 * 86_400_000L;
        await h.Pipeline.RecordEventsAsync([.. Enumerable.Range(0, 60).Select(u => new InteractionEvent(PlantedCatalog.UserId(u), cold, EventType.Click, 1f, later))]);
        source.NoteEvent(coldOrdinal);

        store.FailNextCounterRead = new IOException("store down");
        await Assert.ThrowsAsync<IOException>(() => source.RefreshAsync(store, later));
        Assert.DoesNotContain(coldOrdinal, source.ListOf(-1).ToArray()); // the lists stay as they were

        await source.RefreshAsync(store, later);
        // In, and near the top: a burst of 60 clicks against counters decayed through ten half-lives.
        Assert.InRange(source.ListOf(-1).IndexOf(coldOrdinal), 0, 2);
    }
}
