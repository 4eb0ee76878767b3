using System.Globalization;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Models;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Ranking;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Evaluation;

/// <summary>
/// The serving pipeline as an <see cref="IRecommender"/>, so offline evaluation (<c>Evaluator</c>, <c>recsys eval</c>)
/// scores the very object the server runs, not a re-implementation:
/// <code>
///   Fit    [ranker] inner split of the training part (LabelSplit or FitFraction, the test protocol again) -> a pipeline on the inner
///          75% whose ranking stage records each request's feature rows (RankingFeatureWriter, the serving assembly) ->
///          rows labelled by the inner 25% -> TrainedRanker (GBDT or MLP, early-stopped on held-back users) -> on the
///          same inner pipeline, now ranked, each post-processing setting of PostProcessGrid (MMR lambda, exploration
///          share) measured on the inner held-out items; the best NDCG at inner coverage >= CoverageTarget is kept; the
///          ranker serves only when it beats rank fusion on its validation rows (RankerGate, as `recsys train` ships it)
///          train ALS, content (when the data has item metadata), popularity and trending by segment -> a FASTER store
///          in a temporary directory -> ServingBootstrap (histories, profiles, indexes) -> a pipeline version (the home
///          surface by default, every stage on; the learned ranker when one was trained, else rank fusion)
///   Replay every user asks once (k = Depth, request id "eval-{user}", now = a day after the last training event), in
///          user order on one thread, each answer's items counted as impressions as a live server counts them
///          (exploration's LeastShown reads the counts); the answers are kept
///   Score  the user's kept answer: rank r becomes the score Depth - r, every other item -infinity
/// </code>
/// Depth should be the evaluation's k: post-processing shapes the page the user is shown (an exploration slot of a
/// 10-item page sits inside the top 10, one of a 100-item page may not). Sources run inline with 10 s budgets, the
/// ranker's training rows are captured with no impressions counted, and the indexes are built on one thread
/// (<see cref="Bootstrap"/>), so the result depends neither on the machine's load nor on the order or threads users are
/// scored in: the same data and seed give the same rows, ranker and lists. Score users about one thread per core
/// (EvaluationOptions.MaxDegreeOfParallelism): the feature store's reads slow down sharply with many more threads
/// than cores. The learned ranker is served by its C# pass (the ONNX export a deployment serves is tested equal to it
/// within 1e-5). Dispose removes the store.
/// </summary>
public sealed class PipelineRecommender(ModelSettings? settings = null, Func<ServingModels, PipelineConfig>? config = null, string surface = "home", int depth = 10,
    RankerKind? ranker = null, Action<string>? log = null)
    : IRecommender, IDisposable
{
    private readonly ModelSettings _settings = settings ?? new ModelSettings();
    private Served? _served;

    /// <summary>Offline, a source is never dropped for time: what it returns, not how fast, is being measured.</summary>
    private static readonly TimeSpan OfflineBudget = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The indexes are built on one thread: HNSW links nodes in parallel by default, and the graph (so the collaborative
    /// and content candidates, the ranker's training rows and its early stopping) then depends on thread timing. An
    /// evaluation has to reproduce by seed; 1,682 MovieLens items take well under a second on one thread.
    /// </summary>
    internal static readonly BootstrapOptions Bootstrap = new() { Build = IndexBuildSettings.Default with { Threads = 1 } };

    /// <summary>"pipeline" whatever ranks it (Describe names the ranker), so result rows keep one name.</summary>
    public string Name => "pipeline";

    /// <summary>The pipeline built by <see cref="Fit"/> (for inspection).</summary>
    public RecommendationPipeline Pipeline => _served?.Pipeline ?? throw new InvalidOperationException("call Fit first");

    public int Depth { get; } = depth >= 1 ? depth : throw new ArgumentOutOfRangeException(nameof(depth));

    /// <summary>
    /// (MMR lambda, exploration share) settings of the surface tried on the inner split after the ranker is trained; empty
    /// = keep the config's. Only with a ranker (the inner pipeline exists only then).
    /// </summary>
    public IReadOnlyList<(float MmrLambda, float ExplorationShare)> PostProcessGrid { get; init; } = [];

    /// <summary>The least inner-split catalog coverage a grid setting must reach to be chosen (the best NDCG among those; the best NDCG overall when none does).</summary>
    public double CoverageTarget { get; init; } = 0.30;

    /// <summary>
    /// Replay the traffic in user order with served items counted as impressions (the default, as a server counts them);
    /// false = no impressions counted, each user answered when scored (exploration then sees an unexposed catalog).
    /// </summary>
    public bool CountImpressions { get; init; } = true;

    /// <summary>
    /// Serve the trained ranker only when its validation NDCG beats rank fusion's on the same validation rows, as
    /// <c>recsys train</c> ships it (<c>--ranker-gate</c>); otherwise the pipeline serves rank fusion, the grid included.
    /// False = serve the ranker whatever it scores.
    /// </summary>
    public bool RankerGate { get; init; } = true;

    /// <summary>The trained ranker (null without one; trained but not served when <see cref="RankerServed"/> is false).</summary>
    public TrainedRanker? Ranker { get; private set; }

    /// <summary>Rank fusion's NDCG@10 on the ranker's validation rows (NaN without a ranker).</summary>
    public double FusionValidationNdcg { get; private set; } = double.NaN;

    /// <summary>True when the trained ranker serves the ranking stage (it passed <see cref="RankerGate"/>, or the gate is off).</summary>
    public bool RankerServed { get; private set; }

    /// <summary>Each grid setting's inner-split NDCG@10 and coverage, in grid order.</summary>
    public IReadOnlyList<(float MmrLambda, float ExplorationShare, double Ndcg, double Coverage)> GridResults { get; private set; } = [];

    private (float MmrLambda, float ExplorationShare)? _chosen;

    public string Describe()
    {
        if (_served is null)
            return $"surface={surface} depth={Depth}";
        var s = _served.Pipeline.Version.Config.Surface(surface);
        string rankerText = Ranker is null ? _served.Pipeline.Version.Ranker.Name
            : RankerServed ? $"{_served.Pipeline.Version.Ranker.Name} [{Ranker.Describe(_settings.Ranker)} validation_ndcg={Ranker.ValidationNdcg:F4} fusion={FusionValidationNdcg:F4}]"
            : $"{_served.Pipeline.Version.Ranker.Name} [trained ranker not served: validation_ndcg={Ranker.ValidationNdcg:F4} <= fusion={FusionValidationNdcg:F4}]";
        return $"surface={surface} ranker={rankerText} sources={string.Join(",", s.Sources.Select(x => $"{x.Name}:{x.Count}:{x.Weight:G}"))} "
            + $"mmr={s.MmrLambda:G} cap={s.CategoryCap} exploration={s.ExplorationShare:G}"
            + (s.ExplorationShare > 0 ? $" exploration_pool={s.ExplorationPool} exploration_floor={s.ExplorationEstablishedImpressions ?? _served.Pipeline.Version.Config.ExplorationImpressions}" : "")
            + $" als=[{_settings.Als}]";
    }

    public void Fit(TrainingData data) => FitAsync(data).GetAwaiter().GetResult();

    private async Task FitAsync(TrainingData data)
    {
        Dispose();
        Ranker = null;
        RankerServed = false;
        FusionValidationNdcg = double.NaN;
        _chosen = null;
        GridResults = [];
        if (ranker is { } kind)
        {
            RankerTrainingOptions options = _settings.Ranker with { Ranker = kind, Log = log };
            // The test protocol's own split when given (temporal), else the random per-user one.
            DataSplit inner = options.LabelSplit?.Invoke(data.Events)
                ?? Splitter.RandomPerUser(data.Events, options.FitFraction, options.Seed ^ 0x4A4B_1E5E_ED00UL);
            var innerData = new TrainingData(inner.Train);
            InteractionMatrix labels = InteractionMatrix.FromSet(inner.Test, binary: true);
            RankingFeatureSchema? schema = null;
            FeatureCaptureRanker? capture = null;
            using (Served rows = await BuildAsync(innerData, c => capture = new FeatureCaptureRanker(schema = SchemaOf(data, c))).ConfigureAwait(false))
            {
                RankingDataset dataset = Capture(rows, capture!, labels);
                log?.Invoke($"pipeline ranker rows: {dataset.Queries} users, {dataset.Rows} candidates ({schema!.Count} features)");
                Ranker = TrainedRanker.Train(dataset, options);
                var innerConfig = rows.Pipeline.Version.Config;
                FusionValidationNdcg = FusionBaseline.Ndcg(TrainedRanker.SplitForTraining(dataset, options).Validation, innerConfig.Surface(surface), innerConfig.FusionC, options.Mlp.K);
                RankerServed = !RankerGate || Ranker.ValidationNdcg > FusionValidationNdcg;
                log?.Invoke($"pipeline ranker: {Ranker.Describe(options)} validation_ndcg={Ranker.ValidationNdcg:F4} (rank fusion {FusionValidationNdcg:F4}; sources alone: "
                    + string.Join(" ", Ranker.ValidationBaselines.Select(p => $"{p.Key}={p.Value:F4}")) + ")"
                    + (RankerServed ? "" : "; not served: it does not beat rank fusion on validation, so the pipeline serves rank fusion (gate off serves it anyway)"));
                if (PostProcessGrid.Count > 0)
                    ChoosePostProcessing(rows, innerData, labels);
            }
        }
        _served = await BuildAsync(data, _ => RankerServed ? new LearnedRanker(Ranker!) : null, CountImpressions).ConfigureAwait(false);
        if (CountImpressions)
            _served.Replay();
    }

    /// <summary>The ranker's schema: the catalog's categories, the surface's sources (by their serving names), the pipeline's history window.</summary>
    private RankingFeatureSchema SchemaOf(TrainingData data, PipelineConfig c)
    {
        string[] categories = data.Catalog is null ? [] : [.. data.Catalog.DistinctCategories().Take(RankingFeatureSchema.MaxCategories)];
        string[] sources = [.. c.Surface(surface).Sources.Select(s => s.Name)];
        return RankingFeatureSchema.Create(categories, sources, _settings.Ranker.Groups, c.HistoryWindow, _settings.Ranker.CounterHalfLifeHours);
    }

    /// <summary>Every user with held-out items asks the inner pipeline once; the captured rows of their candidates are labelled by those items.</summary>
    private RankingDataset Capture(Served served, FeatureCaptureRanker capture, InteractionMatrix labels)
    {
        var users = Enumerable.Range(0, labels.RowCount).Where(u => labels.RowLength(u) > 0).ToArray();
        Parallel.ForEach(users, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, u => served.Recommend(u, Depth, "train-"));
        var features = new List<float>();
        var rowLabels = new List<float>();
        var start = new List<int> { 0 };
        var queryUser = new List<int>();
        var relevant = new List<int>();
        foreach (int u in users)
        {
            if (!capture.Captured.TryGetValue("train-" + u.ToString(CultureInfo.InvariantCulture), out var q) || q.Ordinals.Length == 0)
                continue;
            ReadOnlySpan<int> held = labels.Columns(u);
            features.AddRange(q.Rows);
            foreach (int item in q.Ordinals)
                rowLabels.Add(held.BinarySearch(item) >= 0 ? 1f : 0f);
            start.Add(rowLabels.Count);
            queryUser.Add(u);
            relevant.Add(held.Length);
        }
        return new RankingDataset(capture.Writer.Schema, [.. features], [.. rowLabels], [.. start], [.. queryUser], [.. relevant]);
    }

    /// <summary>
    /// Each grid setting on the inner pipeline, ranked by the trained ranker, against the inner held-out items (all inner
    /// users: most trained the ranker, so these NDCGs run high, alike for every setting); never the test part.
    /// </summary>
    private void ChoosePostProcessing(Served served, TrainingData innerData, InteractionMatrix labels)
    {
        var results = new List<(float, float, double, double)>();
        IRanker ranked = RankerServed ? new LearnedRanker(Ranker!) : new ReciprocalRankFusionRanker();
        foreach (var (mmr, share) in PostProcessGrid)
        {
            served.Activate(WithPostProcessing(served.Pipeline.Version.Config, mmr, share) with { CountServedImpressions = CountImpressions }, ranked);
            if (CountImpressions)
                served.Replay();
            EvaluationResult r = Evaluator.Evaluate(served, innerData, labels, new EvaluationOptions { K = 10, MaxDegreeOfParallelism = Environment.ProcessorCount });
            results.Add((mmr, share, r.Ndcg, r.Coverage));
            log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"inner split: mmr={mmr:G} exploration={share:G} ndcg@10={r.Ndcg:F4} coverage={r.Coverage:F4}"));
        }
        GridResults = results;
        var eligible = results.Where(r => r.Item4 >= CoverageTarget).ToList();
        var best = (eligible.Count > 0 ? eligible : results).MaxBy(r => r.Item3);
        _chosen = (best.Item1, best.Item2);
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"chosen on the inner split: mmr={best.Item1:G} exploration={best.Item2:G}"));
    }

    private PipelineConfig WithPostProcessing(PipelineConfig c, float mmr, float share) =>
        c with { Surfaces = [.. c.Surfaces.Select(s => s.Name == surface ? s with { MmrLambda = mmr, ExplorationShare = share } : s)] };

    private async Task<Served> BuildAsync(TrainingData data, Func<PipelineConfig, IRanker?> rankerOf, bool countImpressions = false)
    {
        var trained = TrainedModels.Train(data, _settings);
        string directory = Path.Combine(Path.GetTempPath(), "recsys-eval-pipeline-" + Guid.NewGuid().ToString("N"));
        var store = await FasterFeatureStore.OpenAsync(new FasterFeatureStoreOptions
            {
                DataDirectory = directory, CheckpointInterval = TimeSpan.Zero, MemoryBudgetBytes = 64L << 20, HistoryCapacity = HistoryCapacityFor(data.Events),
            })
            .ConfigureAwait(false);
        var (catalog, models) = await ServingBootstrap.BuildAsync(data, store, trained.Als, trained.Content, trained.Popularity, trained.Trending, Bootstrap, sequence: trained.Sequence)
            .ConfigureAwait(false);
        var pipelineConfig = (config ?? (m => PipelineDefaults.Config(m, "eval")))(models) with { CountServedImpressions = countImpressions };
        pipelineConfig = pipelineConfig.ForOfflineRun(surface, OfflineBudget);
        if (_chosen is { } chosen)
            pipelineConfig = WithPostProcessing(pipelineConfig, chosen.MmrLambda, chosen.ExplorationShare);
        var version = PipelineVersion.Create(pipelineConfig, models, catalog, rankerOf(pipelineConfig));
        var pipeline = new RecommendationPipeline(store, catalog, version, new PipelineOptions { ParallelSources = false });
        return new Served(store, directory, pipeline, CatalogIdMap.FromIdMap(data.Events.Users), data.ItemCount, data.Events.MaxTimestamp() * 1000 + 86_400_000, Depth, surface);
    }

    /// <summary>
    /// The store keeps every training event of the heaviest user (at least the serving default, 200): the seen filter
    /// reads as far back as the store keeps, and an evaluation that let a user's older items back into the answer would
    /// score a page the user never gets from a store sized for them.
    /// </summary>
    internal static int HistoryCapacityFor(InteractionSet events)
    {
        var perUser = new int[events.UserCount];
        int longest = 0;
        foreach (int u in events.UserOrdinals)
            longest = Math.Max(longest, ++perUser[u]);
        return Math.Max(200, longest);
    }

    public void Score(int user, Span<float> scores) => (_served ?? throw new InvalidOperationException("call Fit first")).Score(user, scores);

    public void Dispose()
    {
        _served?.Dispose();
        _served = null;
    }

    /// <summary>One built pipeline over its own store, answering for users of the data it was built from.</summary>
    private sealed class Served(FasterFeatureStore store, string directory, RecommendationPipeline pipeline, CatalogIdMap users, int items, long nowMs, int depth, string surface)
        : IRecommender, IDisposable
    {
        public RecommendationPipeline Pipeline => pipeline;

        public string Name => "pipeline";

        public void Fit(TrainingData data) => throw new NotSupportedException("built already");

        public string Describe() => $"pipeline version {pipeline.Version.Name}";

        private RecommendResponse[]? _answers;

        public void Activate(PipelineConfig config, IRanker ranker)
        {
            pipeline.Activate(pipeline.Version.With(config, pipeline.Catalog, ranker));
            _answers = null;
        }

        /// <summary>From no impressions, every user asks once in user order on this thread; Score then returns these answers.</summary>
        public void Replay()
        {
            _answers = null;
            pipeline.Catalog.ClearImpressions();
            var answers = new RecommendResponse[users.Count];
            for (int u = 0; u < answers.Length; u++)
                answers[u] = Recommend(u, depth, "eval-");
            _answers = answers;
        }

        public RecommendResponse Recommend(int user, int k, string prefix)
        {
            var request = new RecommendRequest { UserId = users.ExternalId(user), Surface = surface, K = k, NowMs = nowMs, RequestId = prefix + user.ToString(CultureInfo.InvariantCulture) };
            return pipeline.RecommendAsync(request).AsTask().GetAwaiter().GetResult();
        }

        public void Score(int user, Span<float> scores)
        {
            scores[..items].Fill(float.NegativeInfinity);
            var response = _answers is { } kept ? kept[user] : Recommend(user, depth, "eval-");
            for (int r = 0; r < response.Items.Length; r++)
            {
                if (pipeline.Catalog.Items.TryGetOrdinal(response.Items[r].ItemId, out int item) && item < items)
                    scores[item] = depth - r;
            }
        }

        public void Dispose()
        {
            pipeline.Version.Models.CfIndex?.Dispose();
            pipeline.Version.Models.ContentIndex?.Dispose();
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
