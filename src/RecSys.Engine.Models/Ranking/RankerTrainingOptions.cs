namespace RecSys.Engine.Models.Ranking;

/// <summary>Settings of <see cref="RankedRecommender"/>: the ranker, the retrieval depth, the feature groups, how training rows are labelled.</summary>
public sealed record RankerTrainingOptions
{
    public RankerKind Ranker { get; init; } = RankerKind.Mlp;

    /// <summary>The candidate sources (the schema's source block), by model name; null = <see cref="RankingFeatureSchema.DefaultSources"/>.</summary>
    public IReadOnlyList<string>? Sources { get; init; }

    /// <summary>The schema's history window (<see cref="RankingFeatureSchema.HistoryWindow"/>: the serving pipeline's HistoryWindow).</summary>
    public int HistoryWindow { get; init; } = RankingFeatureSchema.DefaultHistoryWindow;

    /// <summary>The schema's trend counter half-life (<see cref="RankingFeatureSchema.CounterHalfLifeHours"/>: the serving store's CounterHalfLife).</summary>
    public double CounterHalfLifeHours { get; init; } = RankingFeatureSchema.DefaultCounterHalfLifeHours;

    /// <summary>Candidates each source contributes (merged, so a request has at most sources x this).</summary>
    public int PerSource { get; init; } = 50;

    /// <summary>The feature groups of the schema (the ablation study drops one at a time).</summary>
    public RankingFeatureGroups Groups { get; init; } = RankingFeatureGroups.All;

    /// <summary>
    /// Share of each user's training events the sources are fitted on when building training rows; the rest are the
    /// labels. 0.75 mirrors the standard test protocol (random 75/25 per user) inside the training part.
    /// </summary>
    public double FitFraction { get; init; } = 0.75;

    /// <summary>
    /// Inner fit / held-out splits, each with its own seed: every user contributes one query per split (more, and more
    /// varied, training rows from the same training part).
    /// </summary>
    public int InnerSplits { get; init; } = 1;

    /// <summary>Share of the training users held back for early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>
    /// K-fold cross-fitting (2 or more): each user's training events are dealt into K folds, and each fold is labelled by
    /// sources fitted on the other K-1; replaces <see cref="FitFraction"/> and <see cref="InnerSplits"/>. 0 = off.
    /// </summary>
    public int CrossFitFolds { get; init; }

    /// <summary>
    /// The (fit, held-out) split of the training part the training rows are labelled by, when the test protocol is not
    /// random per user: under a temporal test split (each user's last N events held out) the ranker has to learn to
    /// rank the events that come next, so its labels must be the training part's own latest events, not a random
    /// quarter of it. Replaces <see cref="FitFraction"/>; null = the random per-user split.
    /// </summary>
    public Func<Data.InteractionSet, Data.DataSplit>? LabelSplit { get; init; }

    public MlpTrainingOptions Mlp { get; init; } = new();

    /// <summary>
    /// The GBDT's settings (its NDCG cut-off follows <see cref="MlpTrainingOptions.K"/>, the validation metric's). Small
    /// trees by default: on MovieLens 100K 7 leaves of at least 50 rows scored best on validation, above LightGBM's 31 / 20,
    /// which overfit the ~750 training users within 20 rounds (bench/results/ranker.md, quality study).
    /// </summary>
    public Gbdt.GbdtOptions Gbdt { get; init; } = new() { NumLeaves = 7, MinDataInLeaf = 50 };

    /// <summary>
    /// Residual GBDT: the feature (by schema name) the boosting starts from, times <see cref="Gbdt.GbdtOptions.BaseWeight"/>
    /// (LightGBM init_score), so the trees learn corrections to that order; null = boost from 0.
    /// </summary>
    public string? GbdtBaseFeature { get; init; }

    public ulong Seed { get; init; } = 42;

    /// <summary>Receives the training log (epochs, validation NDCG); null is silent.</summary>
    public Action<string>? Log { get; init; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PerSource, 1, nameof(PerSource));
        ArgumentOutOfRangeException.ThrowIfLessThan(InnerSplits, 1, nameof(InnerSplits));
        if (CrossFitFolds is 1 or < 0)
            throw new ArgumentOutOfRangeException(nameof(CrossFitFolds), CrossFitFolds, "cross-fitting needs 2 or more folds (0 = off)");
        if (LabelSplit is not null && (InnerSplits > 1 || CrossFitFolds >= 2))
            throw new ArgumentException($"a given {nameof(LabelSplit)} is one split: it cannot be combined with {nameof(InnerSplits)} > 1 or {nameof(CrossFitFolds)}", nameof(LabelSplit));
        if (!Enum.IsDefined(Ranker))
            throw new ArgumentOutOfRangeException(nameof(Ranker), Ranker, "unknown ranker");
        if (!(FitFraction > 0 && FitFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(FitFraction), $"must be in (0, 1), got {FitFraction}");
        if (!(ValidationFraction > 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), $"must be in (0, 1), got {ValidationFraction}");
        Mlp.Validate();
        Gbdt.Validate();
    }
}
