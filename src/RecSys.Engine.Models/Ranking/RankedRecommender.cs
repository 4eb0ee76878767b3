using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The two-stage recommender offline ("ranked"): the retrieval sources -> feature assembly -> a learned ranker (MLP or
/// LambdaRank GBDT, <see cref="RankerTrainingOptions.Ranker"/>). Fit never looks at the test part:
/// <code>
///  training part --held-out labels: the test protocol's own split (LabelSplit), inner random splits (FitFraction), or K folds per user (CrossFitFolds)-->
///     per split: sources fitted on the rest -> candidates per user -> feature rows, labelled by the held-out part
///     users split (ValidationFraction) -> ranker trained on the rest, early-stopped on their NDCG@K (the test protocol)
///  sources refitted on the whole training part -> Score: candidates -> features -> ranker; other items -inf
/// </code>
/// With K-fold cross-fitting every training event is a label exactly once, and the sources that produce each fold's
/// features saw (K-1)/K of the training part: nearer the strength they have when refitted on all of it.
/// </summary>
public sealed class RankedRecommender : IRecommender
{
    private readonly Func<string, IRecommender?> _createSource;
    private readonly ThreadLocal<(RankingCandidateGenerator Generator, OfflineRankingScratch Features, MlpScratch? Mlp, float[] Scores)?> _scratch = new();
    private OfflineRankingFeatures? _features;
    private RankingCandidateGenerator? _generator;
    private RankingFeatureAssembler? _assembler;

    /// <param name="createSource">A new, untrained source by schema name; null where the engine has none (two-tower today).</param>
    public RankedRecommender(Func<string, IRecommender?> createSource, RankerTrainingOptions? options = null)
    {
        _createSource = createSource;
        Options = options ?? new RankerTrainingOptions();
        Options.Validate();
    }

    public string Name => "ranked";

    public RankerTrainingOptions Options { get; }

    /// <summary>The trained MLP (when <see cref="RankerTrainingOptions.Ranker"/> is <see cref="RankerKind.Mlp"/>).</summary>
    public MlpTrainingResult? Mlp { get; private set; }

    /// <summary>The trained GBDT (when <see cref="RankerTrainingOptions.Ranker"/> is <see cref="RankerKind.Gbdt"/>).</summary>
    public GbdtRanker? Gbdt { get; private set; }

    /// <summary>NDCG@K of the trained ranker on the validation queries (<see cref="RankingDatasetMetrics"/>: the test protocol).</summary>
    public double ValidationNdcg { get; private set; }

    /// <summary>Training queries and rows (for reports).</summary>
    public (int Queries, int Rows, double PositiveRate) TrainingRows { get; private set; }

    /// <summary>NDCG@K on the validation queries of each source's own order (what the ranker has to beat there).</summary>
    public IReadOnlyDictionary<string, double> ValidationBaselines { get; private set; } = new Dictionary<string, double>();

    /// <summary>The feature schema the ranker was trained on (and is served with).</summary>
    public RankingFeatureSchema Schema => _assembler?.Schema ?? throw new InvalidOperationException("the ranked recommender is not fitted");

    public string Describe()
    {
        string kind = Options.Ranker.ToString().ToLowerInvariant();
        if (Mlp is null && Gbdt is null)
            return $"ranker={kind} (not fitted)";
        string model = Mlp is not null ? $"{Mlp.Model.Describe()} best_epoch={Mlp.BestEpoch} {Options.Mlp}" : $"{Gbdt!.Describe()}";
        string rows = Options.LabelSplit is not null ? "label_split=given" : Options.CrossFitFolds >= 2 ? $"cross_fit_folds={Options.CrossFitFolds}" : $"fit_fraction={Options.FitFraction:G} inner_splits={Options.InnerSplits}";
        return $"ranker={kind} {model} groups={Options.Groups.ToString().Replace(", ", "+").ToLowerInvariant()} per_source={Options.PerSource} {rows} "
            + $"validation_ndcg={ValidationNdcg:F4} (sources alone: {string.Join(" ", ValidationBaselines.Select(p => $"{p.Key}={p.Value:F4}"))})";
    }

    public void Fit(TrainingData data) => Fit(data, BuildTrainingRows(data));

    /// <summary>
    /// The training rows of <paramref name="data"/> (the training part): per inner split or fold, the sources fitted on
    /// the rest, their candidates for every user, labelled by the held-out events.
    /// </summary>
    public RankingDataset BuildTrainingRows(TrainingData data)
    {
        var parts = new List<RankingDataset>();
        foreach (var (fit, heldOut) in LabelSplits(data.Events))
            parts.Add(BuildRows(new TrainingData(fit), InteractionMatrix.FromSet(heldOut, binary: true)));
        return RankingDataset.Concat(parts);
    }

    /// <summary>Rows of the candidates of sources fitted on <paramref name="fit"/>, labelled by <paramref name="labels"/> (users x items).</summary>
    public RankingDataset BuildRows(TrainingData fit, InteractionMatrix labels)
    {
        var (features, generator) = Retrieval(fit, SchemaOf(fit));
        return RankingDatasetBuilder.Build(features, generator, labels);
    }

    /// <summary>Trains the ranker on <paramref name="rows"/> (from <see cref="BuildTrainingRows"/>) and fits the sources on <paramref name="data"/>.</summary>
    public void Fit(TrainingData data, RankingDataset rows)
    {
        RankingFeatureSchema schema = SchemaOf(data);
        if (rows.Schema.FirstDifference(schema, "the training rows", "this data's schema") is { } diff)
            throw new ArgumentException(diff, nameof(rows));
        TrainingRows = (rows.Queries, rows.Rows, rows.Rows == 0 ? 0 : rows.Labels.Sum() / rows.Rows);
        TrainedRanker trained = TrainedRanker.Train(rows, Options);
        Mlp = trained.Mlp;
        Gbdt = trained.Gbdt;
        ValidationNdcg = trained.ValidationNdcg;
        ValidationBaselines = trained.ValidationBaselines;

        (_features, _generator) = Retrieval(data, schema);
        _assembler = new RankingFeatureAssembler(schema);
    }

    /// <summary>The schema of <paramref name="data"/> under these options: its catalog's categories, the default sources.</summary>
    public RankingFeatureSchema SchemaOf(TrainingData data)
    {
        string[] categories = data.Catalog is null ? [] : [.. data.Catalog.DistinctCategories().Take(RankingFeatureSchema.MaxCategories)];
        return RankingFeatureSchema.Create(categories, Options.Sources, Options.Groups, Options.HistoryWindow, Options.CounterHalfLifeHours);
    }

    public void Score(int user, Span<float> scores)
    {
        if (_features is null || _generator is null || _assembler is null)
            throw new InvalidOperationException("the ranked recommender is not fitted");
        var s = _scratch.Value is { } held && held.Generator == _generator ? held
            : (_scratch.Value = (_generator, new OfflineRankingScratch(_generator, _features), Mlp is null ? null : new MlpScratch(Mlp.Model),
                new float[_generator.PerSource * _generator.SourceCount])).Value;
        scores[.._generator.Seen.ColumnCount].Fill(float.NegativeInfinity);
        int n = _features.Assemble(user, _generator, _assembler, s.Features);
        if (Mlp is not null)
            Mlp.Model.Score(s.Features.Tensor, n, s.Scores, s.Mlp!);
        else
            Gbdt!.Score(s.Features.Tensor, n, s.Scores);
        ReadOnlySpan<int> items = s.Features.Candidates!.CandidateItems;
        for (int c = 0; c < n; c++)
            scores[items[c]] = s.Scores[c];
    }

    /// <summary>The (fit, held-out) event sets the training rows come from: the given split, inner random splits, or K folds per user.</summary>
    private IEnumerable<(InteractionSet Fit, InteractionSet HeldOut)> LabelSplits(InteractionSet events)
    {
        if (Options.LabelSplit is { } given)
        {
            DataSplit split = given(events);
            yield return (split.Train, split.Test);
            yield break;
        }
        if (Options.CrossFitFolds < 2)
        {
            for (int split = 0; split < Options.InnerSplits; split++)
            {
                DataSplit inner = Splitter.RandomPerUser(events, Options.FitFraction, Options.Seed ^ (0x4A4B_1E5E_ED00UL + (ulong)split));
                yield return (inner.Train, inner.Test);
            }
            yield break;
        }
        int[] fold = FoldPerEvent(events, Options.CrossFitFolds, Options.Seed ^ 0xC205_5F17UL);
        for (int k = 0; k < Options.CrossFitFolds; k++)
        {
            var fit = new List<int>(events.Count);
            var heldOut = new List<int>(events.Count / Options.CrossFitFolds + 1);
            for (int e = 0; e < events.Count; e++)
                (fold[e] == k ? heldOut : fit).Add(e);
            yield return (events.Subset(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(fit)),
                events.Subset(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(heldOut)));
        }
    }

    /// <summary>
    /// Each event's fold: every user's events shuffled (a seeded stream per user) and dealt round-robin into
    /// <paramref name="folds"/> folds, so each fold holds about 1/folds of every user. A user with fewer events than
    /// folds is held out in the first folds only (and fitted on in the rest).
    /// </summary>
    private static int[] FoldPerEvent(InteractionSet events, int folds, ulong seed)
    {
        var byUser = new List<int>[events.UserCount];
        for (int e = 0; e < events.Count; e++)
            (byUser[events.UserOrdinals[e]] ??= []).Add(e);
        var fold = new int[events.Count];
        for (int u = 0; u < byUser.Length; u++)
        {
            if (byUser[u] is not { } list)
                continue;
            var rng = new SplitMix64(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(u + 1)));
            for (int i = list.Count - 1; i > 0; i--)
            {
                int j = (int)(rng.Next() % (ulong)(i + 1));
                (list[i], list[j]) = (list[j], list[i]);
            }
            for (int i = 0; i < list.Count; i++)
                fold[list[i]] = list.Count < 2 ? -1 : i % folds; // a single event stays in every fit part
        }
        return fold;
    }

    /// <summary>The schema's sources fitted on <paramref name="data"/>, the offline feature values of it, and the generator over both.</summary>
    private (OfflineRankingFeatures, RankingCandidateGenerator) Retrieval(TrainingData data, RankingFeatureSchema schema)
    {
        var sources = new IRecommender?[schema.Sources.Count];
        ContentEncoder? content = null;
        ImplicitAls? als = null;
        for (int s = 0; s < sources.Length; s++)
        {
            string name = schema.Sources[s];
            if (name == "content" && data.Catalog is null)
                continue;
            IRecommender? source = _createSource(name);
            source?.Fit(data);
            sources[s] = source;
            content ??= source as ContentEncoder;
            als ??= source as ImplicitAls;
        }
        if (content is null && data.Catalog is not null)
        {
            // The content similarity feature needs item vectors even when the content source is left out.
            content = new ContentEncoder();
            content.Fit(data);
        }
        return (new OfflineRankingFeatures(data, schema, content, als), new RankingCandidateGenerator(sources, data.Matrix, Options.PerSource));
    }
}
