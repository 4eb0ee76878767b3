using Garnet;
using RecSys.Engine.Testing;
using RecSys.Engine.Features.Redis;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;
using StackExchange.Redis;

namespace RecSys.Engine.Pipeline.Tests.Redis;

/// <summary>
/// The serving pipeline over the Redis-protocol backend: a real in-process Garnet server on 127.0.0.1, a
/// <see cref="RedisFeatureStore"/> on it, and the planted catalog's models and indexes as <see cref="PipelineHarness"/>
/// builds them over FASTER. <see cref="Raw"/> is a plain Redis client on the same server, for what a store cannot be
/// asked to do (break a key).
/// </summary>
public sealed class GarnetPipelineRig : IAsyncDisposable
{
    private readonly GarnetServer _server;

    private GarnetPipelineRig(GarnetServer server, ConnectionMultiplexer raw, RedisFeatureStore store, PlantedCatalog planted, ServingModels models, RecommendationPipeline pipeline,
        string prefix)
    {
        _server = server;
        Planted = planted;
        RawConnection = raw;
        Store = store;
        Models = models;
        Pipeline = pipeline;
        KeyPrefix = prefix;
    }

    /// <summary>The catalog the models were trained on and the store was seeded from.</summary>
    public PlantedCatalog Planted { get; }

    public RedisFeatureStore Store { get; }

    public ServingModels Models { get; }

    public RecommendationPipeline Pipeline { get; }

    public string KeyPrefix { get; }

    public ConnectionMultiplexer RawConnection { get; }

    public IDatabase Raw => RawConnection.GetDatabase();

    public long NowMs => Planted.MaxTimestampSeconds * 1000 + 86_400_000;

    public static async Task<GarnetPipelineRig> StartAsync()
    {
        var (server, port) = LoopbackPort.Start(p =>
        {
            var garnet = new GarnetServer(["-q", "--bind", "127.0.0.1", "--port", p.ToString(System.Globalization.CultureInfo.InvariantCulture), "--memory", "256m", "--index", "16m"]);
            try
            {
                garnet.Start();
                return (garnet, p);
            }
            catch
            {
                garnet.Dispose();
                throw;
            }
        });
        RedisFeatureStore? store = null;
        ConnectionMultiplexer? raw = null;
        ServingModels? serving = null;
        try
        {
            string configuration = $"127.0.0.1:{port},abortConnect=false";
            string prefix = "p" + Guid.NewGuid().ToString("N") + ":";
            store = await RedisFeatureStore.ConnectAsync(new RedisFeatureStoreOptions { Configuration = configuration, KeyPrefix = prefix });
            raw = await ConnectionMultiplexer.ConnectAsync(configuration);
            var planted = new PlantedCatalog();
            var models = TrainedModels.Train(planted.Data, TrainedPlanted.Settings(seed: 3));
            LiveCatalog catalog;
            (catalog, serving) = await PipelineHarness.BootstrapAsync(planted.Data, store, models);
            var version = PipelineVersion.Create(PipelineHarness.Generous(PipelineDefaults.Config(serving)), serving, catalog);
            return new GarnetPipelineRig(server, raw, store, planted, serving, new RecommendationPipeline(store, catalog, version), prefix);
        }
        catch
        {
            // A rig that failed to start must not leave a 256 MB Garnet server and its connections behind.
            serving?.CfIndex?.Dispose();
            serving?.ContentIndex?.Dispose();
            if (raw is not null)
                await raw.DisposeAsync();
            if (store is not null)
                await store.DisposeAsync();
            server.Dispose();
            throw;
        }
    }

    public ValueTask<RecommendResponse> RecommendAsync(long userId, int k = 10) =>
        Pipeline.RecommendAsync(new RecommendRequest { UserId = userId, Surface = "home", K = k, NowMs = NowMs });

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await RawConnection.DisposeAsync();
        Models.CfIndex?.Dispose();
        Models.ContentIndex?.Dispose();
        _server.Dispose();
    }
}
