using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Registry;

public sealed class EmbeddingImportTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private const int Dim = 8;

    /// <summary>An item's planted embedding: its category's axis, plus a little noise of its own.</summary>
    private static float[] Embedding(int item)
    {
        var rng = new SplitMix64((ulong)item + 11);
        var v = new float[Dim];
        for (int d = 0; d < Dim; d++)
            v[d] = (float)((rng.Next() >> 11) * (1.0 / (1UL << 53))) * 0.1f;
        v[PlantedCatalog.CategoryOf(item)] += 1f;
        return v;
    }

    /// <summary>The default config, plus an "embedding-page" surface over the "tower" set when the models have it.</summary>
    private static PipelineConfig WithEmbeddingPage(ServingModels models)
    {
        var config = PipelineDefaults.Config(models);
        if (!models.Embeddings.ContainsKey("tower"))
            return config;
        return config with
        {
            Surfaces = [.. config.Surfaces, new SurfaceConfig
            {
                Name = "embedding-page", Code = 9, FilterSeen = false,
                Sources = [new SourceConfig(SourceNames.SimilarByEmbedding("tower"), 50, PipelineDefaults.SourceBudget)],
            }],
        };
    }

    [Fact]
    public async Task Bulk_loaded_embeddings_become_a_version_that_serves_them()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync(options: RegistryRig.Options(config: WithEmbeddingPage));
        var progress = new List<EmbeddingImportProgress>();
        const long newItem = 777_777;
        RegistryVersion version;
        using (var import = EmbeddingImport.Begin(state.Registry, "v1", new EmbeddingImportOptions
        {
            Name = "tower", Dimension = Dim, Index = "HNSW8,efc64", VersionId = "v1-tower", ProgressInterval = 100,
            Build = new Core.Index.Factory.IndexBuildSettings { Threads = 1 },
            Progress = new SynchronousProgress<EmbeddingImportProgress>(progress.Add),
        }))
        {
            // In chunks, as the server's stream and the CLI's reader give them.
            for (int start = 0; start < rig.Planted.Items; start += 64)
            {
                int n = Math.Min(64, rig.Planted.Items - start);
                var ids = Enumerable.Range(start, n).Select(i => PlantedCatalog.ItemId(i)).ToArray();
                var vectors = Enumerable.Range(start, n).SelectMany(Embedding).ToArray();
                Assert.Equal(n, import.AddChunk(ids, vectors));
            }
            // Bad rows are refused, each naming its row and field; the import goes on.
            var nan = Embedding(3);
            nan[5] = float.NaN;
            var e = Assert.Throws<EmbeddingRowException>(() => import.AddRow(newItem, nan));
            Assert.Equal((rig.Planted.Items + 1, "vector[5]"), (e.Row, e.Field));
            e = Assert.Throws<EmbeddingRowException>(() => import.AddRow(newItem, new float[Dim - 1]));
            Assert.Equal((rig.Planted.Items + 2, "vector"), (e.Row, e.Field));
            e = Assert.Throws<EmbeddingRowException>(() => import.AddRow(PlantedCatalog.ItemId(7), Embedding(7)));
            Assert.Equal("id", e.Field);
            Assert.Contains("at row 8", e.Message);
            Assert.Throws<EmbeddingRowException>(() => import.AddRow(newItem, new float[Dim]));
            Assert.Throws<ArgumentException>(() => import.AddChunk([1000, 1001], new float[Dim]));
            // An id the base version does not know becomes a new item of the new version.
            Assert.True(import.AddRow(newItem, Embedding(2)));
            Assert.Equal(1, import.NewItems);
            Assert.Equal(rig.Planted.Items + 1, import.RowsAccepted);
            version = import.Complete();
        }
        Assert.Equal("v1", version.Manifest.Parent);
        Assert.Equal(rig.Planted.Items + 1, version.Manifest.Items);
        var entry = Assert.Single(version.Manifest.Embeddings);
        Assert.Equal(("tower", Dim, DistanceMetric.Cosine, rig.Planted.Items + 1L, "HNSW8,efc64"), (entry.Name, entry.Dimension, entry.Metric, entry.Count, entry.Index.Spec));
        Assert.Contains(progress, p => p.Stage == "rows" && p.Done == 400);
        Assert.Contains(progress, p => p.Stage == "index" && p.Done == p.Total && p.Total == rig.Planted.Items + 1);
        Assert.Contains(progress, p => p.Stage == "copy");
        Assert.Equal(["v1", "v1-tower"], state.Registry.List().Select(v => v.Id));

        await state.ActivateAsync("v1-tower");
        var models = state.Pipeline.Version.Models;
        var tower = models.Embeddings["tower"];
        // Searching the loaded index: the item's own row first, then its category.
        Assert.True(state.Catalog.Items.TryGetOrdinal(PlantedCatalog.ItemId(42), out int ordinal));
        var ids42 = new long[5];
        tower.Index.Search(tower.Row(ordinal), 5, ids42, new float[5]);
        Assert.Equal(ordinal, ids42[0]);
        // The new item joined the serving catalog with the ordinal the version gave it (its embedding is of category 2, as item 42's).
        Assert.True(state.Catalog.Items.TryGetOrdinal(newItem, out int added));
        Assert.Equal(rig.Planted.Items, added);
        Assert.All(ids42.Where(id => id != added), id => Assert.Equal(PlantedCatalog.CategoryOf(42), PlantedCatalog.CategoryOf((int)id)));
        // And the item page over the embeddings answers with the item's category.
        var response = await state.Pipeline.RecommendAsync(rig.Request(1, "embedding-page") with { ItemId = PlantedCatalog.ItemId(42) });
        Assert.Equal("default/v1-tower", response.Version);
        Assert.Equal(10, response.Items.Length);
        Assert.All(response.Items.Where(i => i.ItemId != newItem), i => Assert.Equal(PlantedCatalog.CategoryOf(42), PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId))));
        Assert.All(response.Items, i => Assert.Equal("embedding:tower", i.Source));
        // The ALS model is the base's, copied: stored fold-in vectors keep their meaning.
        Assert.Equal(state.Registry.Get("v1").Manifest.CfVectorTag, version.Manifest.CfVectorTag);
    }

    [Fact]
    public async Task A_deleted_item_upserted_again_comes_back_into_the_bulk_loaded_embedding_index()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync(options: RegistryRig.Options(config: WithEmbeddingPage));
        using (var import = EmbeddingImport.Begin(state.Registry, "v1", new EmbeddingImportOptions
        {
            Name = "tower", Dimension = Dim, Index = "HNSW8,efc64", VersionId = "v1-tower", Build = new Core.Index.Factory.IndexBuildSettings { Threads = 1 },
        }))
        {
            for (int i = 0; i < rig.Planted.Items; i++)
                import.AddRow(PlantedCatalog.ItemId(i), Embedding(i));
            import.Complete();
        }
        await state.ActivateAsync("v1-tower");
        var tower = state.Pipeline.Version.Models.Embeddings["tower"];
        long itemId = PlantedCatalog.ItemId(42);
        Assert.True(state.Catalog.Items.TryGetOrdinal(itemId, out int ordinal));
        long Nearest()
        {
            var ids = new long[1];
            tower.Index.Search(Embedding(42), 1, ids, new float[1]);
            return ids[0];
        }
        Assert.Equal(ordinal, Nearest());
        long count = tower.Index.Count;

        await state.Pipeline.DeleteItemAsync(itemId);
        Assert.NotEqual(ordinal, Nearest());
        Assert.Equal(count - 1, tower.Index.Count);

        await state.Pipeline.UpsertItemAsync(itemId, new ItemAttributes { Title = "back again", Categories = [PlantedCatalog.Category(PlantedCatalog.CategoryOf(42))] });
        Assert.Equal(ordinal, Nearest());
        Assert.Equal(count, tower.Index.Count);
        var page = await state.Pipeline.RecommendAsync(rig.Request(1, "embedding-page") with { ItemId = PlantedCatalog.ItemId(50) });
        Assert.Contains(page.Items, i => i.ItemId == itemId); // item 50 is of item 42's category: its neighbour again
    }

    [Fact]
    public async Task A_swap_the_serving_config_does_not_fit_is_refused_before_it_changes_the_live_catalog()
    {
        // The serving config lists the sequence source on home. v1 (served) has it; v0-tower, imported over a v0 trained
        // without it, does not, and brings a new item. Refused, the swap must leave the catalog as it was: the new item
        // is not added (before the check came first, the attach had added it by the time the config was refused).
        using var rig = new RegistryRig(trained);
        static PipelineConfig WithSequence(ServingModels models) => PipelineHarness.WithSurface(PipelineDefaults.Config(models), "home",
            s => s with { Sources = [.. s.Sources, new SourceConfig(SourceNames.Sequence, 20, TimeSpan.FromSeconds(1))] });
        await using var state = await rig.CreateAsync(options: RegistryRig.Options(config: WithSequence));
        rig.AddVersion("v0", trained.Models with { Sequence = null });
        const long newItem = 888_888;
        using (var import = EmbeddingImport.Begin(state.Registry, "v0", new EmbeddingImportOptions
        {
            Name = "tower", Dimension = Dim, Index = "HNSW8,efc64", VersionId = "v0-tower", Build = new Core.Index.Factory.IndexBuildSettings { Threads = 1 },
        }))
        {
            for (int i = 0; i < rig.Planted.Items; i++)
                import.AddRow(PlantedCatalog.ItemId(i), Embedding(i));
            Assert.True(import.AddRow(newItem, Embedding(3)));
            import.Complete();
        }
        int length = state.Catalog.Length;
        var e = await Assert.ThrowsAsync<UnknownSourceException>(() => state.ActivateAsync("v0-tower"));
        Assert.Equal(SourceNames.Sequence, e.SourceName);
        Assert.Equal("default/v1", (await state.Pipeline.RecommendAsync(rig.Request(1))).Version);
        Assert.False(state.Catalog.Items.TryGetOrdinal(newItem, out _), "the refused version's new item joined the live catalog");
        Assert.Equal(length, state.Catalog.Length);
    }

    [Fact]
    public void Bad_rows_can_be_skipped_and_unknown_items_refused()
    {
        using var rig = new RegistryRig(trained);
        rig.AddVersion("v1");
        using var import = EmbeddingImport.Begin(rig.Registry, "v1", new EmbeddingImportOptions
        {
            Name = "tower", Index = "Flat", SkipBadRows = true, AddUnknownItems = false, Metric = DistanceMetric.L2,
        });
        Assert.True(import.AddRow(PlantedCatalog.ItemId(1), Embedding(1))); // sets the dimension
        Assert.False(import.AddRow(PlantedCatalog.ItemId(2), [1f, float.PositiveInfinity, 0, 0, 0, 0, 0, 0]));
        Assert.False(import.AddRow(123_456_789, Embedding(3)));
        Assert.True(import.AddRow(PlantedCatalog.ItemId(4).ToString(System.Globalization.CultureInfo.InvariantCulture), new float[Dim])); // zeros are fine under L2
        Assert.Equal((4L, 2L, 2L), (import.RowsRead, import.RowsAccepted, import.RowsSkipped));
        Assert.Equal(["row 2, field 'vector[1]': ∞ is not a finite number", "row 3, field 'id': unknown item 123456789 (not in version 'v1'; AddUnknownItems is off)"],
            import.SkippedMessages.Select(m => m.Replace("Infinity", "∞")));
        var version = import.Complete();
        Assert.Equal(rig.Planted.Items, version.Manifest.Items);
        using var loaded = VersionLoader.Load(version);
        Assert.Equal(2, loaded.Models.Embeddings["tower"].Count);
        Assert.Equal(Embedding(1), loaded.Models.Embeddings["tower"].Row(1).ToArray());
    }

    [Fact]
    public void An_abandoned_import_leaves_no_version_and_a_bad_spec_fails_before_the_stream()
    {
        using var rig = new RegistryRig(trained);
        rig.AddVersion("v1");
        using (var import = EmbeddingImport.Begin(rig.Registry, "v1", new EmbeddingImportOptions { Name = "tower", VersionId = "v2" }))
            import.AddRow(PlantedCatalog.ItemId(1), Embedding(1));
        Assert.Equal(["v1"], rig.Registry.Inspect().Select(v => v.Id));
        var spec = Assert.Throws<Core.Index.Factory.IndexSpecException>(() => EmbeddingImport.Begin(rig.Registry, "v1", new EmbeddingImportOptions { Name = "tower", Index = "HNSW1" }));
        Assert.Contains("HNSW1", spec.Message);
        Assert.Throws<ArgumentException>(() => EmbeddingImport.Begin(rig.Registry, "v1", new EmbeddingImportOptions { Name = "../x" }));
        Assert.Throws<KeyNotFoundException>(() => EmbeddingImport.Begin(rig.Registry, "nope", new EmbeddingImportOptions { Name = "tower" }));
    }

    [Fact]
    public async Task Stored_cf_vectors_carry_the_tag_of_the_ALS_model_that_folded_them_in()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync();
        var other = trained.Models with { Als = TrainedModels.Train(rig.Planted.Data, TrainedPlanted.Settings(seed: 4)).Als };
        var v2 = rig.AddVersion("v2", other);
        int tag1 = state.Registry.Get("v1").Manifest.CfVectorTag, tag2 = v2.Manifest.CfVectorTag;
        Assert.NotEqual(0, tag1);
        Assert.NotEqual(tag1, tag2);
        Assert.Equal(tag1, state.Pipeline.Version.Models.CfVectorTag);

        long user = PlantedCatalog.UserId(9);
        await state.Pipeline.RecordEventsAsync([new InteractionEvent(user, PlantedCatalog.ItemId(17), EventType.Click, 1, rig.NowMs)]);
        float[] stored = (await state.Store.GetCfVectorAsync(user))!;
        Assert.Equal(17, stored.Length);
        Assert.Equal(tag1, stored[16]);
        Assert.True(CfVectorTags.Matches(stored, 16, tag1));
        Assert.False(CfVectorTags.Matches(stored, 16, tag2)); // v2 folds in afresh instead of reading v1's space
        Assert.False(CfVectorTags.Matches(stored, 16, 0));

        await state.ActivateAsync("v2");
        await state.Pipeline.RecordEventsAsync([new InteractionEvent(user, PlantedCatalog.ItemId(18), EventType.Click, 1, rig.NowMs)]);
        Assert.Equal(tag2, (await state.Store.GetCfVectorAsync(user))![16]);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
