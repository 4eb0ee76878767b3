using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Sources;

/// <summary>The "twotower" source end to end: a two-tower model trained on the planted catalog, served by the real pipeline.</summary>
public sealed class TwoTowerSourceTests
{
    private static readonly Lazy<(PlantedCatalog Planted, TwoTowerModel Model)> Trained = new(() =>
    {
        var planted = new PlantedCatalog();
        var model = new TwoTowerModel(new TwoTowerOptions
        {
            EmbeddingDimension = 16, Hidden = [32], Dimension = 16, Temperature = 0.1f, BatchSize = 128, LearningRate = 5e-3f,
            MaxEpochs = 12, MaxHistory = 20, DemographicBuckets = 16, SegmentBuckets = 8, Seed = 3,
        }, new Models.Content.ContentOptions { HashBuckets = 256 });
        model.Fit(planted.Data);
        return (planted, model);
    });

    private static Task<PipelineHarness> CreateAsync() =>
        PipelineHarness.CreateAsync(planted: Trained.Value.Planted, twoTower: Trained.Value.Model);

    private static async Task<StageTrace> TwoTowerListAsync(PipelineHarness h, long userId, RequestFilters? filters = null)
    {
        var response = await h.RecommendAsync(userId, k: 10, debug: true, filters: filters);
        Assert.Empty(response.DroppedSources);
        return response.Trace!.Stage("source:" + SourceNames.TwoTower) ?? throw new Xunit.Sdk.XunitException("no twotower stage in the trace");
    }

    [Fact]
    public async Task The_source_is_registered_and_on_the_home_surface_when_a_two_tower_model_is_served()
    {
        await using var h = await CreateAsync();
        Assert.True(h.Pipeline.Version.Sources.ContainsKey(SourceNames.TwoTower));
        Assert.Contains(h.Pipeline.Version.Config.Surface("home").Sources, s => s.Name == SourceNames.TwoTower);
        Assert.Equal(h.Models.TwoTower!.ItemCount, h.Models.TwoTowerIndex!.Count);
        Assert.DoesNotContain(PipelineDefaults.Config(new ServingModels()).Surface("home").Sources, s => s.Name == SourceNames.TwoTower);
    }

    [Fact]
    public async Task The_source_names_a_swap_checks_before_it_attaches_are_those_the_version_builds()
    {
        // PipelineVersion.CheckSources vets a config against the names alone, before a version changes the catalog;
        // they must be exactly the sources Create builds (every standard source here: CF, content, sequence, popularity,
        // trending, two-tower, new items), and a plain version's too.
        await using var h = await CreateAsync();
        Assert.Equal(h.Pipeline.Version.Sources.Keys.Order(StringComparer.Ordinal), PipelineVersion.StandardSourceNames(h.Models, contentRows: true).Order(StringComparer.Ordinal));
        Assert.Contains(SourceNames.TwoTower, h.Pipeline.Version.Sources.Keys);
        Assert.Contains(SourceNames.Sequence, h.Pipeline.Version.Sources.Keys);
        await using var plain = await PipelineHarness.CreateAsync(models: TrainedModels.Train(Trained.Value.Planted.Data, TrainedPlanted.Settings(seed: 3) with { SequenceNeighbors = 0 }));
        Assert.Equal(plain.Pipeline.Version.Sources.Keys.Order(StringComparer.Ordinal), PipelineVersion.StandardSourceNames(plain.Models, contentRows: true).Order(StringComparer.Ordinal));
        var e = Assert.Throws<UnknownSourceException>(() => PipelineVersion.CheckSources(
            PipelineHarness.WithSurface(plain.Pipeline.Version.Config, "home", s => s with { Sources = [.. s.Sources, new SourceConfig(SourceNames.Sequence, 5, TimeSpan.FromSeconds(1))] }),
            plain.Models, plain.Catalog));
        Assert.Equal((("home", SourceNames.Sequence)), (e.Surface, e.SourceName));
    }

