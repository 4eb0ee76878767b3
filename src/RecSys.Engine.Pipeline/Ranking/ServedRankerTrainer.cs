using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.Ranking.Gbdt;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Ranking;

/// <summary>
/// Trains the learned ranker a registry version ships, on rows the serving pipeline itself makes:
/// <code>
///   events --random per user (FitFraction)--> fit part | held-out part (the labels)
///   fit part -> TrainedModels.Train (the version's recipe) -> a temporary FASTER store seeded with it, the indexes
///            -> a RecommendationPipeline of the serving config whose ranker is a TrainingRowRecorder
///   per sampled user: one Recommend on the surface -> the candidates that survived the filters, with the features
///            the ONNX ranker will read (one RankingFeatureWriter), labelled 1 when the user holds the item out
///   rows split by user (ValidationFraction) -> MLP (LambdaRank) or LambdaRank GBDT, early-stopped on NDCG@K
///   validation NDCG of the ranker against rank fusion's on the same rows (FusionNdcg): the caller ships it only if ahead
///   -> exported to ONNX with its schema (sources: the names the pipeline runs, categories, history window)
/// </code>
/// The sources are fitted on the fit part only, so the held-out items' scores are what a ranker meets for an item the
/// user has not touched yet. Requests run one at a time with long source budgets: what the sources return, not how
/// fast, makes the rows, so the result does not depend on the machine's load.
/// </summary>
public static class ServedRankerTrainer
{
    private static readonly TimeSpan OfflineBudget = TimeSpan.FromSeconds(10);

