using RecSys.Engine.Pipeline.Config;

namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>
/// One arm of an experiment: its traffic share and what it changes. Every override is optional (null = as the
/// active version has it); a variant with none is the control and runs the active version itself.
/// <code>
///   Version      a registry version to serve the variant's users with (models, indexes and ranker), instead of the active one
///   Ranker       "rrf" = the rank-fusion fallback; any other value = the registry version whose ranker file to use
///   Sources      the candidate sources of each surface the experiment covers (names, counts, budgets, weights)
///   MmrLambda, CategoryCap, DiversityPool, ExplorationShare, ExplorationPick, ExplorationPool, ExplorationEpsilon,
///   ExplorationEstablishedImpressions, ExplorationPlacement, FreshnessHalfLifeHours, FreshnessWeight
///                the post-processing knobs of those surfaces
/// </code>
/// </summary>
public sealed record VariantConfig
{
    /// <summary>The ranker name that selects the rank-fusion fallback.</summary>
    public const string FallbackRanker = "rrf";

    public required string Name { get; init; }

    /// <summary>Share of the experiment's users, in (0, 1].</summary>
    public required double Share { get; init; }

    public string? Version { get; init; }

    public string? Ranker { get; init; }

    public IReadOnlyList<SourceConfig>? Sources { get; init; }

    public float? MmrLambda { get; init; }

    public int? CategoryCap { get; init; }

    public int? DiversityPool { get; init; }

    public float? ExplorationShare { get; init; }

    /// <summary>"Uniform" or "LeastShown" (JSON "exploration_pick").</summary>
    public ExplorationPick? ExplorationPick { get; init; }

    public int? ExplorationPool { get; init; }

    public float? ExplorationEpsilon { get; init; }

    /// <summary>
    /// The impressions below which an established item may be explored (JSON "exploration_established_impressions"). The
    /// home surface's floor of 1 was chosen offline at MovieLens traffic. On a live site the floor that pays depends on
    /// traffic, which is what an experiment measures.
    /// </summary>
    public int? ExplorationEstablishedImpressions { get; init; }

    /// <summary>"Spread" or "Tail" (JSON "exploration_placement").</summary>
    public ExplorationPlacement? ExplorationPlacement { get; init; }

    public double? FreshnessHalfLifeHours { get; init; }

    public float? FreshnessWeight { get; init; }

    /// <summary>True when the variant changes nothing: its users get the active version as it is.</summary>
    public bool IsControl => Version is null && Ranker is null && !ChangesSurfaces;

    /// <summary>True when the variant overrides a surface parameter.</summary>
    public bool ChangesSurfaces => Sources is not null || MmrLambda is not null || CategoryCap is not null || DiversityPool is not null
        || ExplorationShare is not null || ExplorationPick is not null || ExplorationPool is not null || ExplorationEpsilon is not null || ExplorationEstablishedImpressions is not null || ExplorationPlacement is not null || FreshnessHalfLifeHours is not null || FreshnessWeight is not null;

    /// <summary>
    /// The config with the overrides applied to the surfaces <paramref name="experiment"/> covers (the surfaces check
    /// the values: <see cref="PipelineConfig.Validate"/>).
    /// </summary>
    public PipelineConfig Apply(PipelineConfig config, ExperimentConfig experiment)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(experiment);
        if (!ChangesSurfaces && Ranker is null)
            return config;
        return config with
        {
            Surfaces = [.. config.Surfaces.Select(s => experiment.Covers(s.Name) ? Apply(s) : s)],
        };
    }

    private SurfaceConfig Apply(SurfaceConfig s) => s with
    {
        // A variant that names a ranker asks for it on every surface it covers, those that rank by fusion by default too.
        LearnedRanker = Ranker is not null || s.LearnedRanker,
        Sources = Sources ?? s.Sources,
        MmrLambda = MmrLambda ?? s.MmrLambda,
        CategoryCap = CategoryCap ?? s.CategoryCap,
        DiversityPool = DiversityPool ?? s.DiversityPool,
        ExplorationShare = ExplorationShare ?? s.ExplorationShare,
        ExplorationPick = ExplorationPick ?? s.ExplorationPick,
        ExplorationPool = ExplorationPool ?? s.ExplorationPool,
        ExplorationPlacement = ExplorationPlacement ?? s.ExplorationPlacement,
        ExplorationEpsilon = ExplorationEpsilon ?? s.ExplorationEpsilon,
        ExplorationEstablishedImpressions = ExplorationEstablishedImpressions ?? s.ExplorationEstablishedImpressions,
        FreshnessHalfLifeHours = FreshnessHalfLifeHours ?? s.FreshnessHalfLifeHours,
        FreshnessWeight = FreshnessWeight ?? s.FreshnessWeight,
    };

    internal void Validate(string experiment)
    {
        if (string.IsNullOrWhiteSpace(Name))
            throw new ArgumentException($"{experiment}: a variant needs a name", nameof(Name));
        string where = $"{experiment}, variant '{Name}'";
        if (!(Share > 0 && Share <= 1))
            throw new ArgumentOutOfRangeException(nameof(Share), Share, $"{where}: the share must be in (0, 1]");
        if (Version is { Length: 0 } || Ranker is { Length: 0 })
            throw new ArgumentException($"{where}: version and ranker must be null or non-empty", nameof(Version));
        if (Sources is { Count: 0 })
            throw new ArgumentException($"{where}: sources must be null (as the version has them) or list at least one", nameof(Sources));
        if (Sources is not null && Sources.Any(s => s is null))
            throw new ArgumentException($"{where}: a source is null", nameof(Sources));
    }
}
