using Grpc.Core;
using Grpc.Net.Client;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// The server over a serving state (model registry + FASTER store on temp directories): model versions listed,
/// activated and rolled back over the wire, embeddings bulk-loaded into a new version and searched once it serves,
/// and a restart that keeps the live catalog.
/// </summary>
[Collection(Support.MetricsScrapeCollection.Name)]
public sealed class RegistryServerTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private sealed class Rig : IAsyncDisposable
    {
        private Rig(RegistryRig registry, ServingState state, RunningServer server)
        {
            Registry = registry;
            State = state;
            Server = server;
            Channel = GrpcChannel.ForAddress(server.Address);
            Recommender = new Recommender.RecommenderClient(Channel);
            Catalog = new Api.V1.Catalog.CatalogClient(Channel);
            Admin = new Admin.AdminClient(Channel);
        }

        public RegistryRig Registry { get; }

        public ServingState State { get; private set; }

        public RunningServer Server { get; private set; }

        public GrpcChannel Channel { get; private set; }

        public Recommender.RecommenderClient Recommender { get; private set; }

        public Api.V1.Catalog.CatalogClient Catalog { get; private set; }

        public Admin.AdminClient Admin { get; private set; }

        public static async Task<Rig> StartAsync(TrainedPlanted trained)
        {
            var registry = new RegistryRig(trained);
            var state = await registry.CreateAsync("v1");
            var server = await RecSysServer.StartAsync(ServerRig.TestOptions, state, new LogCapture().Configure);
            return new Rig(registry, state, server);
        }

        /// <summary>Stops the server (it saves the state), closes the state, reopens both as a restart would.</summary>
        public async Task RestartAsync()
        {
            Channel.Dispose();
            await Server.StopAsync();
            await State.DisposeAsync();
            State = await Registry.OpenAsync();
            Server = await RecSysServer.StartAsync(ServerRig.TestOptions, State, new LogCapture().Configure);
            Channel = GrpcChannel.ForAddress(Server.Address);
            Recommender = new Recommender.RecommenderClient(Channel);
            Catalog = new Api.V1.Catalog.CatalogClient(Channel);
            Admin = new Admin.AdminClient(Channel);
        }

        public async ValueTask DisposeAsync()
        {
            Channel.Dispose();
            await Server.DisposeAsync();
            await State.DisposeAsync();
            Registry.Dispose();
        }
    }

    [Fact]
    public async Task Versions_are_listed_activated_and_rolled_back_over_the_wire()
    {
        await using var rig = await Rig.StartAsync(trained);
        rig.Registry.AddVersion("v2");
        var models = await rig.Admin.ListModelsAsync(new ListModelsRequest(), TestKeys.AdminOnly);
        Assert.Equal("v1", models.Active);
        Assert.Equal(["v1", "v2"], models.Models.Select(m => m.Name).Order());
        var v1 = models.Models.Single(m => m.Name == "v1");
        Assert.True(v1.Active);
        Assert.Contains("index:cf", v1.Parts);
        Assert.Equal(0.5, v1.Metrics["ndcg@10"]);

        var activated = await rig.Admin.ActivateModelAsync(new ActivateModelRequest { Version = "v2" }, TestKeys.AdminOnly);
        Assert.Equal(("v2", "v1"), (activated.Active, activated.Previous));
        var answer = await rig.Recommender.RecommendAsync(new Api.V1.RecommendRequest { User = ServerRig.UserId(1), K = 5 }, TestKeys.Read);
        Assert.EndsWith("/v2", answer.Version, StringComparison.Ordinal);
        Assert.Equal("v2", (await rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.AdminOnly)).ActiveVersion);

        var rolledBack = await rig.Admin.RollbackAsync(new RollbackRequest(), TestKeys.AdminOnly);
        Assert.Equal(("v1", "v2"), (rolledBack.Active, rolledBack.Previous));
        answer = await rig.Recommender.RecommendAsync(new Api.V1.RecommendRequest { User = ServerRig.UserId(1), K = 5 }, TestKeys.Read);
        Assert.EndsWith("/v1", answer.Version, StringComparison.Ordinal);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "version", () => rig.Admin.RollbackAsync(new RollbackRequest(), TestKeys.AdminOnly));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "version", () => rig.Admin.ActivateModelAsync(new ActivateModelRequest { Version = "v9" }, TestKeys.AdminOnly));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "version", () => rig.Admin.ActivateModelAsync(new ActivateModelRequest { Version = "../v1" }, TestKeys.AdminOnly));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "version", () => rig.Admin.ActivateModelAsync(new ActivateModelRequest(), TestKeys.AdminOnly));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, null, () => rig.Admin.ActivateModelAsync(new ActivateModelRequest { Version = "v2" }, TestKeys.Write));
        Assert.Equal("v1", (await rig.Admin.ListModelsAsync(new ListModelsRequest(), TestKeys.AdminOnly)).Active);
    }

    /// <summary>Item i's planted vector: its category's axis plus a small unique tilt (dimension 12).</summary>
    private static float[] Planted(int item)
    {
        var v = new float[12];
        v[PlantedCatalog.CategoryOf(item)] = 1f;
        v[8 + item % 4] = 0.05f + 0.001f * item;
        return v;
    }

    private static EmbeddingChunk Chunk(IEnumerable<int> items, Action<EmbeddingChunk>? first = null)
    {
        var c = new EmbeddingChunk();
        foreach (int i in items)
        {
            c.Ids.Add(ServerRig.ItemId(i));
            c.Vectors.Add(Planted(i));
        }
        first?.Invoke(c);
        return c;
    }

    private static async Task<BulkLoadEmbeddingsResponse> LoadAsync(Rig rig, params EmbeddingChunk[] chunks)
    {
        using var call = rig.Catalog.BulkLoadEmbeddings(TestKeys.AdminOnly);
        foreach (var c in chunks)
            await call.RequestStream.WriteAsync(c);
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    [Fact]
    public async Task Embeddings_bulk_loaded_make_a_new_version_searchable_once_it_is_activated()
    {
        await using var rig = await Rig.StartAsync(trained);
        void Describe(EmbeddingChunk c)
        {
            c.Name = "taste";
            c.Dimension = 12;
            c.Version = "v1-taste";
            c.IndexSpec = "Flat";
        }

        // A bad row anywhere refuses the whole load: no version is left behind.
        var bad = Chunk(Enumerable.Range(200, 10));
        bad.Vectors[3 * 12 + 5] = float.NaN;
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "chunks[1].vectors[36..48)", () => LoadAsync(rig, Chunk(Enumerable.Range(0, 200), Describe), bad));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "chunks[0].vectors", () => LoadAsync(rig, Chunk(Enumerable.Range(0, 3), c => { Describe(c); c.Dimension = 11; })));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "chunks[0].index_spec", () => LoadAsync(rig, Chunk(Enumerable.Range(0, 3), c => { Describe(c); c.IndexSpec = "HNSW1"; })));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "chunks[0].name", () => LoadAsync(rig, Chunk(Enumerable.Range(0, 3), c => { Describe(c); c.Name = "no/slash"; })));
        Assert.Single((await rig.Admin.ListModelsAsync(new ListModelsRequest(), TestKeys.AdminOnly)).Models);

        var extra = new EmbeddingChunk { Ids = { new Id { Str = "sku-new" } }, Vectors = { Planted(7) } };
        var loaded = await LoadAsync(rig, Chunk(Enumerable.Range(0, 200), Describe), Chunk(Enumerable.Range(200, 200)), extra);
        Assert.Equal("v1-taste", loaded.Version);
        Assert.Equal(401, loaded.RowsAccepted);
        Assert.Equal(1, loaded.NewItems);
        var listed = (await rig.Admin.ListModelsAsync(new ListModelsRequest(), TestKeys.AdminOnly)).Models.Single(m => m.Name == "v1-taste");
        Assert.Equal("v1", listed.Parent);
        Assert.Contains("embedding:taste", listed.Parts);

        var search = new SearchVectorsRequest { Index = "taste", K = 3, Vector = { Planted(123) } };
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "index", () => rig.Recommender.SearchVectorsAsync(search, TestKeys.Read));
        await rig.Admin.ActivateModelAsync(new ActivateModelRequest { Version = "v1-taste" }, TestKeys.AdminOnly);
        var hits = (await rig.Recommender.SearchVectorsAsync(search, TestKeys.Read)).Hits;
        Assert.Equal(PlantedCatalog.ItemId(123), hits[0].Item.Num);
        // The loaded set is an index of the active version, in the statistics and the metrics, under the registry's id.
        var taste = (await rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.AdminOnly)).Indexes.Single(i => i.Name == "taste");
        Assert.Equal((401L, 12), (taste.Vectors, taste.Dimension));
        using (var http = new HttpClient())
        {
            string metrics = await http.GetStringAsync(rig.Server.MetricsAddress);
            Assert.Matches("recsys_index_vectors\\{[^}]*index=\"taste\"[^}]*\\} 401", metrics);
            Assert.Matches("recsys_model_active\\{[^}]*version=\"v1-taste\"[^}]*\\} 1", metrics);
        }
        Assert.All(hits, h => Assert.Equal(PlantedCatalog.CategoryOf(123), PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(h.Item.Num))));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "vector", () => rig.Recommender.SearchVectorsAsync(new SearchVectorsRequest { Index = "taste", K = 3, Vector = { 1f, 2f } }, TestKeys.Read));
    }

    [Fact]
    public async Task A_restart_over_the_saved_state_keeps_items_added_live()
    {
        await using var rig = await Rig.StartAsync(trained);
        using (var call = rig.Catalog.UpsertItems(TestKeys.Write))
        {
            await call.RequestStream.WriteAsync(new UpsertItemsRequest { Items = { new Item { Id = new Id { Str = "sku-live" }, Title = "crime silent river", Categories = { "c2" } } } });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        }
        await rig.RestartAsync();
        var similar = await rig.Recommender.SimilarItemsAsync(new SimilarItemsRequest { Item = new Id { Str = "sku-live" }, K = 5 }, TestKeys.Read);
        Assert.NotEmpty(similar.Items);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "item", () => rig.Recommender.SimilarItemsAsync(new SimilarItemsRequest { Item = new Id { Str = "sku-never" }, K = 5 }, TestKeys.Read));
    }

    /// <summary>
    /// One UpsertItems call is one group commit: its items, over several stream messages, reach the catalog journal as
    /// one record (one fsync), not one per item. Counted in the journal file by its documented layout (a 32-byte header,
    /// then records of a 12-byte header whose first 4 bytes are the payload's length).
    /// </summary>
    [Fact]
    public async Task An_upsert_call_s_items_are_journaled_as_one_record()
    {
        await using var rig = await Rig.StartAsync(trained);
        await rig.State.SaveCatalogAsync();
        string serving = Path.Combine(rig.Registry.RegistryDirectory, "serving");
        int before = Directory.GetFiles(serving, "journal-*").Sum(JournalRecords);
        using (var call = rig.Catalog.UpsertItems(TestKeys.Write))
        {
            for (int m = 0; m < 3; m++)
            {
                var message = new UpsertItemsRequest();
                for (int i = 0; i < 10; i++)
                    message.Items.Add(new Item { Id = new Id { Str = $"sku-group-{m}-{i}" }, Title = "crime silent river " + i, Categories = { "c2" } });
                await call.RequestStream.WriteAsync(message);
            }
            await call.RequestStream.CompleteAsync();
            Assert.Equal(30, (await call.ResponseAsync).Upserted);
        }
        Assert.Equal(before + 1, Directory.GetFiles(serving, "journal-*").Sum(JournalRecords));
        var similar = await rig.Recommender.SimilarItemsAsync(new SimilarItemsRequest { Item = new Id { Str = "sku-group-2-9" }, K = 5 }, TestKeys.Read);
        Assert.NotEmpty(similar.Items);
    }

    private static int JournalRecords(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int records = 0;
        for (long at = 32; at + 12 <= bytes.Length; at += 12 + BitConverter.ToUInt32(bytes, (int)at))
            records++;
        return records;
    }
}
