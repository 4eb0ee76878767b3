using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The two-stage recommender offline ("ranked"): the retrieval sources -> feature assembly -> the MLP ranker. Fit
/// never looks at the test part:
/// <code>
///  training part --random per user (FitFraction)--> fit part  + held-out part (labels)
///     sources fitted on the fit part -> candidates per user -> feature rows, labelled by the held-out part
///     users split (ValidationFraction) -> MLP trained on the rest, early-stopped on their NDCG@K (the test protocol)
///  sources refitted on the whole training part -> Score: candidates -> features -> MLP; other items -inf
/// </code>
/// </summary>
public sealed class RankedRecommender : IRecommender
{
    private readonly Func<string, IRecommender?> _createSource;
    private readonly ThreadLocal<(RankingCandidateGenerator Generator, OfflineRankingScratch Features, MlpScratch Mlp, float[] Scores)?> _scratch = new();
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

    public MlpTrainingResult? Training { get; private set; }

    public MlpRanker Model => Training?.Model ?? throw new InvalidOperationException("the ranked recommender is not fitted");

    /// <summary>Training queries and rows (for reports).</summary>
    public (int Queries, int Rows, double PositiveRate) TrainingRows { get; private set; }

    /// <summary>NDCG@K on the validation queries of each source's own order (what the ranker has to beat there).</summary>
    public IReadOnlyDictionary<string, double> ValidationBaselines { get; private set; } = new Dictionary<string, double>();

    public string Describe() =>
        Training is null ? "ranker=mlp (not fitted)"
        : $"ranker=mlp {Model.Describe()} groups={Options.Groups.ToString().Replace(", ", "+").ToLowerInvariant()} per_source={Options.PerSource} "
          + $"best_epoch={Training.BestEpoch} validation_ndcg={Training.ValidationNdcg:F4} "
          + $"(sources alone: {string.Join(" ", ValidationBaselines.Select(p => $"{p.Key}={p.Value:F4}"))}) {Options.Mlp}";

    public void Fit(TrainingData data) => Fit(data, BuildTrainingRows(data));

    /// <summary>
    /// The training rows of <paramref name="data"/> (the training part): per inner split, the sources fitted on its fit
    /// part, their candidates for every user, labelled by its held-out part.
    /// </summary>
    public RankingDataset BuildTrainingRows(TrainingData data)
    {
        var schema = SchemaOf(data);
        var parts = new List<RankingDataset>();
        for (int split = 0; split < Options.InnerSplits; split++)
        {
            DataSplit inner = Splitter.RandomPerUser(data.Events, Options.FitFraction, Options.Seed ^ (0x4A4B_1E5E_ED00UL + (ulong)split));
            parts.Add(BuildRows(new TrainingData(inner.Train), InteractionMatrix.FromSet(inner.Test, binary: true)));
        }
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
        var (train, validation) = rows.SplitByQuery(Options.ValidationFraction, Options.Seed ^ 0x7A11_DA7EUL);
        Training = MlpTrainer.Train(train, validation, Options.Mlp with { Seed = Options.Seed }, Options.Log);
        ValidationBaselines = RankingDatasetMetrics.SourceNdcg(validation, Options.Mlp.K);

        (_features, _generator) = Retrieval(data, schema);
        _assembler = new RankingFeatureAssembler(schema);
    }

    private RankingFeatureSchema SchemaOf(TrainingData data)
    {
        string[] categories = data.Catalog is null ? [] : [.. data.Catalog.DistinctCategories().Take(RankingFeatureSchema.MaxCategories)];
        return RankingFeatureSchema.Create(categories, groups: Options.Groups);
    }

    public void Score(int user, Span<float> scores)
    {
        if (_features is null || _generator is null || _assembler is null)
            throw new InvalidOperationException("the ranked recommender is not fitted");
        var s = _scratch.Value is { } held && held.Generator == _generator ? held
            : (_scratch.Value = (_generator, new OfflineRankingScratch(_generator, _features), new MlpScratch(Model), new float[_generator.PerSource * _generator.SourceCount])).Value;
        scores[.._generator.Seen.ColumnCount].Fill(float.NegativeInfinity);
        int n = _features.Assemble(user, _generator, _assembler, s.Features);
        Model.Score(s.Features.Tensor, n, s.Scores, s.Mlp);
        ReadOnlySpan<int> items = s.Features.Candidates.CandidateItems;
        for (int c = 0; c < n; c++)
            scores[items[c]] = s.Scores[c];
    }

    /// <summary>The schema's sources fitted on <paramref name="data"/>, the offline feature values of it, and the generator over both.</summary>
    private (OfflineRankingFeatures, RankingCandidateGenerator) Retrieval(TrainingData data, RankingFeatureSchema schema)
    {
        var sources = new IRecommender?[schema.Sources.Count];
        ContentEncoder? content = null;
        for (int s = 0; s < sources.Length; s++)
        {
            string name = schema.Sources[s];
            if (name == "content" && data.Catalog is null)
                continue;
            IRecommender? source = _createSource(name);
            source?.Fit(data);
            sources[s] = source;
            content ??= source as ContentEncoder;
        }
        if (content is null && data.Catalog is not null)
        {
            // The content similarity feature needs item vectors even when the content source is left out.
            content = new ContentEncoder();
            content.Fit(data);
        }
        return (new OfflineRankingFeatures(data, schema, content), new RankingCandidateGenerator(sources, data.Matrix, Options.PerSource));
    }
}
