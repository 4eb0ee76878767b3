using RecSys.Engine.Features.Faster;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>
/// The end-to-end rig: the planted catalog, models trained on it, a REAL FasterFeatureStore on a temp directory
/// (no mock), the serving state bootstrapped into it, and a pipeline over all of that.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private PipelineHarness(TempDirectory dir, PlantedCatalog planted, FasterFeatureStore store, LiveCatalog catalog, ServingModels models, RecommendationPipeline pipeline)
    {
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

    /// <summary>"Now" for every request: a day after the last training event.</summary>
    public long NowMs => Planted.MaxTimestampSeconds * 1000 + 86_400_000;

    public static async Task<PipelineHarness> CreateAsync(
        Func<PipelineConfig, PipelineConfig>? configure = null,
        IRanker? ranker = null,
        IEnumerable<ICandidateSource>? extraSources = null,
        PlantedCatalog? planted = null,
        bool parallelSources = true,
        string index = "HNSW16,efc100")
    {
        planted ??= new PlantedCatalog();
        var dir = new TempDirectory("recsys-pipeline");
        var store = await FasterFeatureStore.OpenAsync(new FasterFeatureStoreOptions
        {
            DataDirectory = dir.Path,
            MemoryBudgetBytes = 16L << 20,
            IndexBuckets = 1 << 14,
            CheckpointInterval = TimeSpan.Zero,
        });
        var data = planted.Data;
        var als = new ImplicitAls(new AlsOptions { Factors = 16, Iterations = 8, Lambda = 1f, Alpha = 10f, Seed = 3, MaxDegreeOfParallelism = 2 });
        als.Fit(data);
        var content = new ContentEncoder(new ContentOptions { HashBuckets = 256 });
        content.Fit(data);
        var popularity = new PopularityModel(new PopularityOptions { BySegment = true, SegmentPrior = 5 }, "popularity");
        popularity.Fit(data);
        var trending = new PopularityModel(new PopularityOptions { BySegment = true, HalfLifeDays = 30, SegmentPrior = 5 }, "trending");
        trending.Fit(data);
        var (catalog, models) = await ServingBootstrap.BuildAsync(data, store, als, content, popularity, trending, new BootstrapOptions
        {
            CfIndex = index,
            ContentIndex = index,
            Build = new Core.Index.Factory.IndexBuildSettings { Threads = 1 },
        });
        // Generous budgets: a test machine shared with other builds (and the first, JIT-compiling request) must not
        // drop a source the test relies on. The budget tests set their own.
        var config = Generous(PipelineDefaults.Config(models));
        if (configure is not null)
            config = configure(config);
        PipelineVersion version;
        try
        {
            version = PipelineVersion.Create(config, models, catalog, ranker, extraSources);
        }
        catch
        {
            await store.DisposeAsync();
            models.CfIndex?.Dispose();
            models.ContentIndex?.Dispose();
            dir.Dispose();
            throw;
        }
        var pipeline = new RecommendationPipeline(store, catalog, version, new PipelineOptions { ParallelSources = parallelSources });
        return new PipelineHarness(dir, planted, store, catalog, models, pipeline);
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

    /// <summary>Every source budget set to 10 s.</summary>
    public static PipelineConfig Generous(PipelineConfig config) => config with
    {
        Surfaces = [.. config.Surfaces.Select(s => s with { Sources = [.. s.Sources.Select(x => x with { Budget = TimeSpan.FromSeconds(10) })] })],
    };

    /// <summary>Replaces a surface of the config (by name) using <paramref name="change"/>.</summary>
    public static PipelineConfig WithSurface(PipelineConfig config, string name, Func<SurfaceConfig, SurfaceConfig> change) =>
        config with { Surfaces = [.. config.Surfaces.Select(s => s.Name == name ? change(s) : s)] };

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Models.CfIndex?.Dispose();
        Models.ContentIndex?.Dispose();
        _dir.Dispose();
    }
}
