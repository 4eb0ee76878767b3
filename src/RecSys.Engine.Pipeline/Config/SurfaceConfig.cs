namespace RecSys.Engine.Pipeline.Config;

/// <summary>
/// A surface (home, search, email, item page): which sources run with what count and budget, which filters,
/// and how the ranked list is post-processed. Immutable; part of a <see cref="PipelineConfig"/>.
/// </summary>
public sealed record SurfaceConfig
{
    public required string Name { get; init; }

    /// <summary>
    /// A small positive number naming the surface in stored events: an impression this surface logs carries it as
    /// its value, which is how <see cref="FilterShownOnSurface"/> finds what the surface already showed.
    /// </summary>
    public required int Code { get; init; }

    public required IReadOnlyList<SourceConfig> Sources { get; init; }

    public int DefaultK { get; init; } = 10;

    public int MaxK { get; init; } = 200;

    /// <summary>Drop items the user interacted with (any event but an impression).</summary>
    public bool FilterSeen { get; init; } = true;

    /// <summary>Drop items this surface already showed the user (impressions whose value is <see cref="Code"/>): the email's "already sent".</summary>
    public bool FilterShownOnSurface { get; init; }

    /// <summary>Log an impression (value = <see cref="Code"/>) for every item returned (the email batch: what was sent).</summary>
    public bool RecordImpressions { get; init; }

    /// <summary>Freshness boost: score x (1 + weight x 2^(-age / half-life)); 0 = off. Items without a publish time get none.</summary>
    public double FreshnessHalfLifeHours { get; init; }

    public float FreshnessWeight { get; init; } = 0.5f;

    /// <summary>Drop items published longer ago than this (0 = no limit; items without a publish time are kept).</summary>
    public double MaxItemAgeHours { get; init; }

    /// <summary>MMR trade-off: 1 = relevance only (diversity off), 0 = diversity only.</summary>
    public float MmrLambda { get; init; } = 1f;

    /// <summary>Candidates (best ranked) that diversity chooses the k from.</summary>
    public int DiversityPool { get; init; } = 100;

    /// <summary>At most this many items per category in the answer (0 = no cap).</summary>
    public int CategoryCap { get; init; }

    /// <summary>Share of the positions given to new or under-exposed items (0 = none).</summary>
    public float ExplorationShare { get; init; }

    /// <summary>The first position an exploration slot may take (the head stays exploit).</summary>
    public int ExplorationFirstPosition { get; init; } = 2;

    /// <summary>
    /// Exploration slots choose among the best this many candidates (by score) below the list: 0 = every candidate. A
    /// bounded pool keeps explored items relevant to the user; an unbounded one reaches the whole candidate set.
    /// </summary>
    public int ExplorationPool { get; init; }

    /// <summary>How a slot chooses among the eligible candidates of the pool.</summary>
    public ExplorationPick ExplorationPick { get; init; } = ExplorationPick.Uniform;

    /// <summary>
    /// LeastShown only: the share of slots given to a uniform draw over the eligible candidates instead (seeded by the
    /// request id), so every eligible item has a known, non-zero propensity for off-policy evaluation. 0 = always the
    /// least shown (propensity 1).
    /// </summary>
    public float ExplorationEpsilon { get; init; }

    /// <summary>
    /// Exploration slots consider an established item (one the new-items source did not find) under-exposed below this
    /// many impressions; null = <see cref="PipelineConfig.ExplorationImpressions"/>, the threshold new items keep either
    /// way (their exploration is their cold start). A low floor spends the slots only on items nobody has been shown yet:
    /// the least NDCG per item of catalog reach (1 on the home surface, see <see cref="PipelineDefaults"/>). Once every
    /// item of the users' pools has its impressions, established items are no longer explored and only new items are.
    /// </summary>
    public int? ExplorationEstablishedImpressions { get; init; }

    /// <summary>Where the slots go: spread over the page from the first position, or its last positions.</summary>
    public ExplorationPlacement ExplorationPlacement { get; init; } = ExplorationPlacement.Spread;

    /// <summary>Search: add the user's CF affinity as a source column before ranking (the personalised re-rank).</summary>
    public bool Personalize { get; init; }

    /// <summary>Weight of that personal column in rank fusion (below the query's 1: relevance to the query leads).</summary>
    public float PersonalWeight { get; init; } = 0.5f;

    /// <summary>
    /// Rank this surface's candidates with the version's learned ranker, when it has one; false = rank fusion of the
    /// sources, whatever the version ships. A served ranker is trained on home requests (ServedRankerOptions.Surface),
    /// so the defaults keep it off the search and item-page surfaces, whose candidates (a query's matches, an item's
    /// neighbours) and surface feature it never saw in training.
    /// </summary>
    public bool LearnedRanker { get; init; } = true;

