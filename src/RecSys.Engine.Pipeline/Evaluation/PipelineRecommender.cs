using RecSys.Engine.Features.Faster;
using RecSys.Engine.Models;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Evaluation;

/// <summary>
/// The serving pipeline as an <see cref="IRecommender"/>, so offline evaluation (<c>Evaluator</c>, <c>recsys eval</c>)
/// scores the very object the server runs, not a re-implementation:
/// <code>
///   Fit    train ALS, content (when the data has item metadata), popularity and trending by segment with the
///          given settings -> a FASTER store in a temporary directory -> ServingBootstrap (histories, profiles,
///          indexes) -> a pipeline version (the home surface by default, every stage on)
///   Score  one Recommend call for the user (k = Depth, request id "eval-{user}", now = a day after the last
///          training event); the answer's rank r becomes the score Depth - r, every other item -infinity
/// </code>
/// Sources run inline with 10 s budgets and served items are not counted as impressions, so the result depends
/// neither on the machine's load nor on the order users are scored in. Score users about one thread per core
/// (EvaluationOptions.MaxDegreeOfParallelism): the feature store's reads slow down sharply with many more threads
/// than cores. Dispose removes the store.
/// </summary>
public sealed class PipelineRecommender(ModelSettings? settings = null, Func<ServingModels, PipelineConfig>? config = null, string surface = "home", int depth = 100)
    : IRecommender, IDisposable
{
    private readonly ModelSettings _settings = settings ?? new ModelSettings();
    private FasterFeatureStore? _store;
    private string? _directory;
    private RecommendationPipeline? _pipeline;
    private CatalogIdMap? _users;
    private int _items;
    private long _nowMs;

    /// <summary>Offline, a source is never dropped for time: what it returns, not how fast, is being measured.</summary>
    private static readonly TimeSpan OfflineBudget = TimeSpan.FromSeconds(10);

    public string Name => "pipeline";

    /// <summary>The pipeline built by <see cref="Fit"/> (for inspection).</summary>
    public RecommendationPipeline Pipeline => _pipeline ?? throw new InvalidOperationException("call Fit first");

    public int Depth { get; } = depth >= 1 ? depth : throw new ArgumentOutOfRangeException(nameof(depth));

    public string Describe()
    {
        if (_pipeline is null)
            return $"surface={surface} depth={Depth}";
        var s = _pipeline.Version.Config.Surface(surface);
        return $"surface={surface} ranker={_pipeline.Version.Ranker.Name} sources={string.Join(",", s.Sources.Select(x => $"{x.Name}:{x.Count}:{x.Weight:G}"))} "
            + $"mmr={s.MmrLambda:G} cap={s.CategoryCap} exploration={s.ExplorationShare:G} als=[{_settings.Als}]";
    }

    public void Fit(TrainingData data) => FitAsync(data).GetAwaiter().GetResult();

    private async Task FitAsync(TrainingData data)
    {
        Dispose();
        var trained = TrainedModels.Train(data, _settings);

        _directory = Path.Combine(Path.GetTempPath(), "recsys-eval-pipeline-" + Guid.NewGuid().ToString("N"));
        _store = await FasterFeatureStore.OpenAsync(new FasterFeatureStoreOptions { DataDirectory = _directory, CheckpointInterval = TimeSpan.Zero, MemoryBudgetBytes = 64L << 20 })
            .ConfigureAwait(false);
        var (catalog, models) = await ServingBootstrap.BuildAsync(data, _store, trained.Als, trained.Content, trained.Popularity, trained.Trending).ConfigureAwait(false);
        var pipelineConfig = (config ?? (m => PipelineDefaults.Config(m, "eval")))(models) with { CountServedImpressions = false };
        pipelineConfig = pipelineConfig with
        {
            Surfaces = [.. pipelineConfig.Surfaces.Select(s => s with { Sources = [.. s.Sources.Select(x => x with { Budget = OfflineBudget })] })],
        };
        var version = PipelineVersion.Create(pipelineConfig, models, catalog);
        _pipeline = new RecommendationPipeline(_store, catalog, version, new PipelineOptions { ParallelSources = false });
        _users = CatalogIdMap.FromIdMap(data.Events.Users);
        _items = data.ItemCount;
        _nowMs = data.Events.MaxTimestamp() * 1000 + 86_400_000;
    }

    public void Score(int user, Span<float> scores)
    {
        var pipeline = Pipeline;
        scores[.._items].Fill(float.NegativeInfinity);
        var request = new RecommendRequest { UserId = _users!.ExternalId(user), Surface = surface, K = Depth, NowMs = _nowMs, RequestId = "eval-" + user };
        var response = pipeline.RecommendAsync(request).AsTask().GetAwaiter().GetResult();
        for (int r = 0; r < response.Items.Length; r++)
        {
            if (pipeline.Catalog.Items.TryGetOrdinal(response.Items[r].ItemId, out int item) && item < _items)
                scores[item] = Depth - r;
        }
    }

    public void Dispose()
    {
        _pipeline?.Version.Models.CfIndex?.Dispose();
        _pipeline?.Version.Models.ContentIndex?.Dispose();
        _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store = null;
        _pipeline = null;
        if (_directory is not null)
        {
            try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
            _directory = null;
        }
    }
}
