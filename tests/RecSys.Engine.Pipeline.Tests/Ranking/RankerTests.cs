using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Ranking;

public sealed class RankerTests
{
    /// <summary>A learned-ranker stand-in: records what it was given, and ranks by the store's popularity counter.</summary>
    private sealed class RecordingRanker : IRanker
    {
        public int Calls;
        public int LastCount;
        public float[] Popularity = [];
        public float[] Affinity = [];
        public float[] ContentSimilarity = [];
        public float[] CfScore = [];
        public int[] CollaborativeRank = [];
        public int[][] Categories = [];
        public long[] ItemIds = [];
        public UserFeatures User;
        public ContextFeatures Context;

        public string Name => "recording";

        public bool NeedsFeatures => true;

        public ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
        {
            Calls++;
            LastCount = input.Count;
            Assert.True(input.HasFeatures);
            Popularity = input.Popularity.ToArray();
            Affinity = [.. Enumerable.Range(0, input.Count).Select(i => input.CategoriesOf(i).ToArray().Select(input.Request.CategoryShare).DefaultIfEmpty(0f).Max())];
            ContentSimilarity = input.ContentSimilarity.ToArray();
            CfScore = input.CfScore.ToArray();
            ItemIds = input.Candidates.ItemIds.ToArray();
            int collaborative = input.Candidates.SourceNames.IndexOf("collaborative");
            CollaborativeRank = collaborative >= 0 ? input.Candidates.SourceRank(collaborative).ToArray() : [];
            Categories = [.. Enumerable.Range(0, input.Count).Select(i => input.CategoriesOf(i).ToArray())];
            User = input.User;
            Context = input.Context;
            input.Popularity.CopyTo(scores.Span);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task One_batched_ranker_call_gets_every_feature_group_and_decides_the_order()
    {
        var ranker = new RecordingRanker();
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0, MmrLambda = 1, CategoryCap = 0 }), ranker);
        int user = 8; // favourite category 0, segment 25-34|M|occ0... (demographics known)
        var hot = PlantedCatalog.ItemId(16); // category 0: a candidate for this user
        // Other users click "hot" a lot just now: its counters rise in the store.
        var clicks = Enumerable.Range(100, 20).Select(u => new InteractionEvent(PlantedCatalog.UserId(u), hot, EventType.Click, 1f, h.NowMs)).ToList();
        await h.Pipeline.RecordEventsAsync(clicks);