    /// <summary>Rules of this surface, applied after the pipeline-wide ones.</summary>
    public IReadOnlyList<BusinessRule> Rules { get; init; } = [];

    internal void Validate()
    {
        string where = $"surface '{Name}'";
        if (string.IsNullOrWhiteSpace(Name))
            throw new ArgumentException("a surface needs a name", nameof(Name));
        if (Code < 1)
            throw new ArgumentOutOfRangeException(nameof(Code), Code, $"{where}: code must be >= 1");
        if (Sources is null || Sources.Count == 0 && Rules.Count == 0)
            throw new ArgumentException($"{where}: needs at least one source", nameof(Sources));
        if (Sources.Count > Abstractions.CandidateSet.MaxSources - 1)
            throw new ArgumentException($"{where}: at most {Abstractions.CandidateSet.MaxSources - 1} sources", nameof(Sources));
        if (DefaultK < 1 || MaxK < DefaultK)
            throw new ArgumentOutOfRangeException(nameof(DefaultK), DefaultK, $"{where}: need 1 <= DefaultK <= MaxK ({MaxK})");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in Sources)
        {
            s.Validate(where);
            if (!names.Add(s.Name))
                throw new ArgumentException($"{where}: source '{s.Name}' listed twice", nameof(Sources));
        }
        if (!(PersonalWeight >= 0) || !float.IsFinite(PersonalWeight))
            throw new ArgumentOutOfRangeException(nameof(PersonalWeight), PersonalWeight, $"{where}: must be finite and >= 0");
        if (FreshnessHalfLifeHours < 0 || !double.IsFinite(FreshnessHalfLifeHours))
            throw new ArgumentOutOfRangeException(nameof(FreshnessHalfLifeHours), FreshnessHalfLifeHours, $"{where}: must be finite and >= 0");
        if (!(FreshnessWeight >= 0) || !float.IsFinite(FreshnessWeight))
            throw new ArgumentOutOfRangeException(nameof(FreshnessWeight), FreshnessWeight, $"{where}: must be finite and >= 0");
        if (MaxItemAgeHours < 0 || !double.IsFinite(MaxItemAgeHours))
            throw new ArgumentOutOfRangeException(nameof(MaxItemAgeHours), MaxItemAgeHours, $"{where}: must be finite and >= 0");
        if (!(MmrLambda >= 0 && MmrLambda <= 1))
            throw new ArgumentOutOfRangeException(nameof(MmrLambda), MmrLambda, $"{where}: must be in [0, 1]");
        if (DiversityPool < 1)
            throw new ArgumentOutOfRangeException(nameof(DiversityPool), DiversityPool, $"{where}: must be >= 1");
        if (CategoryCap < 0)
            throw new ArgumentOutOfRangeException(nameof(CategoryCap), CategoryCap, $"{where}: must be >= 0");
        if (!(ExplorationShare >= 0 && ExplorationShare < 1))
            throw new ArgumentOutOfRangeException(nameof(ExplorationShare), ExplorationShare, $"{where}: must be in [0, 1)");
        if (ExplorationFirstPosition < 0)
            throw new ArgumentOutOfRangeException(nameof(ExplorationFirstPosition), ExplorationFirstPosition, $"{where}: must be >= 0");
        if (ExplorationPool < 0)
            throw new ArgumentOutOfRangeException(nameof(ExplorationPool), ExplorationPool, $"{where}: must be >= 0 (0 = every candidate)");
        if (ExplorationEstablishedImpressions is < 0)
            throw new ArgumentOutOfRangeException(nameof(ExplorationEstablishedImpressions), ExplorationEstablishedImpressions, $"{where}: must be >= 0, or null for the pipeline's ExplorationImpressions");
        if (!(ExplorationEpsilon >= 0 && ExplorationEpsilon <= 1))
            throw new ArgumentOutOfRangeException(nameof(ExplorationEpsilon), ExplorationEpsilon, $"{where}: must be in [0, 1]");
        if (!Enum.IsDefined(ExplorationPlacement))
            throw new ArgumentOutOfRangeException(nameof(ExplorationPlacement), ExplorationPlacement, $"{where}: must be Spread or Tail");
        if (!Enum.IsDefined(ExplorationPick))
            throw new ArgumentOutOfRangeException(nameof(ExplorationPick), ExplorationPick, $"{where}: must be Uniform or LeastShown");
        for (int r = 0; r < Rules.Count; r++)
            Rules[r].Validate($"{where}, rule {r}");
    }
}
