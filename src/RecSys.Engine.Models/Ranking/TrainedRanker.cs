using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// A learned ranker trained on <see cref="RankingDataset"/> rows: the MLP or the LambdaRank GBDT
/// (<see cref="RankerTrainingOptions.Ranker"/>), early-stopped on the held-back queries' NDCG@K (the test protocol).
/// The one training recipe of the offline <see cref="RankedRecommender"/> and the serving pipeline's evaluation, so both
/// train the same model from their own rows. Scoring is thread-safe and allocates nothing once a thread is warm.
/// </summary>
public sealed class TrainedRanker
{
    private readonly ThreadLocal<MlpScratch>? _mlpScratch;

    private TrainedRanker(RankingFeatureSchema schema, MlpTrainingResult? mlp, GbdtRanker? gbdt, double validationNdcg, IReadOnlyDictionary<string, double> baselines)
    {
        Schema = schema;
        Mlp = mlp;
        Gbdt = gbdt;
        ValidationNdcg = validationNdcg;
        ValidationBaselines = baselines;
        if (mlp is not null)
            _mlpScratch = new ThreadLocal<MlpScratch>(() => new MlpScratch(mlp.Model));
    }

    public RankingFeatureSchema Schema { get; }

    public MlpTrainingResult? Mlp { get; }

    public GbdtRanker? Gbdt { get; }

    /// <summary>NDCG@K of the ranker on the held-back queries.</summary>
    public double ValidationNdcg { get; }

    /// <summary>NDCG@K on the held-back queries of each source's own order (what the ranker has to beat there).</summary>
    public IReadOnlyDictionary<string, double> ValidationBaselines { get; }

    /// <summary>The users (of the rows' queries) held back for early stopping: evaluation of anything chosen after training belongs on them.</summary>
    public IReadOnlyList<int> ValidationUsers { get; private init; } = [];

    public string Describe(RankerTrainingOptions options) => Mlp is not null ? $"{Mlp.Model.Describe()} best_epoch={Mlp.BestEpoch} {options.Mlp}" : Gbdt!.Describe();

    /// <summary>
    /// The training and validation queries <see cref="Train"/> uses for <paramref name="rows"/> and <paramref name="options"/>
    /// (by query, seeded): a caller measures a baseline on the very validation rows the ranker was judged on.
    /// </summary>
    public static (RankingDataset Train, RankingDataset Validation) SplitForTraining(RankingDataset rows, RankerTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        return rows.SplitByQuery(options.ValidationFraction, options.Seed ^ 0x7A11_DA7EUL);
    }

    /// <summary>Trains on <paramref name="rows"/>: <see cref="RankerTrainingOptions.ValidationFraction"/> of the queries held back for early stopping.</summary>
    public static TrainedRanker Train(RankingDataset rows, RankerTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (train, validation) = SplitForTraining(rows, options);
        int k = options.Mlp.K;
        MlpTrainingResult? mlp = null;
        GbdtRanker? gbdt = null;
        double ndcg;
        if (options.Ranker == RankerKind.Mlp)
        {
            mlp = MlpTrainer.Train(train, validation, options.Mlp with { Seed = options.Seed }, options.Log);
            ndcg = mlp.ValidationNdcg;
        }
        else
        {
            // The run's seed reaches LightGBM as it reaches the MLP (its seed is an int: the low 31 bits, so 42 stays 42).
            GbdtOptions settings = options.Gbdt with
            {
                NdcgAt = k, BaseFeature = BaseColumn(rows.Schema, options.GbdtBaseFeature), Seed = (int)(options.Seed & int.MaxValue),
            };
            // Early stopping on the test protocol's NDCG (every held-out item counts, retrieved or not), not LightGBM's.
            GbdtTrainingResult result = GbdtTrainer.Train(train.ToTrainingSet(), validation.ToTrainingSet(), settings, options.Log,
                scores => RankingDatasetMetrics.MeanNdcg(validation, scores, k));
            gbdt = new GbdtRanker(rows.Schema, result.Model, $"gbdt trees={result.Model.TreeCount} best_round={result.BestIteration} {settings}");
            ndcg = RankingDatasetMetrics.MeanNdcg(validation, gbdt.ScoreAll(validation), k);
        }
        return new TrainedRanker(rows.Schema, mlp, gbdt, ndcg, RankingDatasetMetrics.SourceNdcg(validation, k))
        {
            ValidationUsers = [.. validation.QueryUser],
        };
    }

    private static int BaseColumn(RankingFeatureSchema schema, string? name)
    {
        if (name is null)
            return -1;
        int column = schema.IndexOf(name);
        return column >= 0 ? column
            : throw new ArgumentException($"GBDT base feature '{name}' is not in the feature schema ({schema.Count} features)", "options");
    }

    /// <summary>Scores <paramref name="n"/> candidates from their rows ([n x features], row-major, <see cref="Schema"/>'s layout).</summary>
    public void Score(ReadOnlySpan<float> rows, int n, Span<float> scores)
    {
        if (Mlp is not null)
            Mlp.Model.Score(rows, n, scores, _mlpScratch!.Value!);
        else
            Gbdt!.Score(rows, n, scores);
    }
}