    [Fact]
    public async Task A_known_user_gets_candidates_of_their_taste_and_none_they_have_seen()
    {
        await using var h = await CreateAsync();
        const int User = 10;
        var list = await TwoTowerListAsync(h, PlantedCatalog.UserId(User));
        Assert.Equal(100, list.ItemIds.Length);
        var seen = h.TrainingItems(User);
        Assert.DoesNotContain(list.ItemIds, seen.Contains);
        int favourite = list.ItemIds.Take(20).Count(id => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(id)) == PlantedCatalog.Favourite(User));
        Assert.True(favourite >= 10, $"{favourite} of the first 20 in the favourite category");
        Assert.True(list.Scores.Zip(list.Scores.Skip(1)).All(p => p.First >= p.Second), "best first");
    }

    [Fact]
    public async Task The_candidates_are_the_items_of_highest_tower_score_as_an_exact_scan_finds_them()
    {
        await using var h = await CreateAsync();
        TwoTowerModel model = h.Models.TwoTower!;
        var events = h.Planted.Data.Events;
        var exact = new float[model.ItemCount];
        double recall = 0;
        const int Users = 8;
        for (int user = 0; user < Users; user++)
        {
            var list = await TwoTowerListAsync(h, PlantedCatalog.UserId(user));
            Assert.Equal(100, list.ItemIds.Length);
            // The oracle: the training-time user vector (so serving must rebuild the same one) against every unseen item.
            Assert.True(events.Users.TryGetOrdinal(PlantedCatalog.UserId(user).ToString(System.Globalization.CultureInfo.InvariantCulture), out int u));
            model.Score(u, exact);
            var seen = h.TrainingItems(user);
            long ItemId(int i) => long.Parse(events.Items[i], System.Globalization.CultureInfo.InvariantCulture);
            var byId = Enumerable.Range(0, model.ItemCount).ToDictionary(ItemId, i => exact[i]);
            var best = byId.Where(p => !seen.Contains(p.Key)).OrderByDescending(p => p.Value).Take(100).Select(p => p.Key).ToHashSet();
            recall += list.ItemIds.Count(best.Contains) / 100.0;
            // The score the source reports is the item's tower score (the cosine of two unit vectors).
            for (int r = 0; r < list.ItemIds.Length; r++)
                Assert.True(Math.Abs(byId[list.ItemIds[r]] - list.Scores[r]) <= 1e-4f, $"user {user} item {list.ItemIds[r]}: source {list.Scores[r]}, exact {byId[list.ItemIds[r]]}");
        }
        recall /= Users;
        Assert.True(recall >= 0.95, $"recall@100 against the exact scan {recall:F3}");
    }

    [Fact]
    public async Task Listed_items_are_scored_from_the_item_vectors_a_live_added_one_included_without_searching_the_index()
    {
        // A short allow list is scored from the vectors the index holds (trained ones, and the item tower's vector of an
        // item added live, which only the index and TwoTowerItemVectors have): the tower scores, and no index search.
        await using var h = await CreateAsync();
        TwoTowerModel model = h.Models.TwoTower!;
        const long NewItem = 77_002;
        var attributes = new ItemAttributes { Title = "new " + PlantedCatalog.Words[2] + " quiet sea", Categories = [PlantedCatalog.Category(2)] };
        await h.Pipeline.UpsertItemAsync(NewItem, attributes);
        var counted = new CountingIndex(h.Models.TwoTowerIndex!); // not disposed: the harness owns the index
        const string Counted = "twotower-counted";
        var config = PipelineHarness.WithSurface(h.Pipeline.Version.Config, "home", s => s with
        {
            Sources = [.. s.Sources, new SourceConfig(Counted, 10, TimeSpan.FromSeconds(10))],
        });
        h.Pipeline.Activate(PipelineVersion.Create(config, h.Models, h.Catalog, extraSources:
            [new TwoTowerSource(model, h.Models.UserTower ?? model.UserEncoder, new IndexRetriever(counted), h.Models.TwoTowerRows, Counted)]));

        const int User = 5;
        var seen = h.TrainingItems(User);
        long[] trained = [.. Enumerable.Range(0, 400).Where(i => i % 43 == 7).Select(PlantedCatalog.ItemId).Where(id => !seen.Contains(id)).Take(5)];
        var response = await h.RecommendAsync(PlantedCatalog.UserId(User), k: 10, debug: true, filters: new RequestFilters { AllowItems = [.. trained, NewItem] });
        Assert.Empty(response.DroppedSources);
        var list = response.Trace!.Stage("source:" + Counted)!;
        Assert.Equal(0, counted.Searches);
        Assert.Equal([.. trained, NewItem], list.ItemIds.Order());

        // The oracle: the training-time user vector against each item's vector (the new one from the item tower).
        Assert.True(h.Planted.Data.Events.Users.TryGetOrdinal(PlantedCatalog.UserId(User).ToString(System.Globalization.CultureInfo.InvariantCulture), out int u));
        var exact = new float[model.ItemCount];
        model.Score(u, exact);
        var added = new float[model.Dimension];
        model.EncodeItem(-1, attributes.Title, attributes.Categories, attributes.Tags, null, added);
        for (int r = 0; r < list.ItemIds.Length; r++)
        {
            long id = list.ItemIds[r];
            double expected = id == NewItem
                ? Core.Vectors.Kernels.CosineSimilarity.Reference(model.UserVector(u), added)
                : exact[h.Catalog.Items.TryGetOrdinal(id, out int o) ? o : -1];
            Assert.True(Math.Abs(expected - list.Scores[r]) <= 1e-4, $"item {id}: source {list.Scores[r]}, exact {expected}");
        }
        Assert.True(list.Scores.Zip(list.Scores.Skip(1)).All(p => p.First >= p.Second), "best first");
    }

    [Fact]
    public async Task A_trained_item_edited_deleted_and_added_again_is_scored_with_the_vector_its_last_upsert_gave_it()
    {
        // The rows a listed item is scored from follow every write of the two-tower index: an edit in place, and a
        // delete followed by a re-add with other attributes. Each time the item scores as the item tower's vector of its
        // last attributes (the tower oracle), not its trained vector nor the edit before.
        await using var h = await CreateAsync();
        TwoTowerModel model = h.Models.TwoTower!;
        const int User = 6;
        var seen = h.TrainingItems(User);
        long item = Enumerable.Range(0, 400).Select(PlantedCatalog.ItemId).First(id => !seen.Contains(id) && PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(id)) == 4);
        Assert.True(h.Catalog.Items.TryGetOrdinal(item, out int ordinal));
        Assert.True(ordinal < model.ItemCount, "a trained item");
        Assert.True(h.Planted.Data.Events.Users.TryGetOrdinal(PlantedCatalog.UserId(User).ToString(System.Globalization.CultureInfo.InvariantCulture), out int u));

        async Task ScoresAsAsync(ItemAttributes attributes)
        {
            var list = await TwoTowerListAsync(h, PlantedCatalog.UserId(User), new RequestFilters { AllowItems = [item] });
            var vector = new float[model.Dimension];
            model.EncodeItem(ordinal, attributes.Title, attributes.Categories, attributes.Tags, null, vector);
            double expected = Core.Vectors.Kernels.CosineSimilarity.Reference(model.UserVector(u), vector);
            Assert.Equal([item], list.ItemIds);
            Assert.True(Math.Abs(expected - list.Scores[0]) <= 1e-4, $"{attributes.Title}: source {list.Scores[0]}, tower {expected}");
        }

        var edited = new ItemAttributes { Title = "edited " + PlantedCatalog.Words[1], Categories = [PlantedCatalog.Category(1)], Tags = ["edited"] };
        await h.Pipeline.UpsertItemAsync(item, edited);
        await ScoresAsAsync(edited);

        await h.Pipeline.DeleteItemAsync(item);
        Assert.Empty((await TwoTowerListAsync(h, PlantedCatalog.UserId(User), new RequestFilters { AllowItems = [item] })).ItemIds);
        var again = new ItemAttributes { Title = "again " + PlantedCatalog.Words[6], Categories = [PlantedCatalog.Category(6)], Tags = ["again"] };
        await h.Pipeline.UpsertItemAsync(item, again);
        await ScoresAsAsync(again);
    }

    [Fact]
    public async Task A_new_user_with_only_a_profile_gets_candidates()
    {
        await using var h = await CreateAsync();
        const long NewUser = 900_001;
        await h.Pipeline.UpsertUserAsync(NewUser, new UserAttributes { Age = PlantedCatalog.SegmentAge, Gender = PlantedCatalog.SegmentGender, Occupation = PlantedCatalog.SegmentOccupation });
        var list = await TwoTowerListAsync(h, NewUser);
        Assert.Equal(100, list.ItemIds.Length);
        // No profile at all answers too (the towers' "nothing known" vector); a profile changes the answer.
        var anonymous = await TwoTowerListAsync(h, 900_002);
        Assert.Equal(100, anonymous.ItemIds.Length);
        Assert.NotEqual(list.ItemIds, anonymous.ItemIds);
    }

    [Fact]
    public async Task A_new_item_is_retrievable_at_once_after_upsert_and_gone_after_delete()
    {
        await using var h = await CreateAsync();
        const long NewItem = 77_001;
        var attributes = new ItemAttributes { Title = "new " + PlantedCatalog.Words[3] + " dark city", Categories = [PlantedCatalog.Category(3)] };
        await h.Pipeline.UpsertItemAsync(NewItem, attributes);
        Assert.True(h.Catalog.Items.TryGetOrdinal(NewItem, out int ordinal));
        Assert.True(ordinal >= h.Models.TwoTower!.ItemCount, "an ordinal past the trained items: no id embedding");

        // Its item-tower vector (content + metadata) is in the index: the vector's own nearest neighbour.
        var vector = new float[h.Models.TwoTower.Dimension];
        h.Models.TwoTower.EncodeItem(-1, attributes.Title, attributes.Categories, attributes.Tags, null, vector);
        var items = new int[3];
        new IndexRetriever(h.Models.TwoTowerIndex!).Retrieve(vector, items, new float[3]);
        Assert.Equal(ordinal, items[0]);

        // The source retrieves it for a user (the request allows only it, so the index search must find it).
        var allowOnly = new RequestFilters { AllowItems = [NewItem] };
        var list = await TwoTowerListAsync(h, PlantedCatalog.UserId(3), allowOnly);
        Assert.Equal([NewItem], list.ItemIds);

        await h.Pipeline.DeleteItemAsync(NewItem);
        Assert.Empty((await TwoTowerListAsync(h, PlantedCatalog.UserId(3), allowOnly)).ItemIds);
        new IndexRetriever(h.Models.TwoTowerIndex!).Retrieve(vector, items, new float[3]);
        Assert.DoesNotContain(ordinal, items);
    }

    [Fact]
    public async Task The_source_allocates_nothing_per_request_once_warm()
    {
        await using var h = await PipelineHarness.CreateAsync(planted: Trained.Value.Planted, twoTower: Trained.Value.Model, parallelSources: false);
        var requests = Enumerable.Range(0, 10).Select(u => new RecommendRequest { UserId = PlantedCatalog.UserId(u), K = 10, NowMs = h.NowMs, RequestId = "r" + u }).ToArray();
        long BytesPerBatch(params string[] sources)
        {
            var config = PipelineHarness.WithSurface(h.Pipeline.Version.Config, "home",
                s => s with { Sources = [.. sources.Select(n => new SourceConfig(n, 100, TimeSpan.FromSeconds(10)))] });
            h.Pipeline.Activate(h.Pipeline.Version.With(config, h.Catalog));
            return AllocationProbe.FewestBytesPerBatch(() =>
            {
                foreach (var r in requests)
                    h.Pipeline.RecommendAsync(r).AsTask().GetAwaiter().GetResult();
            });
        }
        // The same request with and without the two-tower source beside another one: the difference is what it allocates.
        long without = BytesPerBatch(SourceNames.Popular);
        long with = BytesPerBatch(SourceNames.Popular, SourceNames.TwoTower);
        Assert.True(with - without <= 256, $"{without} B per batch of 10 requests without the source, {with} B with it");
    }

    [Fact]
    public void A_user_tower_of_another_shape_is_refused_when_the_models_are_made()
    {
        var model = Trained.Value.Model;
        var models = new ServingModels { TwoTower = model, UserTower = model.ItemEncoder };
        var e = Assert.Throws<ArgumentException>(models.Validate);
        Assert.Equal(nameof(ServingModels.UserTower), e.ParamName);
    }
}
