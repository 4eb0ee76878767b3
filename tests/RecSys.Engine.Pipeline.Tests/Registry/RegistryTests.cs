using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Registry;

public sealed class RegistryTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    /// <summary>Home answers for a spread of users, then item-page answers for a spread of items.</summary>
    private static async Task<RecommendResponse[]> AnswersAsync(RecommendationPipeline pipeline, RegistryRig rig, int users = 24)
    {
        var answers = new RecommendResponse[2 * users];
        for (int u = 0; u < users; u++)
        {
            answers[u] = await pipeline.RecommendAsync(rig.Request(u * 7 % rig.Planted.Users));
            answers[users + u] = await pipeline.RecommendAsync(rig.Request(u, "item-page") with { ItemId = PlantedCatalog.ItemId(u * 13 % rig.Planted.Items) });
        }
        return answers;
    }

    private static void AssertSameAnswers(RecommendResponse[] expected, RecommendResponse[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int u = 0; u < expected.Length; u++)
        {
            Assert.Equal(expected[u].Items.Select(i => i.ItemId), actual[u].Items.Select(i => i.ItemId));
            Assert.Equal(expected[u].Items.Select(i => i.Score), actual[u].Items.Select(i => i.Score));
            Assert.Equal(expected[u].Items.Select(i => i.Source), actual[u].Items.Select(i => i.Source));
        }
    }

    [Fact]
    public async Task A_version_round_trips_through_the_registry_with_the_same_answers()
    {
        using var rig = new RegistryRig(trained);
        // The in-memory pipeline of the very same models (ServingBootstrap), beside the one loaded from the registry.
        await using var memory = await PipelineHarness.CreateAsync(planted: rig.Planted, models: trained.Models);
        var expected = await AnswersAsync(memory.Pipeline, rig);

        await using (var state = await rig.CreateAsync())
        {
            Assert.Equal("v1", state.ActiveVersionId);
            Assert.Equal("default/v1", state.Pipeline.Version.Name);
            AssertSameAnswers(expected, await AnswersAsync(state.Pipeline, rig));
        }
        var listed = Assert.Single(rig.Registry.List());
        Assert.Equal("v1", listed.Id);
        Assert.Equal(0.5, listed.Metrics["ndcg@10"]);
        Assert.Equal(rig.Planted.Items, listed.Manifest.Items);
        Assert.Equal(rig.Planted.Data.Events.Count, listed.Manifest.Training.Events);
        Assert.Equal(["als", "content", "popularity", "sequence", "trending"], listed.Manifest.Models.Keys.Order());
        Assert.Equal("HNSW16,efc100", listed.Manifest.Indexes["cf"].Spec);
        Assert.All(listed.Manifest.Files.Values, f => Assert.Equal(64, f.Sha256.Length));
        Assert.Contains("models/als/item_factors.vec", listed.Manifest.Files.Keys);
        Assert.Contains("indexes/cf/graph.bin", listed.Manifest.Files.Keys);
    }

    [Fact]
    public async Task A_torn_or_damaged_version_is_never_listed_or_served()
    {
        using var rig = new RegistryRig(trained);
        var registry = rig.Registry;
        var v1 = rig.AddVersion("v1");

        // Torn: every file of a version but its manifest (a save cut off before the manifest was committed).
        string torn = Path.Combine(registry.Directory, ModelRegistry.VersionsDirectoryName, "v-torn");
        foreach (string file in Directory.EnumerateFiles(v1.Directory, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(torn, Path.GetRelativePath(v1.Directory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Path.GetFileName(file) != VersionManifest.FileName)
                File.Copy(file, target);
        }
        Assert.Equal(["v1"], registry.List().Select(v => v.Id));
        Assert.Contains("no manifest", registry.Inspect().Single(v => v.Id == "v-torn").Problem);
        Assert.Throws<VersionCorruptedException>(() => registry.Get("v-torn"));
        Assert.Throws<VersionCorruptedException>(() => registry.SetActive("v-torn"));

        // Truncated: not listed; Get names the file.
        var v2 = rig.AddVersion("v2");
        string graph = v2.PathOf("indexes/cf/graph.bin");
        using (var f = new FileStream(graph, FileMode.Open))
            f.SetLength(f.Length - 4);
        Assert.DoesNotContain("v2", registry.List().Select(v => v.Id));
        var truncated = Assert.Throws<VersionCorruptedException>(() => registry.Get("v2"));
        Assert.Equal(graph, truncated.FilePath);
        Assert.Contains("truncated", truncated.Message);

        // Damaged in place (same size): listed, but loading checks every SHA-256 and refuses it, naming the file.
        var v3 = rig.AddVersion("v3");
        string factors = v3.PathOf("models/als/item_factors.vec");
        byte[] bytes = File.ReadAllBytes(factors);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(factors, bytes);
        Assert.Contains("v3", registry.List().Select(v => v.Id));
        var damaged = Assert.Throws<VersionCorruptedException>(() => VersionLoader.Load(registry.Get("v3")));
        Assert.Equal(factors, damaged.FilePath);
        Assert.Contains("SHA-256", damaged.Message);
        registry.SetActive("v3");
        await Assert.ThrowsAsync<VersionCorruptedException>(() => rig.OpenAsync());
    }

    [Fact]
    public async Task A_version_loaded_with_bf16_walks_keeps_each_graphs_saved_search_settings()
    {
        using var rig = new RegistryRig(trained);
        RecommendResponse[] float32;
        await using (var first = await rig.CreateAsync())
            float32 = await AnswersAsync(first.Pipeline, rig);
        var version = rig.AddVersion("v2", cfIndex: "HNSW16,efc100,ef48");
        static HnswIndex Graph(IVectorIndex? index) => Assert.IsType<HnswIndex>(index);

        using (var saved = VersionLoader.Load(version))
        {
            Assert.False(Graph(saved.Models.CfIndex).Options.BFloat16Traversal);
            Assert.Equal(48, Graph(saved.Models.CfIndex).Options.EfSearch);
        }
        using (var bf16 = VersionLoader.Load(version, new VersionLoadOptions { HnswBFloat16Traversal = true }))
        {
            // bf16 on, and each graph keeps the beam it was saved with: the CF index its ef48, the content index the default.
            Assert.True(Graph(bf16.Models.CfIndex).Options.BFloat16Traversal);
            Assert.Equal(48, Graph(bf16.Models.CfIndex).Options.EfSearch);
            Assert.True(Graph(bf16.Models.ContentIndex).Options.BFloat16Traversal);
            Assert.Equal(new HnswOptions().EfSearch, Graph(bf16.Models.ContentIndex).Options.EfSearch);
        }
        // Hnsw replaces the saved search settings; the bf16 switch applies on top of them.
        using (var both = VersionLoader.Load(version, new VersionLoadOptions { Hnsw = new HnswOptions { EfSearch = 20 }, HnswBFloat16Traversal = true }))
        {
            Assert.Equal(20, Graph(both.Models.CfIndex).Options.EfSearch);
            Assert.True(Graph(both.Models.CfIndex).Options.BFloat16Traversal);
        }

        // The active version served with bf16 walks answers (nearly) as the float32 walks did.
        await using var state = await rig.OpenAsync(RegistryRig.Options() with { Load = new VersionLoadOptions { HnswBFloat16Traversal = true } });
        Assert.True(Graph(state.Pipeline.Version.Models.CfIndex).Options.BFloat16Traversal);
        var served = await AnswersAsync(state.Pipeline, rig);
        int shared = 0, total = 0;
        for (int i = 0; i < served.Length; i++)
        {
            shared += served[i].Items.Select(x => x.ItemId).Intersect(float32[i].Items.Select(x => x.ItemId)).Count();
            total += float32[i].Items.Length;
        }
        Assert.True(total > 0 && shared >= 0.9 * total, $"bf16 answers share {shared} of {total} items with the float32 answers");
    }

    [Fact]
    public void A_loaded_version_has_its_fold_in_ready_before_the_first_event()
    {
        using var rig = new RegistryRig(trained);
        var version = rig.AddVersion("v1");
        using var loaded = VersionLoader.Load(version);
        // The term every fold-in shares is computed by the load, not by the first event's request.
        var als = Assert.IsType<RecSys.Engine.Models.Als.ImplicitAls>(loaded.Models.Als);
        Assert.True(als.IsFoldInPrepared);
    }

    [Fact]
    public async Task A_version_loaded_onto_huge_pages_answers_exactly_as_one_on_small_pages()
    {
        using var rig = new RegistryRig(trained);
        // Served items not counted: impression counts outlive a restart (the catalog snapshot), and the first state's
        // answers would otherwise move the second's exploration slots.
        var unCounted = RegistryRig.Options(config: models => PipelineDefaults.Config(models) with { CountServedImpressions = false });
        RecommendResponse[] small;
        await using (var first = await rig.CreateAsync(options: unCounted))
            small = await AnswersAsync(first.Pipeline, rig);
        var seen = new List<string>();
        var lines = new List<string>();
        var options = unCounted with
        {
            Load = new VersionLoadOptions { HugePageMappings = true, HugePageLog = lines.Add, OnMapped = m => seen.Add(Path.GetFileName(m.Path)) },
        };
        await using var state = await rig.OpenAsync(options);
        // The caller's own hook still sees every mapping (after the advice), and on Linux every advice took.
        Assert.NotEmpty(seen);
        if (OperatingSystem.IsLinux())
            Assert.Empty(lines);
        else
            Assert.Equal(seen.Count, lines.Count);
        // Same bytes, other pages: the answers are the same, item for item and score for score.
        AssertSameAnswers(small, await AnswersAsync(state.Pipeline, rig));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void A_power_loss_leaves_a_committed_version_whole_and_never_lists_a_torn_one(bool syncFiles, bool syncDirectories)
    {
        using var rig = new RegistryRig(trained);
        var registry = rig.Registry;
        using (var power = new PowerLossSimulator(registry.Directory, syncFiles, syncDirectories))
        {
            rig.AddVersion("v1");
            power.Crash();
        }
        if (syncFiles && syncDirectories)
        {
            // The helper's fsyncs: the committed version is all there and passes every hash.
            VersionLoader.Load(Assert.Single(registry.List())).Dispose();
        }
        else
        {
            // Each fsync dropped: the crash loses the save (empty files, or entries never on the disk), and the version
            // is then not listed at all rather than listed with holes.
            Assert.Empty(registry.List());
        }
    }

    [Fact]
    public async Task A_restart_serves_the_active_version_and_the_catalog_as_it_was()
    {
        using var rig = new RegistryRig(trained);
        long newItem = 900_001;
        await using (var state = await rig.CreateAsync())
        {
            rig.AddVersion("v2", cfIndex: "Flat");
            await state.ActivateAsync("v2");
            Assert.Equal("v2", state.ActiveVersionId);
            await state.Pipeline.UpsertItemAsync(newItem, new Catalog.ItemAttributes { Title = "space golden storm", Categories = ["c0"], Tags = ["live"] });
        }
        Assert.Equal("v2", rig.Registry.ActiveId);
        Assert.Equal(["v1"], rig.Registry.History);

        await using (var state = await rig.OpenAsync())
        {
            Assert.Equal("v2", state.ActiveVersionId);
            var response = await state.Pipeline.RecommendAsync(rig.Request(3));
            Assert.Equal("default/v2", response.Version);
            // The item added live is back with its ordinal, its record and its content vector (in the content index too).
            Assert.True(state.Catalog.Items.TryGetOrdinal(newItem, out int ordinal));
            Assert.Equal(rig.Planted.Items, ordinal);
            Assert.Equal([state.Catalog.Categories.GetOrAdd("c0")], state.Catalog.CategoriesOf(ordinal).ToArray());
            ReadOnlySpan<float> row = state.Catalog.Content!.Row(ordinal);
            Assert.False(row.IsEmpty);
            var ids = new long[1];
            state.Pipeline.Version.Models.ContentIndex!.Search(row, 1, ids, new float[1]);
            Assert.Equal(ordinal, ids[0]);

            Assert.Equal("v1", (await state.RollbackAsync()).Id);
            Assert.Equal("default/v1", (await state.Pipeline.RecommendAsync(rig.Request(3))).Version);
        }
        await using (var state = await rig.OpenAsync())
        {
            Assert.Equal("v1", state.ActiveVersionId);
            Assert.True(state.Catalog.Items.TryGetOrdinal(newItem, out _));
            await Assert.ThrowsAsync<InvalidOperationException>(() => state.RollbackAsync());
        }
    }
}
