namespace RecSys.Engine.Models.Ranking;

/// <summary>Settings of <see cref="RankedRecommender"/>: the retrieval depth, the feature groups, the inner splits and the MLP.</summary>
public sealed record RankerTrainingOptions
{
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

    public MlpTrainingOptions Mlp { get; init; } = new();

    public ulong Seed { get; init; } = 42;

    /// <summary>Receives the training log (epochs, validation NDCG); null is silent.</summary>
    public Action<string>? Log { get; init; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PerSource, 1, nameof(PerSource));
        ArgumentOutOfRangeException.ThrowIfLessThan(InnerSplits, 1, nameof(InnerSplits));
        if (!(FitFraction > 0 && FitFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(FitFraction), $"must be in (0, 1), got {FitFraction}");
        if (!(ValidationFraction > 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), $"must be in (0, 1), got {ValidationFraction}");
        Mlp.Validate();
    }
}
