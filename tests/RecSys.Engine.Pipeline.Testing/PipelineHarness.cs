using RecSys.Engine.Features;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>
/// The end-to-end rig: the planted catalog, models trained on it, a REAL FasterFeatureStore on a temp directory
/// (no mock), the serving state bootstrapped into it, and a pipeline over all of that. Given a data directory that
/// already holds a store (a restart), it reopens that store and loads the training events only the first time.
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    private readonly TempDirectory? _dir;

    private PipelineHarness(TempDirectory? dir, PlantedCatalog planted, FasterFeatureStore store, LiveCatalog catalog, ServingModels models, RecommendationPipeline pipeline,
        ContentEncoder content)
    {
        ContentModel = content;
        _dir = dir;
        Planted = planted;
        Store = store;
        Catalog = catalog;
        Models = models;
        Pipeline = pipeline;
    }

    public PlantedCatalog Planted { get; }

    public FasterFeatureStore Store { get; }

    public LiveCatalog Catalog { get; }

    public ServingModels Models { get; }

    public RecommendationPipeline Pipeline { get; }

    /// <summary>The content model the catalog's content vectors came from (offline feature computations need it).</summary>
    public ContentEncoder ContentModel { get; }

    /// <summary>"Now" for every request: a day after the last training event.</summary>
    public long NowMs => Planted.MaxTimestampSeconds * 1000 + 86_400_000;

    /// <summary>
    /// Trains the models on <paramref name="planted"/> and bootstraps the serving state into a FASTER store on
    /// <paramref name="dataDirectory"/> (null = a fresh temp directory, removed on dispose; a given one is left in place,
    /// and when it already holds a store, the store is reopened and the training events are not loaded again).
    /// </summary>
    public static async Task<PipelineHarness> CreateAsync(
        Func<PipelineConfig, PipelineConfig>? configure = null,
        IRanker? ranker = null,
        IEnumerable<ICandidateSource>? extraSources = null,
        PlantedCatalog? planted = null,
        bool parallelSources = true,
        string index = "HNSW16,efc100",
        TrainedModels? models = null,
        TwoTowerModel? twoTower = null,
        string? dataDirectory = null,
        Models.Data.TrainingData? data = null,
        PipelineOptions? options = null,
        int historyCapacity = 200,
        int seenCapacity = 1_000)
    {
        planted ??= new PlantedCatalog();
        var dir = dataDirectory is null ? new TempDirectory("recsys-pipeline") : null;
        string path = dataDirectory ?? dir!.Path;
        bool reopened = Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any();
        var store = await FasterFeatureStore.OpenAsync(new FasterFeatureStoreOptions
        {
            DataDirectory = path,
            MemoryBudgetBytes = 16L << 20,
            IndexBuckets = 1 << 14,
            CheckpointInterval = TimeSpan.Zero,
            HistoryCapacity = historyCapacity,
            SeenCapacity = seenCapacity,
        });
        // A split of the planted data (its training part) serves in place of the whole.
        data ??= planted.Data;
        models ??= TrainedModels.Train(data, TrainedPlanted.Settings(seed: 3));
        var (catalog, serving) = await BootstrapAsync(data, store, models, index, twoTower, loadHistories: !reopened);
        // Generous budgets: a test machine shared with other builds (and the first, JIT-compiling request) must not
        // drop a source the test relies on. The budget tests set their own.
        var config = Generous(PipelineDefaults.Config(serving));
        if (configure is not null)
            config = configure(config);
        PipelineVersion version;
        try
        {
            version = PipelineVersion.Create(config, serving, catalog, ranker, extraSources);
        }
        catch
        {
            await store.DisposeAsync();
            serving.CfIndex?.Dispose();
            serving.ContentIndex?.Dispose();
            serving.TwoTowerIndex?.Dispose();
            dir?.Dispose();
            throw;
        }
        var pipeline = new RecommendationPipeline(store, catalog, version, (options ?? new PipelineOptions()) with { ParallelSources = parallelSources });
        return new PipelineHarness(dir, planted, store, catalog, serving, pipeline,
            models.Content ?? throw new ArgumentException("the harness serves content vectors: the models need a content encoder", nameof(models)));
    }

    public ValueTask<RecommendResponse> RecommendAsync(long userId, string surface = "home", int k = 10, bool debug = false, RequestFilters? filters = null) =>
        Pipeline.RecommendAsync(new RecommendRequest { UserId = userId, Surface = surface, K = k, NowMs = NowMs, Debug = debug, Filters = filters });

    /// <summary>The items (external ids) the user interacted with in training.</summary>
    public HashSet<long> TrainingItems(int user)
    {
        var data = Planted.Data;
        var set = new HashSet<long>();
        data.Events.Users.TryGetOrdinal(PlantedCatalog.UserId(user).ToString(System.Globalization.CultureInfo.InvariantCulture), out int u);
        foreach (int item in data.Matrix.Columns(u))
            set.Add(long.Parse(data.Events.Items[item], System.Globalization.CultureInfo.InvariantCulture));
        return set;
    }

    /// <summary>
    /// The serving state the harness serves, over any store (the Garnet rig uses it too): every index built with
    /// <paramref name="index"/> on one thread (the same graph every run), histories loaded unless the store has them.
    /// </summary>
    public static Task<(LiveCatalog Catalog, ServingModels Models)> BootstrapAsync(Models.Data.TrainingData data, IFeatureStore store, TrainedModels models,
        string index = "HNSW16,efc100", TwoTowerModel? twoTower = null, bool loadHistories = true) =>
        ServingBootstrap.BuildAsync(data, store, models.Als, models.Content, models.Popularity, models.Trending, new BootstrapOptions
        {
            CfIndex = index,
            ContentIndex = index,
            TwoTowerIndex = index,
            Build = new Core.Index.Factory.IndexBuildSettings { Threads = 1 },
            LoadHistories = loadHistories,
        }, twoTower, sequence: models.Sequence);

    /// <summary>Every source budget set to 10 s.</summary>
    public static PipelineConfig Generous(PipelineConfig config) => config.WithSourceBudget(TimeSpan.FromSeconds(10));

    /// <summary>Replaces a surface of the config (by name) using <paramref name="change"/>.</summary>
    public static PipelineConfig WithSurface(PipelineConfig config, string name, Func<SurfaceConfig, SurfaceConfig> change) =>
        config with { Surfaces = [.. config.Surfaces.Select(s => s.Name == name ? change(s) : s)] };

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Models.CfIndex?.Dispose();
        Models.ContentIndex?.Dispose();
        Models.TwoTowerIndex?.Dispose();
        _dir?.Dispose();
    }
}
