using System.Globalization;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Sources;

/// <summary>
/// A short allow list is scored from the item vectors, not searched through the index (whose exact fallback tests the
/// request filter on every item it holds): the sources' lists equal the scalar reference over the listed items, and the
/// index is never asked. Each source here is an extra one over its own exact index, wrapped to count the searches.
/// </summary>
public sealed class ListedItemsRetrievalTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private const string Cf = "cf-counted";
    private const string ItemToItem = "i2i-counted";
    private const int User = 9;

    [Fact]
    public async Task The_collaborative_source_scores_an_allow_list_exactly_without_searching_the_index()
    {
        await using var rig = await Rig.CreateAsync(trained);
        var h = rig.Harness;
        var seen = h.TrainingItems(User);
        long[] unseen = [.. Enumerable.Range(0, 400).Where(i => i % 41 == 3).Select(PlantedCatalog.ItemId).Where(id => !seen.Contains(id)).Take(8)];
        long[] allow = [.. unseen, seen.First(), 999_999_999]; // a seen item is dropped, an unknown id is ignored

        var list = await rig.ListAsync(Cf, allow);

        Assert.Equal(0, rig.CfIndex.Searches);
        float[] user = rig.UserRow(User).ToArray();
        var expected = unseen.Select(id => (Id: id, Score: DotProduct.Reference(user, rig.ItemRow(id))))
            .OrderByDescending(e => e.Score).ThenBy(e => rig.Ordinal(e.Id)).ToArray();
        Assert.Equal(expected.Select(e => e.Id), list.ItemIds);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i].Score, list.Scores[i], 1e-4);

        // Without an allow list the index answers: the counter counts.
        var open = await rig.ListAsync(Cf, null);
        Assert.Equal(10, open.ItemIds.Length);
        Assert.True(rig.CfIndex.Searches > 0);
    }

    [Fact]
    public async Task Item_to_item_keeps_each_allowed_items_best_similarity_to_the_seeds_without_searching_the_index()
    {
        await using var rig = await Rig.CreateAsync(trained);
        var h = rig.Harness;
        var seen = h.TrainingItems(User);
        long[] allow = [.. Enumerable.Range(0, 400).Where(i => i % 37 == 11).Select(PlantedCatalog.ItemId).Where(id => !seen.Contains(id)).Take(7)];

        var list = await rig.ListAsync(ItemToItem, allow);

        Assert.Equal(0, rig.ItemIndex.Searches);
        // Every history item seeds (SeedItems is above the history's length): an item's score is its best dot with one.
        var expected = allow.Select(id => (Id: id, Score: seen.Max(s => DotProduct.Reference(rig.ItemRow(s), rig.ItemRow(id)))))
            .OrderByDescending(e => e.Score).ToArray();
        Assert.Equal(expected.Select(e => e.Id), list.ItemIds);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i].Score, list.Scores[i], 1e-4);
    }

    [Fact]
    public async Task A_deleted_item_on_the_allow_list_never_returns_and_an_empty_allow_list_returns_nothing()
    {
        await using var rig = await Rig.CreateAsync(trained);
        var seen = rig.Harness.TrainingItems(User);
        long[] allow = [.. Enumerable.Range(0, 400).Where(i => i % 29 == 1).Select(PlantedCatalog.ItemId).Where(id => !seen.Contains(id)).Take(5)];
        await rig.Harness.Pipeline.DeleteItemAsync(allow[2]);

        var list = await rig.ListAsync(Cf, allow);
        Assert.Equal(allow.Where(id => id != allow[2]).Order(), list.ItemIds.Order());

        // Only unknown ids: nothing may be shown, and no source finds anything.
        var response = await rig.Harness.RecommendAsync(PlantedCatalog.UserId(User), k: 10, debug: true, filters: new RequestFilters { AllowItems = [999_999_998] });
        Assert.Empty(response.Items);
        Assert.Empty(response.Trace!.Stage("source:" + Cf)!.ItemIds);
        Assert.Equal(0, rig.CfIndex.Searches);
    }

    [Fact]
    public async Task An_included_category_is_scored_from_its_members_without_searching_the_index()
    {
        await using var rig = await Rig.CreateAsync(trained);
        var seen = rig.Harness.TrainingItems(User);
        const int Category = 3;
        var filters = new RequestFilters { IncludeCategories = [PlantedCatalog.Category(Category)] };

        var list = await rig.ListAsync(Cf, null, filters);

        Assert.Equal(0, rig.CfIndex.Searches);
        float[] user = rig.UserRow(User).ToArray();
        var expected = Enumerable.Range(0, 400).Where(i => PlantedCatalog.CategoryOf(i) == Category).Select(PlantedCatalog.ItemId)
            .Where(id => !seen.Contains(id)).Select(id => (Id: id, Score: DotProduct.Reference(user, rig.ItemRow(id))))
            .OrderByDescending(e => e.Score).ThenBy(e => rig.Ordinal(e.Id)).Take(10).ToArray();
        Assert.Equal(expected.Select(e => e.Id), list.ItemIds);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i].Score, list.Scores[i], 1e-4);
        var items = await rig.ListAsync(ItemToItem, null, filters);
        Assert.Equal(0, rig.ItemIndex.Searches);
        Assert.Equal(10, items.ItemIds.Length);
        Assert.All(items.ItemIds, id => Assert.Equal(Category, PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(id))));
    }

    /// <summary>
    /// Included categories with more members than <see cref="PipelineConfig.CategoryScanMaxItems"/> go to an HNSW index
    /// with the filter inside the search (on 400 items its walk finds the member lists' exact answer); against another
    /// index (IVF-PQ's probing would miss them, a flat index scans everything) they keep the member lists.
    /// </summary>
    [Fact]
    public async Task Included_categories_past_the_scan_limit_are_searched_in_an_HNSW_index_with_the_filter_for_the_same_answer()
    {
        const int Category = 3;
        var filters = new RequestFilters { IncludeCategories = [PlantedCatalog.Category(Category)] };
        await using var scanning = await Rig.CreateAsync(trained, hnswCf: true);
        var scanned = await scanning.ListAsync(Cf, null, filters);
        Assert.Equal(0, scanning.CfIndex.Searches);
        await using var searching = await Rig.CreateAsync(trained, c => c with { CategoryScanMaxItems = 0 }, hnswCf: true);
        var searched = await searching.ListAsync(Cf, null, filters);
        Assert.True(searching.CfIndex.Searches > 0);
        Assert.Equal(10, searched.ItemIds.Length);
        Assert.Equal(scanned.ItemIds, searched.ItemIds);
        await using var flat = await Rig.CreateAsync(trained, c => c with { CategoryScanMaxItems = 0 });
        Assert.Equal(scanned.ItemIds, (await flat.ListAsync(Cf, null, filters)).ItemIds);
        Assert.Equal(0, flat.CfIndex.Searches);
    }

    /// <summary>
    /// A category under the 3% of an HNSW index below which the index would test the filter on every node is scored from
    /// its members whatever <see cref="PipelineConfig.CategoryScanMaxItems"/> says (here 0): 5 members of a 405-item index.
    /// </summary>
    [Fact]
    public async Task Included_categories_under_the_indexs_exact_share_are_scored_from_their_members_whatever_the_limit()
    {
        await using var rig = await Rig.CreateAsync(trained, c => c with { CategoryScanMaxItems = 0 }, hnswCf: true);
        for (int i = 0; i < 5; i++)
            await rig.Harness.Pipeline.UpsertItemAsync(9_100_000 + i, new ItemAttributes { Title = "a rare item", Categories = ["rare"] });
        await rig.ListAsync(Cf, null, new RequestFilters { IncludeCategories = ["rare"] });
        Assert.Equal(0, rig.CfIndex.Searches);
    }

    [Fact]
    public async Task An_item_in_two_included_categories_or_back_in_one_it_left_comes_once_and_one_that_left_does_not_come()
    {
        // Category lists only grow: an item that leaves a category stays on its list (the filter refuses it), and one that
        // comes back is on it twice. Each must still come back at most once, and only while it is in an included category.
        await using var rig = await Rig.CreateAsync(trained);
        var h = rig.Harness;
        var seen = h.TrainingItems(User);
        float[] user = rig.UserRow(User).ToArray();
        // The user's best unseen items of categories 1 and 2: sure to be in the top 10 of either.
        long Best(int category) => Enumerable.Range(0, 400).Where(i => PlantedCatalog.CategoryOf(i) == category).Select(PlantedCatalog.ItemId)
            .Where(id => !seen.Contains(id)).MaxBy(id => DotProduct.Reference(user, rig.ItemRow(id)));
        long both = Best(1), moved = Best(2);
        string c1 = PlantedCatalog.Category(1), c2 = PlantedCatalog.Category(2), c5 = PlantedCatalog.Category(5);
        await h.Pipeline.UpsertItemAsync(both, new ItemAttributes { Title = "both", Categories = [c1, c2] });
        await h.Pipeline.UpsertItemAsync(moved, new ItemAttributes { Title = "moved", Categories = [c5] });

        var twoCategories = new RequestFilters { IncludeCategories = [c1, c2] };
        var list = await rig.ListAsync(Cf, null, twoCategories);
        Assert.Equal(0, rig.CfIndex.Searches);
        Assert.Equal(1, list.ItemIds.Count(id => id == both));
        Assert.DoesNotContain(moved, list.ItemIds);
        Assert.Equal(list.ItemIds.Length, list.ItemIds.Distinct().Count());

        await h.Pipeline.UpsertItemAsync(moved, new ItemAttributes { Title = "back", Categories = [c2] });
        Assert.Equal(2, h.Catalog.CategoryMembers.Of(2).ToArray().Count(o => o == rig.Ordinal(moved)));
        list = await rig.ListAsync(Cf, null, new RequestFilters { IncludeCategories = [c2] });
        Assert.Equal(1, list.ItemIds.Count(id => id == moved));
        Assert.Equal(list.ItemIds.Length, list.ItemIds.Distinct().Count());
    }

    [Theory]
    [InlineData(false)] // left category 3 and came back: on its list twice
    [InlineData(true)]  // moved from 3 to 5, both included: on 3's list (stale, yet passing the filter through 5) and on 5's
    public async Task An_item_listed_twice_takes_one_result_slot_so_every_listed_item_fits_in_k_of_their_number(bool moved)
    {
        // k = the number of distinct listed items with a vector: every one of them must come back, once. An item listed twice
        // that fills two of the k slots pushes the last listed item out (the index, which holds it once, returns it).
        await using var rig = await Rig.CreateAsync(trained);
        var h = rig.Harness;
        var als = rig.Trained.Models.Als!;
        var rows = new AlsItemVectors(als);
        string c3 = PlantedCatalog.Category(3), c5 = PlantedCatalog.Category(5);
        Assert.True(h.Catalog.Categories.TryGetId(c3, out int cat3));
        Assert.True(h.Catalog.Categories.TryGetId(c5, out int cat5));
        long item = Enumerable.Range(0, 400).Where(i => PlantedCatalog.CategoryOf(i) == 3).Select(PlantedCatalog.ItemId)
            .First(id => !rows.Row(rig.Ordinal(id)).IsEmpty);
        await h.Pipeline.UpsertItemAsync(item, new ItemAttributes { Title = "away", Categories = [c5] });
        if (!moved)
            await h.Pipeline.UpsertItemAsync(item, new ItemAttributes { Title = "back", Categories = [c3] });
        int[] included = moved ? [cat3, cat5] : [cat3];

        var context = new RequestContext();
        var config = h.Pipeline.Version.Config;
        context.Begin(new RecommendRequest { UserId = 1 }, config, config.Surface("home"), h.Catalog, h.Models, "r", 10, h.NowMs);
        foreach (int c in included)
            context.IncludeCategory(c);
        int[] expected = [.. included.SelectMany(c => h.Catalog.CategoryMembers.Of(c).ToArray()).Distinct()
            .Where(o => h.Catalog.HasAnyCategory(o, included) && !rows.Row(o).IsEmpty).Order()];
        Assert.Contains(rig.Ordinal(item), expected);
        int k = expected.Length;
        // The query is the item's own row: the item listed twice is sure to be scored, with the best scores.
        float[] query = rows.Row(rig.Ordinal(item)).ToArray();
        var items = new int[k];
        var scores = new float[k];
        ListedItemsRetrieval.RetrieveMany(context, rows, DistanceMetric.InnerProduct, query, k, items, scores);

        Assert.Equal(expected, items.Order());
    }

    [Theory]
    [InlineData(12)]  // the allow list is the shorter list: it is scored, the category tested on each item
    [InlineData(120)] // the category's 50 members are the shorter: they are scored, the allow list tested on each
    public async Task An_allow_list_and_a_category_together_give_the_items_in_both_from_whichever_list_is_shorter(int allowed)
    {
        await using var rig = await Rig.CreateAsync(trained);
        var seen = rig.Harness.TrainingItems(User);
        const int Category = 3;
        long[] allow = [.. Enumerable.Range(0, 400).Where(i => i % (400 / allowed) == 0).Take(allowed).Select(PlantedCatalog.ItemId)];
        var filters = new RequestFilters { AllowItems = allow, IncludeCategories = [PlantedCatalog.Category(Category)] };

        var list = await rig.ListAsync(Cf, null, filters);

        Assert.Equal(0, rig.CfIndex.Searches);
        float[] user = rig.UserRow(User).ToArray();
        var expected = allow.Where(id => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(id)) == Category && !seen.Contains(id))
            .OrderByDescending(id => DotProduct.Reference(user, rig.ItemRow(id))).Take(10).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, list.ItemIds);
    }

    [Theory]
    [InlineData(DistanceMetric.InnerProduct)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.L2)]
    public async Task The_scores_and_order_equal_an_exact_index_search_with_the_same_allow_list(DistanceMetric metric)
    {
        // Random rows (some all-zero: not in the index, never returned) against the exact flat index with an allow bitset:
        // the same items in the same order with the same scores, for every metric, several queries in one call.
        await using var rig = await Rig.CreateAsync(trained);
        const int Dim = 24, Rows = 400, K = 12, Queries = 3;
        var rng = new Random(5);
        var table = new float[Rows * Dim];
        for (int i = 0; i < table.Length; i++)
            table[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int r = 0; r < Rows; r += 50)
            table.AsSpan(r * Dim, Dim).Clear();
        using var flat = new FlatIndex(Dim, metric);
        ItemVectorRows.AddTo(flat, table, Dim);
        int[] allowed = [.. Enumerable.Range(0, Rows).Where(r => r % 7 == 0 || r % 50 == 0)];
        var bits = new AllowBitset(Rows);
        foreach (int r in allowed)
            bits.Set(r);
        var queries = new float[Queries * Dim];
        for (int i = 0; i < queries.Length; i++)
            queries[i] = (float)(rng.NextDouble() * 2 - 1);

        var context = new RequestContext();
        var config = rig.Harness.Pipeline.Version.Config;
        context.Begin(new RecommendRequest { UserId = 1 }, config, config.Surface("home"), rig.Harness.Catalog, rig.Harness.Models, "r", 10, rig.Harness.NowMs);
        foreach (int r in allowed)
            context.AllowOnly(r);
        Assert.True(context.ScansListedItems(flat));
        var items = new int[Queries * K];
        var scores = new float[Queries * K];
        Assert.Equal(Queries, ListedItemsRetrieval.RetrieveMany(context, new TableRows(table, Dim), metric, queries, K, items, scores));

        var ids = new long[Queries * K];
        var distances = new float[Queries * K];
        flat.Search(queries, K, ids, distances, new SearchParameters { Filter = bits });
        Assert.Equal(ids.Select(id => (int)id), items);
        for (int i = 0; i < ids.Length; i++)
            Assert.Equal(IndexRetriever.ScoreOf(metric, distances[i]), scores[i], 1e-4);
        Assert.DoesNotContain(items, r => r % 50 == 0);
    }

    /// <summary>Rows of a row-major table by ordinal.</summary>
    private sealed class TableRows(float[] table, int dimension) : IItemVectors
    {
        public int Dimension => dimension;

        public ReadOnlySpan<float> Row(int ordinal) => table.AsSpan(ordinal * dimension, dimension);
    }

    /// <summary>The harness with the two counted sources on the home surface, over exact indexes of the ALS item factors.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private Rig(PipelineHarness harness, TrainedPlanted trained, CountingIndex cf, CountingIndex items)
        {
            Harness = harness;
            Trained = trained;
            CfIndex = cf;
            ItemIndex = items;
        }

        public PipelineHarness Harness { get; }

        public TrainedPlanted Trained { get; }

        public CountingIndex CfIndex { get; }

        public CountingIndex ItemIndex { get; }

        /// <param name="hnswCf">The collaborative source searches an HNSW index (one build thread: the same graph every run) instead of an exact one.</param>
        public static async Task<Rig> CreateAsync(TrainedPlanted trained, Func<PipelineConfig, PipelineConfig>? configure = null, bool hnswCf = false)
        {
            var als = trained.Models.Als!;
            var cf = new CountingIndex(hnswCf ? Hnsw(als) : Exact(als));
            var items = new CountingIndex(Exact(als));
            var rows = new AlsItemVectors(als);
            var harness = await PipelineHarness.CreateAsync(
                c =>
                {
                    var config = PipelineHarness.WithSurface(c, "home", s => s with
                    {
                        Sources = [.. s.Sources, new SourceConfig(Cf, 10, TimeSpan.FromSeconds(10)), new SourceConfig(ItemToItem, 10, TimeSpan.FromSeconds(10))],
                    }) with { SeedItems = 50 };
                    return configure is null ? config : configure(config);
                },
                extraSources:
                [
                    new VectorQuerySource(Cf, new IndexRetriever(cf), QueryVectorKind.UserCf, rows),
                    new ItemNeighborsSource(ItemToItem, new IndexRetriever(items), rows, fromRequestItem: false),
                ],
                planted: trained.Planted, models: trained.Models);
            return new Rig(harness, trained, cf, items);
        }

        public async Task<StageTrace> ListAsync(string source, long[]? allow, RequestFilters? filters = null)
        {
            var response = await Harness.RecommendAsync(PlantedCatalog.UserId(User), k: 10, debug: true,
                filters: allow is null ? filters : new RequestFilters { AllowItems = allow });
            Assert.Empty(response.DroppedSources);
            Assert.All(response.Items, i => Assert.True(allow is null || allow.Contains(i.ItemId)));
            return response.Trace!.Stage("source:" + source) ?? throw new Xunit.Sdk.XunitException($"no {source} stage in the trace");
        }

        public int Ordinal(long itemId) => Harness.Catalog.Items.TryGetOrdinal(itemId, out int o) ? o : throw new ArgumentException($"item {itemId} not in the catalog");

        public ReadOnlySpan<float> ItemRow(long itemId) => Trained.Models.Als!.ItemRow(Ordinal(itemId));

        public ReadOnlySpan<float> UserRow(int user)
        {
            Assert.True(Trained.Planted.Data.Events.Users.TryGetOrdinal(PlantedCatalog.UserId(user).ToString(CultureInfo.InvariantCulture), out int u));
            return Trained.Models.Als!.UserRow(u);
        }

        public async ValueTask DisposeAsync()
        {
            await Harness.DisposeAsync();
            CfIndex.Dispose();
            ItemIndex.Dispose();
        }

        private static Core.Index.Hnsw.HnswIndex Hnsw(Models.Als.ImplicitAls als)
        {
            var index = new Core.Index.Hnsw.HnswIndex(als.Factors, DistanceMetric.InnerProduct, new Core.Index.Hnsw.HnswOptions { M = 8, EfConstruction = 64, BuildThreads = 1 });
            ItemVectorRows.AddTo(index, als.ItemFactors, als.Factors);
            return index;
        }

        private static FlatIndex Exact(Models.Als.ImplicitAls als)
        {
            var index = new FlatIndex(als.Factors, DistanceMetric.InnerProduct);
            ItemVectorRows.AddTo(index, als.ItemFactors, als.Factors);
            return index;
        }
    }
}
