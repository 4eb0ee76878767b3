using Microsoft.Extensions.Logging;
using RecSys.Engine.Features;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Redis;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Server.Hosting;

public static partial class RecSysServer
{
    /// <summary>
    /// What <c>recsys serve</c> does, from a checked config: opens the serving state (the registry's active version over
    /// the configured feature store), starts the server, calls <paramref name="started"/>, serves until
    /// <paramref name="stop"/> fires, then stops gracefully (drain, save the state: catalog snapshot and store
    /// checkpoint) and closes everything. A registry or store that cannot be opened is a
    /// <see cref="ServerConfigException"/> naming the key that points at it. <paramref name="rankers"/> loads a version's
    /// learned ranker (the server knows no ONNX; null = a version that ships one needs Serving:IgnoreRanker).
    /// </summary>
    public static async Task ServeAsync(ServeConfig config, Action<RunningServer>? started = null, Action<ILoggingBuilder>? logging = null,
        IRankerLoader? rankers = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Server.Validate();
        config.Serving.Validate();
        var (state, external) = await OpenStateAsync(config.Serving, rankers, stop).ConfigureAwait(false);
        try
        {
            var server = await StartAsync(config.Server, state, logging, stop).ConfigureAwait(false);
            try
            {
                started?.Invoke(server);
                await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The way a serve ends: the caller's stop (Ctrl-C, SIGTERM, a test).
            }
            finally
            {
                await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await state.DisposeAsync().ConfigureAwait(false);
            if (external is not null)
                await external.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The serving state over the configured store; the Redis store is returned too (the state does not own it).</summary>
    private static async Task<(ServingState State, IFeatureStore? External)> OpenStateAsync(ServingOptions serving, IRankerLoader? rankers, CancellationToken cancellationToken)
    {
        const string s = ServingOptions.SectionName;
        var store = serving.FeatureStore;
        var options = new ServingStateOptions
        {
            Pipeline = new PipelineOptions { ParallelSources = serving.ParallelSources },
            Load = new VersionLoadOptions { VerifyHashes = serving.VerifyHashes, RankerLoader = rankers, IgnoreRanker = serving.IgnoreRanker },
            CatalogDirectory = serving.CatalogDirectory,
            Store = store.IsFaster ? store.ToFaster() : null,
            Config = serving.SourceBudget is { } budget ? models => PipelineDefaults.Config(models).WithSourceBudget(budget) : null,
            SaveOnDispose = false, // the server's stop saved it already
        };
        IFeatureStore? external = null;
        try
        {
            if (rankers is null && !serving.IgnoreRanker && ModelRegistry.Open(serving.RegistryDirectory!) is { ActiveId: { } active } registry
                && registry.TryGet(active, out var version) && version.Manifest.Ranker is { } rankerFile)
            {
                throw new ServerConfigException($"{s}:IgnoreRanker", $"{s}:IgnoreRanker: version '{active}' ships a learned ranker ({rankerFile}) and this "
                    + "server has no ranker loader; set it to true to serve the version with the rank-fusion fallback");
            }
            if (store.IsFaster)
                return (await ServingState.OpenAsync(serving.RegistryDirectory!, store.DataDirectory!, options, cancellationToken).ConfigureAwait(false), null);
            external = await RedisFeatureStore.ConnectAsync(store.ToRedis()).ConfigureAwait(false);
            return (await ServingState.OpenAsync(serving.RegistryDirectory!, external, options, cancellationToken).ConfigureAwait(false), external);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or KeyNotFoundException or ArgumentException or StackExchange.Redis.RedisException)
        {
            if (external is not null)
                await external.DisposeAsync().ConfigureAwait(false);
            string key = e switch
            {
                FeatureStoreCorruptedException => $"{s}:FeatureStore:DataDirectory",
                StackExchange.Redis.RedisException => $"{s}:FeatureStore:Redis",
                _ when external is null && !store.IsFaster => $"{s}:FeatureStore:Redis",
                _ => $"{s}:RegistryDirectory",
            };
            throw new ServerConfigException(key, $"{key}: cannot open what it points at: {e.Message}");
        }
    }
}
