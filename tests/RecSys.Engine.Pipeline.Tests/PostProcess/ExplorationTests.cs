using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.PostProcess;

public sealed class ExplorationTests
{
    [Fact]
    public async Task Exploration_slots_go_to_under_exposed_items_with_a_propensity()
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0.2f, MmrLambda = 1, CategoryCap = 0 })
            with { ExplorationImpressions = 3 });
        // Served items count as impressions: the user's usual items grow exposed, explored ones are all still under 3.
        var request = new RecommendRequest { UserId = PlantedCatalog.UserId(2), K = 10, NowMs = h.NowMs, RequestId = "fixed-request" };
        var response = await h.Pipeline.RecommendAsync(request);
        var explored = response.Items.Where(i => i.Exploration).ToArray();
        Assert.Equal(2, explored.Length);
        Assert.All(explored, i => Assert.InRange(i.Propensity, 1e-4f, 1f));
        Assert.All(response.Items.Where(i => !i.Exploration), i => Assert.Equal(1f, i.Propensity));
        Assert.DoesNotContain(response.Items.Take(2), i => i.Exploration); // the head stays exploit

        // The same request id replays the same draws (for another user state the eligible set would differ).
        await using var again = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0.2f, MmrLambda = 1, CategoryCap = 0 })
            with { ExplorationImpressions = 3 });
        var replay = await again.Pipeline.RecommendAsync(request);
        Assert.Equal(response.Items.Select(i => i.ItemId), replay.Items.Select(i => i.ItemId));
    }

    [Fact]
    public async Task A_new_item_is_explored_until_it_has_its_impressions()
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            Sources = [new SourceConfig("popular", 10, TimeSpan.FromSeconds(1)), new SourceConfig("new-items", 10, TimeSpan.FromSeconds(1))],
            ExplorationShare = 0.3f, MmrLambda = 1, CategoryCap = 0,
        }) with { ExplorationImpressions = 2, CountServedImpressions = true });
        long item = 60_000;
        await h.Pipeline.UpsertItemAsync(item, new ItemAttributes { Title = "fresh", Categories = ["c1"] });
        int shown = 0;
        for (int r = 0; r < 30; r++)
        {
            var response = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 990_000 + r, K = 10, NowMs = h.NowMs, RequestId = "r" + r });
            if (response.Items.Any(i => i.ItemId == item))
                shown++;
        }
        // Shown while under-exposed, then no more: its impressions reached the threshold.
        Assert.InRange(shown, 2, 3);
        Assert.True(h.Catalog.Impressions(h.Catalog.Items.TryGetOrdinal(item, out int o) ? o : -1) >= 2);
    }
}
