using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Sources;

/// <summary>The sequence source ("watched next") on a home surface that runs it alone, post-processing off.</summary>
public sealed class SequenceNeighborsSourceTests
{
    private static PipelineConfig SequenceOnly(PipelineConfig c, int seeds, float halfLife) =>
        PipelineHarness.WithSurface(c with { SequenceSeeds = seeds, SequenceSeedHalfLife = halfLife }, "home", s => s with
        {
            Sources = [new SourceConfig(SourceNames.Sequence, 40, TimeSpan.FromSeconds(10))], ExplorationShare = 0, CategoryCap = 0, MmrLambda = 1,
        });

    [Fact]
    public async Task Events_seed_the_next_answer_with_the_recency_weighted_sum_of_their_neighbour_lists()
    {
        await using var h = await PipelineHarness.CreateAsync(c => SequenceOnly(c, seeds: 2, halfLife: 1));
        var model = h.Models.Sequence;
        Assert.NotNull(model);
        long user = 900_300;
        Assert.Empty((await h.RecommendAsync(user, k: 10)).Items); // no history: nothing to follow

        // Older event on a, newer on b: b's neighbours count 1, a's 1/2 (half-life 1 position).
        long a = PlantedCatalog.ItemId(3), b = PlantedCatalog.ItemId(40), oldest = PlantedCatalog.ItemId(77);
        await h.Pipeline.RecordEventsAsync([
            new(user, oldest, EventType.Click, 1f, h.NowMs - 3000), new(user, a, EventType.Click, 1f, h.NowMs - 2000), new(user, b, EventType.Click, 1f, h.NowMs - 1000)]);
        var response = await h.RecommendAsync(user, k: 10);

        // The reference: the same sum over the model's lists; the third-newest item is beyond SequenceSeeds and only filtered.
        int Ordinal(long id) => h.Catalog.Items.TryGetOrdinal(id, out int o) ? o : throw new KeyNotFoundException(id.ToString());
        int oa = Ordinal(a), ob = Ordinal(b), oo = Ordinal(oldest);
        var sums = new Dictionary<int, float>();
        foreach (var (seed, weight) in new[] { (ob, 1f), (oa, 0.5f) })
        {
            var (items, sims) = model.NeighborsOf(seed);
            for (int q = 0; q < items.Length; q++)
                sums[items.Span[q]] = sums.GetValueOrDefault(items.Span[q]) + weight * sims.Span[q];
        }
        var expected = sums.Where(kv => kv.Key != oa && kv.Key != ob && kv.Key != oo)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(10).Select(kv => h.Catalog.Items.ExternalId(kv.Key)).ToArray();
        Assert.Equal(10, expected.Length);
        Assert.Equal(expected, response.Items.Select(i => i.ItemId).ToArray());
        Assert.All(response.Items, i => Assert.Equal(SourceNames.Sequence, i.Source));
        // Without the recency weight the order changes (the test can tell the weighting apart).
        var equal = sums.Keys.Where(k => k != oa && k != ob && k != oo)
            .Select(k => (k, s: Sum(model, ob, k) + Sum(model, oa, k))).OrderByDescending(x => x.s).ThenBy(x => x.k).Take(10).Select(x => h.Catalog.Items.ExternalId(x.k));
        Assert.NotEqual(equal.ToArray(), expected);
    }

    private static float Sum(RecSys.Engine.Models.Neighbors.ItemKnn model, int seed, int item)
    {
        var (items, sims) = model.NeighborsOf(seed);
        int q = items.Span.IndexOf(item);
        return q < 0 ? 0f : sims.Span[q];
    }

    [Fact]
    public async Task Seen_and_deleted_items_never_return_and_bad_settings_name_the_field()
    {
        await using var h = await PipelineHarness.CreateAsync(c => SequenceOnly(c, seeds: 10, halfLife: 0));
        long user = PlantedCatalog.UserId(5);
        var first = await h.RecommendAsync(user, k: 10);
        Assert.Equal(10, first.Items.Length);
        Assert.DoesNotContain(first.Items, i => h.TrainingItems(5).Contains(i.ItemId));
        await h.Pipeline.DeleteItemAsync(first.Items[0].ItemId);
        var second = await h.RecommendAsync(user, k: 10);
        Assert.DoesNotContain(second.Items, i => i.ItemId == first.Items[0].ItemId);

        Assert.Equal("SequenceSeeds", Assert.Throws<ArgumentOutOfRangeException>(() => (h.Pipeline.Version.Config with { SequenceSeeds = 0 }).Validate()).ParamName);
        Assert.Equal("SequenceSeedHalfLife", Assert.Throws<ArgumentOutOfRangeException>(() => (h.Pipeline.Version.Config with { SequenceSeedHalfLife = float.NaN }).Validate()).ParamName);
    }
}