    /// <param name="config">The serving pipeline's config for given models (as the version will be served).</param>
    /// <param name="path">The .onnx file to write (its schema JSON beside it).</param>
    public static async Task<ServedRanker> TrainAsync(TrainingData data, ModelSettings settings, Func<ServingModels, PipelineConfig> config, string path,
        ServedRankerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new ServedRankerOptions();
        options.Validate();

        DataSplit split = Splitter.RandomPerUser(data.Events, options.FitFraction, options.Seed ^ 0x5E2F_ED0A_11CEUL);
        var fit = new TrainingData(split.Train, data.Binary);
        var heldOut = InteractionMatrix.FromSet(split.Test, binary: true);
        var models = TrainedModels.Train(fit, settings, cancellationToken);

        string directory = Directory.CreateTempSubdirectory("recsys-ranker-rows-").FullName;
        try
        {
            RankingDataset rows;
            SurfaceConfig surface;
            float fusionC;
            await using (var store = await FasterFeatureStore.OpenAsync(new FasterFeatureStoreOptions
            {
                DataDirectory = directory,
                CheckpointInterval = TimeSpan.Zero,
                MemoryBudgetBytes = 64L << 20,
            }, cancellationToken).ConfigureAwait(false))
            {
                // One build thread: a multi-threaded HNSW build depends on thread timing, so the candidates, the rows and the
                // trained ranker would differ from run to run (as PipelineRecommender.Bootstrap found for the eval).
                var bootstrap = new BootstrapOptions
                {
                    CfIndex = options.CfIndex,
                    ContentIndex = options.ContentIndex,
                    PublishedAtMs = options.PublishedAtMs,
                    Build = IndexBuildSettings.Default with { Threads = 1 },
                };
                var (catalog, serving) = await ServingBootstrap.BuildAsync(fit, store, models.Als, models.Content, models.Popularity, models.Trending, bootstrap,
                    cancellationToken: cancellationToken, sequence: models.Sequence).ConfigureAwait(false);
                try
                {
                    var pipelineConfig = config(serving) with { CountServedImpressions = false };
                    pipelineConfig = pipelineConfig.ForOfflineRun(options.Surface, OfflineBudget);
                    surface = pipelineConfig.Surface(options.Surface);
                    fusionC = pipelineConfig.FusionC;
                    string[] categories = data.Catalog is null ? [] : [.. data.Catalog.DistinctCategories().Take(RankingFeatureSchema.MaxCategories)];
                    var schema = RankingFeatureSchema.Create(categories, [.. surface.Sources.Select(s => s.Name)], historyWindow: pipelineConfig.HistoryWindow);
                    var recorder = new TrainingRowRecorder(schema);
                    var version = PipelineVersion.Create(pipelineConfig, serving, catalog, recorder);
                    var pipeline = new RecommendationPipeline(store, catalog, version, new PipelineOptions { ParallelSources = false });
                    long nowMs = options.NowMs ?? data.Events.MaxTimestamp() * 1000 + 86_400_000;
                    rows = await RecordAsync(pipeline, recorder, CatalogIdMap.FromIdMap(data.Events.Users), heldOut, surface.Name, nowMs, options.MaxUsers, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    serving.CfIndex?.Dispose();
                    serving.ContentIndex?.Dispose();
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
            return Train(rows, path, options, surface, fusionC);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>One request per sampled user with held-out events; its recorded rows labelled by them.</summary>
    private static async Task<RankingDataset> RecordAsync(RecommendationPipeline pipeline, TrainingRowRecorder recorder, CatalogIdMap users, InteractionMatrix heldOut,
        string surface, long nowMs, int maxUsers, CancellationToken cancellationToken)
    {
        var candidates = new List<int>();
        for (int u = 0; u < heldOut.RowCount; u++)
        {
            if (heldOut.RowLength(u) > 0)
                candidates.Add(u);
        }
        // Evenly spread, so the sample is not the first users of the file (planted data lists them in taste order).
        int take = Math.Min(maxUsers, candidates.Count);
        int f = recorder.Schema.Count;
        var features = new List<float>();
        var labels = new List<float>();
        var start = new List<int> { 0 };
        var queryUser = new List<int>();
        var relevant = new List<int>();
        for (int i = 0; i < take; i++)
        {
            int u = candidates[(int)((long)i * candidates.Count / take)];
            recorder.Clear();
            await pipeline.RecommendAsync(new RecommendRequest
            {
                UserId = users.ExternalId(u),
                Surface = surface,
                K = 10,
                NowMs = nowMs,
                RequestId = "ranker-rows-" + u,
            }, cancellationToken).ConfigureAwait(false);
            int n = recorder.LastCount;
            if (n == 0)
                continue;
            ReadOnlySpan<int> held = heldOut.Columns(u);
            features.AddRange(recorder.LastRows.AsSpan(0, n * f));
            for (int c = 0; c < n; c++)
                labels.Add(held.BinarySearch(recorder.LastItems[c]) >= 0 ? 1f : 0f);
            start.Add(labels.Count);
            queryUser.Add(u);
            relevant.Add(held.Length);
        }
        if (queryUser.Count < 2)
            throw new InvalidOperationException($"only {queryUser.Count} of {take} sampled users reached the ranking stage: too few queries to train a ranker on");
        return new RankingDataset(recorder.Schema, [.. features], [.. labels], [.. start], [.. queryUser], [.. relevant]);
    }

    private static ServedRanker Train(RankingDataset rows, string path, ServedRankerOptions options, SurfaceConfig surface, float fusionC)
    {
        var (train, validation) = rows.SplitByQuery(options.ValidationFraction, options.Seed ^ 0x7A11_DA7EUL);
        int k = options.Mlp.K;
        double positives = rows.Rows == 0 ? 0 : rows.Labels.Sum() / rows.Rows;
        var baselines = RankingDatasetMetrics.SourceNdcg(validation, k);
        double fusion = FusionBaseline.Ndcg(validation, surface, fusionC, k);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (options.Kind == RankerKind.Mlp)
        {
            MlpTrainingResult mlp = MlpTrainer.Train(train, validation, options.Mlp with { Seed = options.Seed }, options.Log);
            string description = $"mlp {mlp.Model.Describe()} best_epoch={mlp.BestEpoch} queries={rows.Queries} rows={rows.Rows}";
            MlpOnnxExporter.Save(mlp.Model, path, description);
            return new ServedRanker(path, RankerKind.Mlp, rows.Schema, rows.Queries, rows.Rows, positives, mlp.ValidationNdcg, baselines, description, fusion);
        }
        // The run's seed reaches LightGBM as it reaches the MLP (low 31 bits: 42 stays 42).
        GbdtOptions gbdt = options.Gbdt with { NdcgAt = k, Seed = (int)(options.Seed & int.MaxValue) };
        GbdtTrainingResult result = GbdtTrainer.Train(train.ToTrainingSet(), validation.ToTrainingSet(), gbdt, options.Log,
            scores => RankingDatasetMetrics.MeanNdcg(validation, scores, k));
        var model = new GbdtRanker(rows.Schema, result.Model, $"gbdt trees={result.Model.TreeCount} best_round={result.BestIteration} queries={rows.Queries} rows={rows.Rows} {gbdt}");
        GbdtOnnxExporter.Save(model, path, model.Description);
        double ndcg = RankingDatasetMetrics.MeanNdcg(validation, model.ScoreAll(validation), k);
        return new ServedRanker(path, RankerKind.Gbdt, rows.Schema, rows.Queries, rows.Rows, positives, ndcg, baselines, model.Description, fusion);
    }
}