        var response = await h.RecommendAsync(PlantedCatalog.UserId(user), k: 10);
        Assert.Equal(1, ranker.Calls);
        Assert.Equal("recording", response.Ranker);
        Assert.True(ranker.LastCount > 10);
        // User and context groups.
        Assert.Equal(PlantedCatalog.UserId(user), ranker.User.UserId);
        Assert.True(ranker.User.Segment >= 0 && ranker.User.AgeBucket > 0 && ranker.User.Gender == 1);
        Assert.True(ranker.User.Interactions >= 12 && ranker.User.HasCfVector && !ranker.User.IsNewUser);
        Assert.Equal("home", ranker.Context.Surface);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(h.NowMs).Hour, ranker.Context.HourOfDay);
        // Item group: the store's counters (one batch read), categories.
        int hotAt = Array.IndexOf(ranker.ItemIds, hot);
        if (hotAt >= 0)
            Assert.True(ranker.Popularity[hotAt] >= 19f, $"counter {ranker.Popularity[hotAt]}");
        Assert.All(ranker.Categories, c => Assert.Single(c));
        // Cross group: source ranks, the user's category shares, content similarity, CF score.
        Assert.Contains(ranker.CollaborativeRank, r => r == 1);
        for (int i = 0; i < ranker.ItemIds.Length; i++)
        {
            bool favourite = PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(ranker.ItemIds[i])) == 0;
            if (favourite)
                Assert.True(ranker.Affinity[i] > 0.5f, $"affinity {ranker.Affinity[i]}");
            Assert.False(float.IsNaN(ranker.ContentSimilarity[i]));
            Assert.False(float.IsNaN(ranker.CfScore[i]));
        }
        // The ranker's order is the answer's order (no diversity or exploration here).
        var byPopularity = ranker.ItemIds.Zip(ranker.Popularity).OrderByDescending(p => p.Second).ThenBy(p => Array.IndexOf(ranker.ItemIds, p.First)).Take(10).Select(p => p.First);
        Assert.Equal(byPopularity, response.Items.Select(i => i.ItemId));
    }

    /// <summary>The same ranker as far as ranking goes, but it asks for no features: the pipeline then fills none.</summary>
    private sealed class WithoutFeatures(IRanker inner) : IRanker
    {
        public string Name => inner.Name;

        public bool NeedsFeatures => false;

        public ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
        {
            for (int i = 0; i < input.Count; i++)
                scores.Span[i] = -i;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_ranker_that_needs_features_costs_one_batch_read_of_the_item_counters_per_request_never_one_per_candidate()
    {
        // The same requests through two pipelines over the same real store, one whose ranker needs features and one whose
        // ranker does not: the sources read what they read either way, so the difference is the feature fill's reads.
        var ranker = new RecordingRanker();
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0, MmrLambda = 1, CategoryCap = 0 }), ranker);
        var store = new InstrumentedStore(h.Store);
        var config = h.Pipeline.Version.Config;
        var withFeatures = new RecommendationPipeline(store, h.Catalog, PipelineVersion.Create(config, h.Models, h.Catalog, ranker), new PipelineOptions { ParallelSources = false });
        var withoutFeatures = new RecommendationPipeline(store, h.Catalog, PipelineVersion.Create(config, h.Models, h.Catalog, new WithoutFeatures(ranker)), new PipelineOptions { ParallelSources = false });
        foreach (int user in new[] { 3, 8, 21 })
        {
            var request = new RecommendRequest { UserId = PlantedCatalog.UserId(user), K = 10, NowMs = h.NowMs };
            int before = store.CounterReads.Count;
            await withoutFeatures.RecommendAsync(request);
            var plain = store.CounterReads.Skip(before).ToArray();
            before = store.CounterReads.Count;
            int calls = ranker.Calls;
            await withFeatures.RecommendAsync(request);
            var ranked = store.CounterReads.Skip(before).ToArray();
            Assert.Equal(calls + 1, ranker.Calls);
            Assert.True(ranker.LastCount > 10, $"user {user}: {ranker.LastCount} candidates");
            Assert.True(ranked.Length == plain.Length + 1, $"user {user}: counter reads {string.Join(",", ranked)} with features, {string.Join(",", plain)} without");
            // The one extra read asked for every candidate at once.
            var extra = ranked.ToList();
            foreach (int n in plain)
                extra.Remove(n);
            Assert.Equal(ranker.LastCount, Assert.Single(extra));
        }
    }

    [Fact]
    public async Task The_learned_ranker_ranks_home_and_email_but_not_search_or_the_item_page_unless_a_surface_asks()
    {
        var ranker = new RecordingRanker();
        await using var h = await PipelineHarness.CreateAsync(ranker: ranker);
        long user = PlantedCatalog.UserId(8);
        Assert.Equal("recording", (await h.RecommendAsync(user)).Ranker);
        Assert.Equal("recording", (await h.RecommendAsync(user, surface: "email")).Ranker);
        Assert.Equal(2, ranker.Calls);

        // The served ranker is trained on home requests: the item page and search rank by fusion, and say so.
        var page = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = user, Surface = "item-page", ItemId = PlantedCatalog.ItemId(3), K = 10, NowMs = h.NowMs, Debug = true });
        var search = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = user, Surface = "search", QueryText = PlantedCatalog.Words[3], K = 10, NowMs = h.NowMs });
        Assert.Equal(("rrf", "rrf"), (page.Ranker, search.Ranker));
        Assert.Equal(2, ranker.Calls);
        Assert.NotEmpty(page.Items);
        Assert.NotEmpty(search.Items);
        // Rank calls too, and they say which ranker scored.
        long[] given = [PlantedCatalog.ItemId(1), PlantedCatalog.ItemId(2), PlantedCatalog.ItemId(3)];
        Assert.Equal("rrf", (await h.Pipeline.RankWithAsync(user, given, "item-page", h.NowMs)).Ranker);
        Assert.Equal(2, ranker.Calls);
        var home = await h.Pipeline.RankWithAsync(user, given, "home", h.NowMs);
        Assert.Equal(("recording", h.Pipeline.Version.Name), (home.Ranker, home.Version));
        Assert.Equal(3, ranker.Calls);

        // A surface can turn it on (or off) in its config.
        await using var on = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "item-page", s => s with { LearnedRanker = true }), ranker);
        var ranked2 = await on.Pipeline.RecommendAsync(new RecommendRequest { UserId = user, Surface = "item-page", ItemId = PlantedCatalog.ItemId(3), K = 10, NowMs = on.NowMs });
        Assert.Equal("recording", ranked2.Ranker);
        Assert.Equal(4, ranker.Calls);
    }

    [Fact]
    public void An_experiment_variant_naming_a_ranker_turns_it_on_for_the_surfaces_it_covers()
    {
        var config = new PipelineConfig
        {
            Surfaces =
            [
                new SurfaceConfig { Name = "home", Code = 1, Sources = [new SourceConfig("popular", 10, TimeSpan.FromSeconds(1))] },
                new SurfaceConfig { Name = "item-page", Code = 4, Sources = [new SourceConfig("popular", 10, TimeSpan.FromSeconds(1))], LearnedRanker = false },
                new SurfaceConfig { Name = "search", Code = 2, Sources = [new SourceConfig("popular", 10, TimeSpan.FromSeconds(1))], LearnedRanker = false },
            ],
        };
        var variant = new Pipeline.Experiments.VariantConfig { Name = "b", Share = 0.5, Ranker = "v2" };
        var experiment = new Pipeline.Experiments.ExperimentConfig { Name = "e", Salt = "s", Surfaces = ["home", "item-page"], Variants = [variant] };
        var applied = variant.Apply(config, experiment);
        Assert.True(applied.Surface("item-page").LearnedRanker);
        Assert.False(applied.Surface("search").LearnedRanker); // not covered
        var sourcesOnly = new Pipeline.Experiments.VariantConfig { Name = "c", Share = 0.5, MmrLambda = 0.5f };
        Assert.False(sourcesOnly.Apply(config, experiment).Surface("item-page").LearnedRanker);

        // An offline run (ranker training, eval) over the item page ranks it with the recorder, and only it.
        var offline = config.ForOfflineRun("item-page", TimeSpan.FromSeconds(10));
        Assert.True(offline.Surface("item-page").LearnedRanker);
        Assert.False(offline.Surface("search").LearnedRanker);
        Assert.All(offline.Surfaces.SelectMany(x => x.Sources), x => Assert.Equal(TimeSpan.FromSeconds(10), x.Budget));
    }

    [Fact]
    public async Task Without_a_ranker_rank_fusion_orders_items_several_sources_agree_on_first()
    {
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0, MmrLambda = 1, CategoryCap = 0 }));
        var response = await h.RecommendAsync(PlantedCatalog.UserId(4), k: 10, debug: true);
        var ranked = response.Trace!.Stage("ranked")!;
        // Scores are sums of w / (60 + rank): falling along the list, each at most sum of the weights / 61.
        for (int r = 1; r < ranked.Scores.Length; r++)
            Assert.True(ranked.Scores[r] <= ranked.Scores[r - 1]);
        float maxPossible = h.Pipeline.Version.Config.Surface("home").Sources.Sum(s => s.Weight) / 61f;
        Assert.InRange(ranked.Scores[0], 1f / 61f, maxPossible + 1e-6f);
    }
}
