using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.PostProcess;

public sealed class FreshnessTests
{
    [Fact]
    public async Task A_fresh_item_rises_and_an_age_limit_drops_old_ones()
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            ExplorationShare = 0, CategoryCap = 0, MmrLambda = 1, FreshnessHalfLifeHours = 24, FreshnessWeight = 1f,
        }));
        long user = PlantedCatalog.UserId(0);
        var before = await h.RecommendAsync(user, k: 10, debug: true);
        long tenth = before.Items[9].ItemId;
        long second = before.Items[1].ItemId;
        var attributes = (long id) => new ItemAttributes
        {
            Title = h.Planted.Data.Catalog!.Title(PlantedCatalog.ItemIndex(id)),
            Categories = h.Planted.Data.Catalog.Categories(PlantedCatalog.ItemIndex(id)).ToArray(),
        };
        // The tenth was published just now, the second ten days ago: the tenth nearly doubles, the second barely moves.
        await h.Pipeline.UpsertItemAsync(tenth, attributes(tenth) with { PublishedAtMs = h.NowMs });
        await h.Pipeline.UpsertItemAsync(second, attributes(second) with { PublishedAtMs = h.NowMs - 10 * 86_400_000L });
        var after = await h.RecommendAsync(user, k: 10, debug: true);
        Assert.Equal(tenth, after.Items[0].ItemId);
        float fresh = after.Trace!.Stage("post:freshness")!.Scores[0];
        float ranked = after.Trace.Stage("ranked")!.Scores[Array.IndexOf(after.Trace.Stage("ranked")!.ItemIds, tenth)];
        Assert.Equal(2f * ranked, fresh, 4);

        // A surface with a one-day age limit drops the ten-day-old item; items without a publish time stay.
        await using var limited = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            ExplorationShare = 0, CategoryCap = 0, MmrLambda = 1, MaxItemAgeHours = 24,
        }));
        await limited.Pipeline.UpsertItemAsync(second, attributes(second) with { PublishedAtMs = limited.NowMs - 10 * 86_400_000L });
        var aged = await limited.RecommendAsync(user, k: 10);
        Assert.Equal(10, aged.Items.Length);
        Assert.DoesNotContain(aged.Items, i => i.ItemId == second);
    }
}
