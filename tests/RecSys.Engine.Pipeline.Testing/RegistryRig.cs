using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>
/// A registry and a REAL FASTER store on temp directories, over the planted catalog: versions are built from models
/// trained once per test class (<see cref="TrainedPlanted"/>), the state is opened and reopened like a server would.
/// </summary>
public sealed class RegistryRig : IDisposable
{
    private readonly TempDirectory _dir = new("recsys-registry");

    public RegistryRig(TrainedPlanted trained) => Trained = trained;

    public TrainedPlanted Trained { get; }

    public PlantedCatalog Planted => Trained.Planted;

    public string RegistryDirectory => Path.Combine(_dir.Path, "registry");

    public string StoreDirectory => Path.Combine(_dir.Path, "store");

    public ModelRegistry Registry => ModelRegistry.Open(RegistryDirectory);

    public long NowMs => Planted.MaxTimestampSeconds * 1000 + 86_400_000;

    public static VersionBuildOptions Build(string? id = null, string cfIndex = "HNSW16,efc100", string? ranker = null) => new()
    {
        Id = id,
        CfIndex = cfIndex,
        ContentIndex = "HNSW16,efc100",
        Build = new IndexBuildSettings { Threads = 1 },
        RankerFile = ranker,
        Source = "planted catalog",
        Metrics = new Dictionary<string, double> { ["ndcg@10"] = 0.5 },
    };

    public static ServingStateOptions Options(IRankerLoader? rankers = null, Func<ServingModels, PipelineConfig>? config = null, bool parallelSources = true) => new()
    {
        Store = new FasterFeatureStoreOptions { DataDirectory = "-", MemoryBudgetBytes = 16L << 20, IndexBuckets = 1 << 14, CheckpointInterval = TimeSpan.Zero },
        Config = models => PipelineHarness.Generous(config?.Invoke(models) ?? PipelineDefaults.Config(models)),
        Load = new VersionLoadOptions { RankerLoader = rankers },
        Pipeline = new PipelineOptions { ParallelSources = parallelSources },
    };

    /// <summary>The first start: version <paramref name="id"/> of the trained models, the store seeded, activated, opened.</summary>
    public Task<ServingState> CreateAsync(string id = "v1", ServingStateOptions? options = null, string? ranker = null) =>
        ServingState.CreateAsync(RegistryDirectory, StoreDirectory, Planted.Data, Trained.Models, Build(id, ranker: ranker), options ?? Options());

    public Task<ServingState> OpenAsync(ServingStateOptions? options = null) =>
        ServingState.OpenAsync(RegistryDirectory, StoreDirectory, options ?? Options());

    /// <summary>
    /// Another version: <paramref name="models"/> (default: the trained ones) of <paramref name="data"/> (default: the
    /// planted data; other data must extend its ids, as a retrain on the serving catalog does) with its own index files.
    /// </summary>
    public RegistryVersion AddVersion(string id, TrainedModels? models = null, string cfIndex = "HNSW16,efc100", string? ranker = null, Models.Data.TrainingData? data = null) =>
        VersionBuilder.Write(Registry, data ?? Planted.Data, models ?? Trained.Models, Build(id, cfIndex, ranker));

    public RecommendRequest Request(int user, string surface = "home", string? requestId = null, int k = 10) =>
        new() { UserId = PlantedCatalog.UserId(user), Surface = surface, K = k, NowMs = NowMs, RequestId = requestId ?? $"u{user}" };

    public void Dispose() => _dir.Dispose();
}

/// <summary>The planted catalog and models trained on it once (a class fixture: training is the slow part).</summary>
public sealed class TrainedPlanted
{
    public TrainedPlanted()
    {
        Planted = new PlantedCatalog();
        Models = TrainedModels.Train(Planted.Data, Settings(seed: 3));
    }

    public PlantedCatalog Planted { get; }

    public TrainedModels Models { get; }

    /// <summary>Settings of the harness's models; another <paramref name="seed"/> gives another ALS model of the same data.</summary>
    public static ModelSettings Settings(ulong seed) => new()
    {
        Als = new AlsOptions { Factors = 16, Iterations = 8, Lambda = 1f, Alpha = 10f, Seed = seed, MaxDegreeOfParallelism = 2 },
        Content = new ContentOptions { HashBuckets = 256 },
        TrendingSegmentPrior = 5,
    };
}
