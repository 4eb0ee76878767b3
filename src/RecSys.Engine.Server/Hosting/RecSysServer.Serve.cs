using Microsoft.Extensions.Logging;
using RecSys.Engine.Features;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Redis;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Ranking.Onnx;

namespace RecSys.Engine.Server.Hosting;

public static partial class RecSysServer
{
    /// <summary>
    /// What <c>recsys serve</c> does, from a checked config: opens the serving state (the registry's active version over
    /// the configured feature store), starts the server, calls <paramref name="started"/>, serves until
    /// <paramref name="stop"/> fires, then stops gracefully (drain, save the state: catalog snapshot and store
    /// checkpoint) and closes everything. A registry or store that cannot be opened is a
    /// <see cref="ServerConfigException"/> naming the key that points at it; so is a pipeline config file
    /// (Serving:PipelineConfigFile) that the active version's defaults or models refuse. <paramref name="rankers"/> loads a version's
    /// learned ranker (null = <see cref="OnnxRankerLoader"/> on Serving:RankerProvider; Serving:IgnoreRanker serves such
    /// a version with the rank-fusion fallback instead).
    /// </summary>
    public static async Task ServeAsync(ServeConfig config, Action<RunningServer>? started = null, Action<ILoggingBuilder>? logging = null,
        IRankerLoader? rankers = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Server.Validate();
        config.Serving.Validate();
        // The ranker's load lines (the provider chosen, a CUDA fallback and why) go where the server logs; activations
        // load rankers while it serves, so the factory lives as long as the serve.
        using var loggers = LoggerFactory.Create(builder => ConfigureLogging(builder, logging));
        rankers ??= OnnxRankers(config.Serving, loggers.CreateLogger("RecSys.Engine.Server.Ranker"));
        var towerLog = loggers.CreateLogger("RecSys.Engine.Server.Tower");
        var towers = new OnnxTowerLoader(config.Serving.TowerOptions(line => LogRanker(towerLog, line)));
        var experiments = config.Experiments.Count > 0 ? config.Experiments : ServeConfig.ReadExperiments(config.Serving);
        var pipelineFile = config.PipelineFile ?? ServeConfig.ReadPipelineConfig(config.Serving);
        var mappingLog = loggers.CreateLogger("RecSys.Engine.Server.Mapping");
        var registryLog = loggers.CreateLogger("RecSys.Engine.Server.Registry");
        var storeLog = loggers.CreateLogger("RecSys.Engine.Server.FeatureStore");
        var (state, external) = await OpenStateAsync(config.Serving, pipelineFile, rankers, towers, line => LogWarningLine(mappingLog, line),
            line => LogWarningLine(registryLog, line), line => LogRanker(storeLog, line), line => LogWarningLine(storeLog, line), stop).ConfigureAwait(false);
        try
        {
            await ApplyExperimentsAsync(state, config.Serving, experiments, stop).ConfigureAwait(false);
            var server = await StartAsync(config.Server, state, config.Serving.TrendingRefreshInterval, config.Serving.CatalogSaveInterval, logging, stop).ConfigureAwait(false);
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

    /// <summary>
    /// Runs <paramref name="experiments"/> on the opened state before the port opens, so the first request is already
    /// bucketed. What only the served version can check (its surfaces, the registry versions and rankers a variant names)
    /// fails here: a <see cref="ServerConfigException"/> on Serving:ExperimentsFile naming the file and the field.
    /// </summary>
    private static async Task ApplyExperimentsAsync(ServingState state, ServingOptions serving, IReadOnlyList<Pipeline.Experiments.ExperimentConfig> experiments,
        CancellationToken cancellationToken)
    {
        if (experiments.Count == 0)
            return;
        try
        {
            await state.SetExperimentsAsync(experiments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException or InvalidDataException or IOException)
        {
            string key = ServeConfig.ExperimentsKey;
            throw new ServerConfigException(key, $"{key}: {serving.ExperimentsFile}: {e.Message}");
        }
    }

    /// <summary>
    /// The ONNX ranker loader for <paramref name="serving"/>: its Ranker* settings (provider, threads, candidates,
    /// concurrent calls), and the feature store's counter half-life for the schema check (the history window is the
    /// pipeline defaults').
    /// </summary>
    private static OnnxRankerLoader OnnxRankers(ServingOptions serving, ILogger logger) => new(
        serving.RankerOptions(line => LogRanker(logger, line)), counterHalfLife: serving.FeatureStore.CounterHalfLife);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogRanker(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Line}")]
    private static partial void LogWarningLine(ILogger logger, string line);

    /// <summary>The warning line for a change of the feature store's health (a failed checkpoint, or the end of a run of them).</summary>
    internal static string Describe(FeatureStoreHealth health) => health.Status == FeatureStoreHealthStatus.Degraded
        ? $"feature store checkpoint failed ({health.ConsecutiveCheckpointFailures} in a row; the health check reports Degraded): " +
          $"{health.LastCheckpointError?.GetType().Name}: {health.LastCheckpointError?.Message} Acknowledged writes are safe in the " +
          "write-ahead log; the next checkpoint tries again"
        : "feature store checkpoint succeeded again after failures: healthy";

    /// <summary>
    /// The serving state over the configured store; the Redis store is returned too (the state does not own it). Each
    /// version is served with <paramref name="pipelineFile"/>'s changes to its defaults (none: the defaults), with
    /// Serving:SourceBudget; a file the active version's defaults or models refuse is a <see cref="ServerConfigException"/>
    /// on Serving:PipelineConfigFile naming the file and the field.
    /// </summary>
    private static async Task<(ServingState State, IFeatureStore? External)> OpenStateAsync(ServingOptions serving, PipelineConfigFile? pipelineFile,
        IRankerLoader rankers, ITowerLoader towers, Action<string> hugePageLog, Action<string> loadLog, Action<string> checkpointLog,
        Action<string> checkpointWarning, CancellationToken cancellationToken)
    {
        const string s = ServingOptions.SectionName;
        var store = serving.FeatureStore;
        var watch = new RankerLoadWatch(rankers);
        // The file's own refusal, told apart from an InvalidDataException of the registry's files by identity.
        InvalidDataException? fileFault = null;
        Func<ServingModels, PipelineConfig>? config = null;
        if (pipelineFile is not null)
        {
            config = models =>
            {
                try
                {
                    return pipelineFile.Apply(models, serving.SourceBudget);
                }
                catch (InvalidDataException e)
                {
                    fileFault = e;
                    throw;
                }
            };
        }
        else if (serving.SourceBudget is { } budget)
        {
            config = models => PipelineDefaults.Config(models).WithSourceBudget(budget);
        }
        var options = new ServingStateOptions
        {
            Pipeline = new PipelineOptions { ParallelSources = serving.ParallelSources, AttributionCapacity = serving.AttributionWindow },
            Load = new VersionLoadOptions
            {
                VerifyHashes = serving.VerifyHashes, RankerLoader = watch, IgnoreRanker = serving.IgnoreRanker, TowerLoader = towers,
                HnswBFloat16Traversal = serving.HnswBFloat16Traversal, HugePageMappings = serving.HugePageMappings, HugePageLog = hugePageLog,
            },
            CatalogDirectory = serving.CatalogDirectory,
            // One line per checkpoint (what it wrote, how long it took): where a latency spike meets its cause. A failed
            // one (a periodic checkpoint has no caller to throw to) is a warning, and the success that ends a run of them
            // says so.
            Store = store.IsFaster
                ? store.ToFaster() with { CheckpointCompleted = r => checkpointLog(r.ToString()), HealthChanged = h => (h.Status == FeatureStoreHealthStatus.Degraded ? checkpointWarning : checkpointLog)(Describe(h)) }
                : null,
            Config = config,
            SaveOnDispose = false, // the server's stop saved it already
            LowPriorityLoads = serving.LowPriorityLoads,
            LoadLog = loadLog,
        };
        IFeatureStore? external = null;
        try
        {
            if (store.IsFaster)
                return (await ServingState.OpenAsync(serving.RegistryDirectory!, store.DataDirectory!, options, cancellationToken).ConfigureAwait(false), null);
            external = await RedisFeatureStore.ConnectAsync(store.ToRedis()).ConfigureAwait(false);
            return (await ServingState.OpenAsync(serving.RegistryDirectory!, external, options, cancellationToken).ConfigureAwait(false), external);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException or KeyNotFoundException or ArgumentException or StackExchange.Redis.RedisException)
        {
            if (external is not null)
                await external.DisposeAsync().ConfigureAwait(false);
            var fault = ReferenceEquals(e, fileFault) ? fileFault : e is UnknownSourceException unknown ? pipelineFile?.Explain(unknown) : null;
            if (fault is not null)
                throw new ServerConfigException(ServeConfig.PipelineConfigKey, $"{ServeConfig.PipelineConfigKey}: {fault.Message}");
            string key = e switch
            {
                FeatureStoreCorruptedException => $"{s}:FeatureStore:DataDirectory",
                StackExchange.Redis.RedisException => $"{s}:FeatureStore:Redis",
                _ when external is null && !store.IsFaster => $"{s}:FeatureStore:Redis",
                _ => $"{s}:RegistryDirectory",
            };
            throw OpenRefused(key, watch, e);
        }
    }

    /// <summary>A start (or <c>serve --check</c>) refused at <paramref name="key"/>: the version whose learned ranker failed, and the way out, when that was the cause.</summary>
    private static ServerConfigException OpenRefused(string key, RankerLoadWatch watch, Exception e) => new(key, watch.Failed is { } version
        ? $"{key}: version '{version}' ships a learned ranker that cannot be served: {e.Message}; activate another version, or set "
            + $"{ServingOptions.SectionName}:IgnoreRanker to true to serve it with the rank-fusion fallback"
        : $"{key}: cannot open what it points at: {e.Message}");

    /// <summary>Remembers whose ranker failed to load, so a refused start can say that the ranker was the cause and what the way out is.</summary>
    private sealed class RankerLoadWatch(IRankerLoader inner) : IRankerLoader
    {
        public string? Failed { get; private set; }

        public IRanker Load(string path, RegistryVersion version)
        {
            try
            {
                return inner.Load(path, version);
            }
            catch
            {
                Failed = version.Id;
                throw;
            }
        }
    }
}
