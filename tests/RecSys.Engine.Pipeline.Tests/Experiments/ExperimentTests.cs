using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Experiments;

public sealed class ExperimentTests
{
    private const string Salt = "home-2025";

    /// <summary>Home: half the users as configured, half with one item per category and no exploration.</summary>
    private static ExperimentConfig Capped(double share = 0.5) => new()
    {
        Name = "diversity",
        Salt = Salt,
        Surfaces = ["home"],
        Variants = [new() { Name = "control", Share = 1 - share }, new() { Name = "capped", Share = share, CategoryCap = 1, ExplorationShare = 0 }],
    };

    private static string VariantOf(long userId, ExperimentConfig experiment) =>
        experiment.Variants[ExperimentBucketing.Choose(ExperimentBucketing.Position(userId, experiment.Salt), ExperimentBucketing.Cumulative(experiment.Variants))].Name;

    private static int DistinctCategories(RecommendResponse response, int top) =>
        response.Items.Take(top).Select(i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId))).Distinct().Count();

    [Fact]
    public async Task Each_user_gets_their_variant_with_its_overrides()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var experiment = Capped();
        await h.Pipeline.SetExperimentsAsync([experiment]);
        int capped = 0, controlRepeats = 0;
        for (int u = 0; u < 60; u++)
        {
            long user = PlantedCatalog.UserId(u);
            var response = await h.RecommendAsync(user);
            Assert.Equal("diversity", response.Experiment);
            Assert.Equal(VariantOf(user, experiment), response.Variant);
            if (response.Variant == "capped")
            {
                capped++;
                Assert.Equal(8, DistinctCategories(response, 8)); // one per category until every category is used
                Assert.DoesNotContain(response.Items, i => i.Exploration);
            }
            else if (DistinctCategories(response, 8) < 8)
            {
                controlRepeats++;
            }
        }
        Assert.InRange(capped, 15, 45);
        Assert.True(controlRepeats > 0, "the control keeps the surface's own cap (3 per category): some answers repeat a category");
        // A surface the experiment does not cover is outside it.
        var page = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = 1, Surface = "item-page", ItemId = PlantedCatalog.ItemId(3), NowMs = h.NowMs });
        Assert.Null(page.Variant);
        Assert.Null(page.Experiment);
        // The batch routes every user too.
        var users = Enumerable.Range(0, 20).Select(u => PlantedCatalog.UserId(u)).ToArray();
        var batch = await h.Pipeline.RecommendBatchAsync(users, "home", nowMs: h.NowMs);
        Assert.Equal(users.Select(u => VariantOf(u, experiment)), batch.Select(r => r.Variant));

        var counters = h.Pipeline.ExperimentCounters;
        Assert.Equal(["control", "capped"], counters.Select(c => c.Variant));
        Assert.Equal(80, counters.Sum(c => c.Requests));
        Assert.Equal(capped + batch.Count(r => r.Variant == "capped"), counters[1].Requests);

        await h.Pipeline.SetExperimentsAsync([]);
        Assert.Null((await h.RecommendAsync(PlantedCatalog.UserId(1))).Variant);
        Assert.Empty(h.Pipeline.ExperimentCounters);
    }

    [Fact]
    public async Task Clicks_carrying_a_request_id_count_toward_the_variant_that_showed_the_item()
    {
        await using var h = await PipelineHarness.CreateAsync();
        await h.Pipeline.SetExperimentsAsync([Capped()]);
        var expected = new Dictionary<string, (long Requests, long Impressions, long Clicks)> { ["control"] = default, ["capped"] = default };
        var events = new List<InteractionEvent>();
        for (int u = 0; u < 100; u++)
        {
            long user = PlantedCatalog.UserId(u);
            var response = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = user, RequestId = $"req-{u}", NowMs = h.NowMs });
            var (requests, impressions, clicks) = expected[response.Variant!];
            bool click = u % 2 == 0;
            expected[response.Variant!] = (requests + 1, impressions + response.Items.Length, clicks + (click ? 3 : 0));
            if (!click)
                continue;
            long first = response.Items[0].ItemId, second = response.Items[1].ItemId;
            events.Add(new InteractionEvent(user, first, EventType.Click, 1, h.NowMs, response.RequestId));
            events.Add(new InteractionEvent(user, second, EventType.Click, 1, h.NowMs, response.RequestId));
            // A purchase of a shown item counts as its click.
            events.Add(new InteractionEvent(user, response.Items[3].ItemId, EventType.Purchase, 1, h.NowMs, response.RequestId));
            // None of these count: the same click again, a purchase of an item already clicked, a view, an item not shown,
            // another user's request, an unknown request, no request id.
            events.Add(new InteractionEvent(user, first, EventType.Click, 1, h.NowMs, response.RequestId));
            events.Add(new InteractionEvent(user, first, EventType.Purchase, 1, h.NowMs, response.RequestId));
            events.Add(new InteractionEvent(user, response.Items[2].ItemId, EventType.View, 1, h.NowMs, response.RequestId));
            long notShown = Enumerable.Range(0, h.Planted.Items).Select(i => PlantedCatalog.ItemId(i)).First(i => response.Items.All(x => x.ItemId != i));
            events.Add(new InteractionEvent(user, notShown, EventType.Click, 1, h.NowMs, response.RequestId));
            events.Add(new InteractionEvent(user + 1, first, EventType.Click, 1, h.NowMs, response.RequestId));
            events.Add(new InteractionEvent(user, first, EventType.Click, 1, h.NowMs, "no-such-request"));
            events.Add(new InteractionEvent(user, first, EventType.Click, 1, h.NowMs));
        }
        for (int i = 0; i < events.Count; i += 50)
            await h.Pipeline.RecordEventsAsync(events.Skip(i).Take(50).ToList());

        foreach (var counters in h.Pipeline.ExperimentCounters)
        {
            var (requests, impressions, clicks) = expected[counters.Variant];
            Assert.Equal("diversity", counters.Experiment);
            Assert.Equal(requests, counters.Requests);
            Assert.Equal(impressions, counters.Impressions);
            Assert.Equal(clicks, counters.Clicks);
            Assert.Equal((double)clicks / impressions, counters.ClickThroughRate, 12);
            Assert.True(counters.Clicks > 0);
        }
        // Every event was recorded; three per clicking user were credited, three carried a request id that credits nobody.
        Assert.Equal(events.Count, h.Pipeline.Stats.Events);
        Assert.Equal(150, h.Pipeline.Stats.AttributedClicks);
        Assert.Equal(150, h.Pipeline.Stats.UnattributedClicks);
    }

    [Fact]
    public async Task A_click_on_a_response_older_than_the_attribution_window_is_recorded_but_not_attributed()
    {
        await using var h = await PipelineHarness.CreateAsync(options: new Pipeline.Serving.PipelineOptions { AttributionCapacity = 4 });
        await h.Pipeline.SetExperimentsAsync([Capped()]);
        Assert.Equal(4, h.Pipeline.AttributionWindow);
        var responses = new List<RecommendResponse>();
        for (int u = 0; u < 10; u++)
            responses.Add(await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = PlantedCatalog.UserId(u), RequestId = $"req-{u}", NowMs = h.NowMs }));
        // The window is a fixed ring: ten responses served, the last four remembered.
        Assert.Equal(4, h.Pipeline.AttributionWindowUsed);

        var old = responses[0];
        long oldUser = PlantedCatalog.UserId(0), oldItem = old.Items[0].ItemId;
        await h.Pipeline.RecordEventsAsync([new InteractionEvent(oldUser, oldItem, EventType.Click, 1, h.NowMs, old.RequestId)]);
        Assert.Equal(0, h.Pipeline.ExperimentCounters.Sum(c => c.Clicks));
        Assert.Equal((0L, 1L), (h.Pipeline.Stats.AttributedClicks, h.Pipeline.Stats.UnattributedClicks));
        // Recorded all the same: it is the user's newest history entry.
        Assert.Equal(oldItem, (await h.Store.GetRecentHistoryAsync(oldUser, 1))[0].ItemId);

        var recent = responses[9];
        await h.Pipeline.RecordEventsAsync([new InteractionEvent(PlantedCatalog.UserId(9), recent.Items[0].ItemId, EventType.Click, 1, h.NowMs, recent.RequestId)]);
        Assert.Equal(1, h.Pipeline.ExperimentCounters.Single(c => c.Variant == recent.Variant).Clicks);
        Assert.Equal((1L, 1L), (h.Pipeline.Stats.AttributedClicks, h.Pipeline.Stats.UnattributedClicks));
    }

    [Fact]
    public async Task Variants_follow_the_active_version()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var experiment = Capped(share: 1 - 1e-9); // all but a few in a billion: every test user is capped
        await h.Pipeline.SetExperimentsAsync([experiment]);
        Assert.Equal("default/models", (await h.RecommendAsync(PlantedCatalog.UserId(2))).Version);
        var next = h.Pipeline.Version.With(h.Pipeline.Version.Config with { Version = "cfg2" }, h.Catalog);
        h.Pipeline.Activate(next);
        var response = await h.RecommendAsync(PlantedCatalog.UserId(2));
        Assert.Equal(("cfg2/models", "capped"), (response.Version, response.Variant));
        Assert.Equal(8, DistinctCategories(response, 8));
    }

    [Fact]
    public async Task Bad_experiments_are_refused_naming_what_is_wrong_and_the_running_ones_stay()
    {
        await using var h = await PipelineHarness.CreateAsync();
        await h.Pipeline.SetExperimentsAsync([Capped()]);
        async Task<ArgumentException> Refused(params ExperimentConfig[] experiments) =>
            await Assert.ThrowsAnyAsync<ArgumentException>(() => h.Pipeline.SetExperimentsAsync(experiments));

        var e = await Refused(Capped() with { Variants = [new() { Name = "a", Share = 0.5 }, new() { Name = "b", Share = 0.4 }] });
        Assert.Contains("experiment 'diversity': the variants' shares add up to 0.9", e.Message);
        e = await Refused(Capped(), Capped() with { Name = "second", Surfaces = [] });
        Assert.Contains("both run on surface 'home'", e.Message);
        e = await Refused(Capped() with { Surfaces = ["nowhere"] });
        Assert.Contains("unknown surface 'nowhere'", e.Message);
        e = await Refused(Capped() with { Variants = [new() { Name = "a", Share = 0.5 }, new() { Name = "b", Share = 0.5, Sources = [new SourceConfig("no-such-source", 10, TimeSpan.FromSeconds(1))] }] });
        Assert.Contains("experiment 'diversity', variant 'b'", e.Message);
        Assert.Contains("no-such-source", e.Message);
        e = await Refused(Capped() with { Variants = [new() { Name = "a", Share = 0.5 }, new() { Name = "b", Share = 0.5, MmrLambda = 2 }] });
        Assert.Equal("MmrLambda", e.ParamName);
        Assert.Contains("variant 'b'", e.Message);
        e = await Refused(Capped() with { Variants = [new() { Name = "a", Share = 0.5 }, new() { Name = "b", Share = 0.5, ExplorationEstablishedImpressions = -1 }] });
        Assert.Equal("ExplorationEstablishedImpressions", e.ParamName);
        Assert.Contains("variant 'b'", e.Message);
        e = await Refused(Capped() with { Variants = [new() { Name = "a", Share = 0.5 }, new() { Name = "b", Share = 0.5, Version = "v9" }] });
        Assert.Contains("no version source", e.Message);
        e = await Refused(Capped() with { Variants = [new() { Name = "a", Share = 0.5 }, new() { Name = "a", Share = 0.5 }] });
        Assert.Contains("variant 'a' defined twice", e.Message);

        Assert.Equal("diversity", Assert.Single(h.Pipeline.Experiments).Name);
        Assert.Equal("diversity", (await h.RecommendAsync(PlantedCatalog.UserId(1))).Experiment);
    }

    [Fact]
    public async Task A_variant_can_switch_the_sources_and_the_ranker()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var popularOnly = new ExperimentConfig
        {
            Name = "sources",
            Salt = "s",
            Variants = [new() { Name = "popular", Share = 1, Sources = [new SourceConfig(SourceNames.Popular, 50, TimeSpan.FromSeconds(10))], Ranker = VariantConfig.FallbackRanker }],
        };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => h.Pipeline.SetExperimentsAsync([popularOnly]));
        Assert.Contains("at least two variants", e.Message);
        popularOnly = popularOnly with { Variants = [popularOnly.Variants[0] with { Share = 1 - 1e-9 }, new() { Name = "rest", Share = 1e-9 }] };
        await h.Pipeline.SetExperimentsAsync([popularOnly]);
        var response = await h.RecommendAsync(PlantedCatalog.UserId(4));
        Assert.Equal("popular", response.Variant);
        Assert.Equal("rrf", response.Ranker);
        Assert.All(response.Items, i => Assert.Equal(SourceNames.Popular, i.Source));
    }
}
