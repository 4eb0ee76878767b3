using Microsoft.Extensions.Logging;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Ranking.Onnx;

namespace RecSys.Engine.Server.Hosting;

public static partial class RecSysServer
{
    /// <summary>
    /// What <c>recsys serve --check</c> does: the checks a start would make before it opens the feature store and the
    /// port, so a config that would be refused is refused here, naming the key (a <see cref="ServerConfigException"/>):
    /// the config's own values, the registry's active version (its files, its learned ranker and user tower unless
    /// ignored), the pipeline config file applied to that version's models, and every registry version or ranker an
    /// experiment's variant names. The feature store is not opened (a serving server may hold it) and nothing is written.
    /// Returns the active version's id.
    /// </summary>
    public static string Check(ServeConfig config, Action<ILoggingBuilder>? logging = null, IRankerLoader? rankers = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Server.Validate();
        config.Serving.Validate();
        var serving = config.Serving;
        var experiments = config.Experiments.Count > 0 ? config.Experiments : ServeConfig.ReadExperiments(serving);
        var pipelineFile = config.PipelineFile ?? ServeConfig.ReadPipelineConfig(serving);
        const string registryKey = ServingOptions.SectionName + ":" + nameof(ServingOptions.RegistryDirectory);

        using var loggers = LoggerFactory.Create(builder => ConfigureLogging(builder, logging));
        var watch = new RankerLoadWatch(rankers ?? OnnxRankers(serving, loggers.CreateLogger("RecSys.Engine.Server.Ranker")));
        var towerLog = loggers.CreateLogger("RecSys.Engine.Server.Tower");
        var options = new VersionLoadOptions
        {
            VerifyHashes = serving.VerifyHashes, RankerLoader = watch, IgnoreRanker = serving.IgnoreRanker,
            TowerLoader = new OnnxTowerLoader(serving.TowerOptions(line => LogRanker(towerLog, line))),
            HnswBFloat16Traversal = serving.HnswBFloat16Traversal,
        };
        ModelRegistry registry;
        string active;
        LoadedVersion loaded;
        try
        {
            registry = ModelRegistry.Open(serving.RegistryDirectory!);
            active = registry.ActiveId
                ?? throw new InvalidOperationException($"registry {registry.Directory} has no active version: build one (recsys train) and activate it");
            loaded = VersionLoader.Load(registry.Get(active), options);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException or KeyNotFoundException or ArgumentException or UnauthorizedAccessException)
        {
            throw OpenRefused(registryKey, watch, e);
        }
        using (loaded)
        {
            if (pipelineFile is not null)
            {
                try
                {
                    pipelineFile.Apply(loaded.Models, serving.SourceBudget);
                }
                catch (Exception e) when (e is InvalidDataException or UnknownSourceException)
                {
                    var fault = e as InvalidDataException ?? pipelineFile.Explain((UnknownSourceException)e) ?? e;
                    throw new ServerConfigException(ServeConfig.PipelineConfigKey, $"{ServeConfig.PipelineConfigKey}: {fault.Message}");
                }
            }
        }
        CheckVariantVersions(registry, serving, experiments);
        return active;
    }

    /// <summary>Every registry version (or version's ranker) a variant names is in the registry, whole.</summary>
    private static void CheckVariantVersions(ModelRegistry registry, ServingOptions serving, IReadOnlyList<Pipeline.Experiments.ExperimentConfig> experiments)
    {
        for (int x = 0; x < experiments.Count; x++)
        {
            var variants = experiments[x].Variants;
            for (int v = 0; v < variants.Count; v++)
            {
                string at = $"experiments[{x}].variants[{v}]";
                if (variants[v].Version is { } version)
                    CheckVersion(registry, serving, version, at + ".version");
                if (variants[v].Ranker is { } ranker && ranker != Pipeline.Experiments.VariantConfig.FallbackRanker)
                {
                    var named = CheckVersion(registry, serving, ranker, at + ".ranker");
                    if (named.Manifest.Ranker is null)
                        throw new ServerConfigException(ServeConfig.ExperimentsKey, $"{ServeConfig.ExperimentsKey}: {serving.ExperimentsFile}: {at}.ranker: version '{ranker}' has no ranker file");
                }
            }
        }
    }

    private static RegistryVersion CheckVersion(ModelRegistry registry, ServingOptions serving, string id, string at)
    {
        try
        {
            return registry.Get(id);
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException or VersionCorruptedException)
        {
            throw new ServerConfigException(ServeConfig.ExperimentsKey, $"{ServeConfig.ExperimentsKey}: {serving.ExperimentsFile}: {at}: {e.Message}");
        }
    }
}
