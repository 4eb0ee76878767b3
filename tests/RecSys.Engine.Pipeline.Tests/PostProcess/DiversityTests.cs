using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.PostProcess;

public sealed class DiversityTests
{
    private static Func<PipelineConfig, PipelineConfig> Home(float lambda, int cap) => c => PipelineHarness.WithSurface(c, "home", s => s with
    {
        ExplorationShare = 0, MmrLambda = lambda, CategoryCap = cap,
    });

    /// <summary>Share of pairs in the list that share a category.</summary>
    private static double RepeatRate(long[] items)
    {
        int pairs = 0, same = 0;
        for (int a = 0; a < items.Length; a++)
        {
            for (int b = a + 1; b < items.Length; b++)
            {
                pairs++;
                if (PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(items[a])) == PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(items[b])))
                    same++;
            }
        }
        return (double)same / pairs;
    }

    private static async Task<double> MeanRepeatRate(PipelineHarness h)
    {
        double sum = 0;
        for (int u = 0; u < 16; u++)
            sum += RepeatRate([.. (await h.RecommendAsync(PlantedCatalog.UserId(u), k: 10)).Items.Select(i => i.ItemId)]);
        return sum / 16;
    }

    [Fact]
    public async Task Mmr_lowers_the_category_repeat_rate()
    {
        await using var relevance = await PipelineHarness.CreateAsync(Home(1f, 0));
        await using var diverse = await PipelineHarness.CreateAsync(Home(0.3f, 0));
        double plain = await MeanRepeatRate(relevance), mmr = await MeanRepeatRate(diverse);
        Assert.True(mmr < plain * 0.7, $"repeat rate {plain:F3} without MMR, {mmr:F3} with");
    }

    [Fact]
    public async Task A_category_cap_is_never_exceeded()
    {
        await using var h = await PipelineHarness.CreateAsync(Home(1f, 2));
        for (int u = 0; u < 16; u++)
        {
            var items = (await h.RecommendAsync(PlantedCatalog.UserId(u), k: 10)).Items;
            Assert.Equal(10, items.Length);
            foreach (var group in items.GroupBy(i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId))))
                Assert.True(group.Count() <= 2, $"user {u}: {group.Count()} items of category {group.Key}");
        }
    }
}
