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
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0.2f, MmrLambda = 1, CategoryCap = 0, ExplorationEstablishedImpressions = null })
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
        await using var again = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0.2f, MmrLambda = 1, CategoryCap = 0, ExplorationEstablishedImpressions = null })
            with { ExplorationImpressions = 3 });
        var replay = await again.Pipeline.RecommendAsync(request);
        Assert.Equal(response.Items.Select(i => i.ItemId), replay.Items.Select(i => i.ItemId));
    }

    [Theory]
    [InlineData(ExplorationPick.Uniform, 0, 10)]
    // 30 popular items: 20 below a page of 10, the new item (weight 0.01) last of all, far below a pool of 3; new items
    // are eligible anyway, and the least shown go first, a new item before an established one.
    [InlineData(ExplorationPick.LeastShown, 3, 30)]
    public async Task A_new_item_is_explored_until_it_has_its_impressions(ExplorationPick pick, int pool, int popular)
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            ExplorationEstablishedImpressions = null, // these tests pin the pipeline threshold, for every item
            Sources = [new SourceConfig("popular", popular, TimeSpan.FromSeconds(1)), new SourceConfig("new-items", 10, TimeSpan.FromSeconds(1), Weight: 0.01f)],
            ExplorationShare = 0.3f, MmrLambda = 1, CategoryCap = 0, ExplorationPick = pick, ExplorationPool = pool, ExplorationEpsilon = 0,
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

    [Theory]
    [InlineData(1)]
    [InlineData(null)]
    public async Task An_established_item_is_explored_only_below_the_surface_floor_a_new_item_up_to_its_threshold(int? floor)
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            Sources = [new SourceConfig("popular", 30, TimeSpan.FromSeconds(1)), new SourceConfig("new-items", 10, TimeSpan.FromSeconds(1), Weight: 0.01f)],
            ExplorationShare = 0.3f, MmrLambda = 1, CategoryCap = 0, ExplorationPick = ExplorationPick.LeastShown, ExplorationPool = 3,
            ExplorationEpsilon = 0, ExplorationEstablishedImpressions = floor,
        }) with { ExplorationImpressions = 5, CountServedImpressions = true });
        long item = 60_000;
        await h.Pipeline.UpsertItemAsync(item, new ItemAttributes { Title = "fresh", Categories = ["c1"] });
        int newShown = 0;
        var established = new List<long>();
        for (int r = 0; r < 20; r++)
        {
            var response = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 990_000 + r, K = 10, NowMs = h.NowMs, RequestId = "r" + r });
            newShown += response.Items.Count(i => i.ItemId == item);
            established.AddRange(response.Items.Where(i => i.Exploration && i.ItemId != item).Select(i => i.ItemId));
        }
        // The new item keeps the pipeline's threshold (5) whatever the floor: its exploration is its cold start.
        Assert.InRange(newShown, 5, 6);
        Assert.NotEmpty(established);
        if (floor == 1)
            Assert.Equal(established.Count, established.Distinct().Count()); // each explored once, while never shown
        else
            Assert.True(established.Count > established.Distinct().Count(), "without a floor an established item is explored until it has 5 impressions");
    }

    [Fact]
    public async Task LeastShown_takes_the_least_shown_of_the_pool_below_the_list_ties_to_the_better_score()
    {
        // One slot at the last position (k 10, first position 9), chosen among the 2 best candidates below the list.
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            ExplorationEstablishedImpressions = null, // these tests pin the pipeline threshold, for every item
            MmrLambda = 1, CategoryCap = 0, ExplorationShare = 0.1f, ExplorationFirstPosition = 9,
            ExplorationPick = ExplorationPick.LeastShown, ExplorationPool = 2, ExplorationEpsilon = 0,
        }) with { ExplorationImpressions = 1000, CountServedImpressions = true });
        long user = PlantedCatalog.UserId(5);
        var first = await h.RecommendAsync(user, debug: true);
        long[] byScore = first.Trace!.Stage("ranked")!.ItemIds;
        long[] head = [.. first.Items.Take(9).Select(i => i.ItemId)];
        Assert.Equal(byScore.Take(9), head); // the head is the ranker's order
        long[] below = [.. byScore.Skip(10).Take(3)];

        // Nothing below the list was shown yet: the tie goes to the best of them.
        Assert.True(first.Items[9].Exploration);
        Assert.Equal(1f, first.Items[9].Propensity);
        Assert.Equal(below[0], first.Items[9].ItemId);

        // It is now shown once, the next one never: the next answer takes the next one.
        var second = await h.RecommendAsync(user);
        Assert.Equal(head, second.Items.Take(9).Select(i => i.ItemId));
        Assert.Equal(below[1], second.Items[9].ItemId);

        // Both shown once: a tie again, to the better score, and never the third (outside the pool of 2).
        var third = await h.RecommendAsync(user);
        Assert.Equal(below[0], third.Items[9].ItemId);
        Assert.Equal(2, h.Catalog.Impressions(h.Catalog.Items.TryGetOrdinal(below[0], out int o) ? o : -1));
    }

    [Fact]
    public async Task LeastShown_with_no_eligible_candidate_in_the_pool_leaves_the_list_as_ranked()
    {
        // Every item counts as exposed (threshold 0): no slot is taken, the answer is the ranker's top 10.
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            ExplorationEstablishedImpressions = null, // these tests pin the pipeline threshold, for every item
            MmrLambda = 1, CategoryCap = 0, ExplorationShare = 0.3f, ExplorationPick = ExplorationPick.LeastShown, ExplorationPool = 5,
        }) with { ExplorationImpressions = 0 });
        var response = await h.RecommendAsync(PlantedCatalog.UserId(5), debug: true);
        Assert.DoesNotContain(response.Items, i => i.Exploration);
        Assert.Equal(response.Trace!.Stage("ranked")!.ItemIds.Take(10), response.Items.Select(i => i.ItemId));
    }

    [Theory]
    [InlineData(8, new[] { 7 })]
    [InlineData(10, new[] { 9 })]
    [InlineData(20, new[] { 18, 19 })]
    public async Task Tail_placement_puts_the_slots_in_the_last_positions_of_any_page(int k, int[] slots)
    {
        // Share 0.1 with k a multiple of 10 (or 8 with the coin flip forced by a share of 0.125): whole slots, no draw.
        float share = k == 8 ? 0.125f : 0.1f;
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            ExplorationEstablishedImpressions = null, // these tests pin the pipeline threshold, for every item
            MmrLambda = 1, CategoryCap = 0, ExplorationShare = share, ExplorationPlacement = ExplorationPlacement.Tail,
            ExplorationPick = ExplorationPick.LeastShown, ExplorationPool = 30, ExplorationEpsilon = 0,
        }) with { ExplorationImpressions = 1000 });
        var response = await h.RecommendAsync(PlantedCatalog.UserId(5), k: k, debug: true);
        Assert.Equal(k, response.Items.Length);
        Assert.Equal(slots, Enumerable.Range(0, k).Where(p => response.Items[p].Exploration));
        // The head is the ranker's order, untouched.
        long[] byScore = response.Trace!.Stage("ranked")!.ItemIds;
        Assert.Equal(byScore.Take(k - slots.Length), response.Items.Take(k - slots.Length).Select(i => i.ItemId));
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0.25f)]
    public async Task LeastShown_with_epsilon_logs_the_propensity_of_its_draw(float epsilon)
    {
        // Pool 5, nothing exposed yet: 5 eligible below the list. The least shown is the best of them (ties to the
        // score): propensity (1 - e) + e / 5 for it, e / 5 for any other; the draws are seeded by the request id.
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            ExplorationEstablishedImpressions = null, // these tests pin the pipeline threshold, for every item
            MmrLambda = 1, CategoryCap = 0, ExplorationShare = 0.1f, ExplorationPlacement = ExplorationPlacement.Tail,
            ExplorationPick = ExplorationPick.LeastShown, ExplorationPool = 5, ExplorationEpsilon = epsilon,
        }) with { ExplorationImpressions = 1000, CountServedImpressions = false });
        int others = 0;
        for (int u = 0; u < 40; u++)
        {
            // Fixed request ids: the draws replay, so the counts below do not vary from run to run.
            var response = await h.Pipeline.RecommendAsync(new RecommendRequest
            {
                UserId = PlantedCatalog.UserId(u), K = 10, NowMs = h.NowMs, Debug = true, RequestId = $"epsilon-{u}",
            });
            var slot = response.Items[9];
            Assert.True(slot.Exploration);
            long[] byScore = response.Trace!.Stage("ranked")!.ItemIds;
            long[] below = [.. byScore.Skip(10).Take(5)]; // below the ranked page of 10, whose last item the slot replaced
            Assert.Contains(slot.ItemId, below);
            float expected = slot.ItemId == below[0] ? 1 - epsilon + epsilon / 5 : epsilon / 5;
            Assert.Equal(expected, slot.Propensity, 5);
            if (slot.ItemId != below[0])
                others++;
        }
        // A uniform draw over 5 leaves the best one 1 time in 5; epsilon 0.25, 1 time in 25: both draw others.
        Assert.InRange(others, epsilon == 1f ? 20 : 2, epsilon == 1f ? 40 : 20);
    }
}
