namespace RecSys.Engine.Pipeline.Config;

/// <summary>
/// Every parameter of the request path in one immutable object: the surfaces, the pipeline-wide rules and the
/// knobs of the stages. A pipeline version pairs it with the models; an experiment variant or a registry version
/// swaps the whole object at once (requests in flight keep the one they started with).
/// </summary>
public sealed record PipelineConfig
{
    /// <summary>Reported in every response (with the models' version).</summary>
    public string Version { get; init; } = "default";

    public required IReadOnlyList<SurfaceConfig> Surfaces { get; init; }

    /// <summary>Rules of every surface (applied before the surface's own).</summary>
    public IReadOnlyList<BusinessRule> Rules { get; init; } = [];

    /// <summary>Newest interactions (history events other than impressions) that shape a request (seeds, the content profile, fold-in, the ranker's history features).</summary>
    public int HistoryWindow { get; init; } = 100;

    /// <summary>
    /// Newest interactions the seen filter reads, when more than <see cref="HistoryWindow"/>: 0 = every interaction the
    /// store keeps (<c>IFeatureStore.HistoryCapacity</c>) and, for a user whose history is full, the items of the older
    /// interactions it dropped (<c>IFeatureStore.GetOlderSeenItemsAsync</c>, up to <c>SeenCapacity</c> of them): one
    /// more read, for those users only. The shown-on-surface filter reads every impression the store keeps
    /// (<c>IFeatureStore.ImpressionCapacity</c>).
    /// </summary>
    public int SeenWindow { get; init; }

    /// <summary>
    /// At most this many extra candidates a retrieval source asks its index for, beyond its count, to make up for the
    /// seen items the filter will drop. A user who has seen thousands of items would otherwise make every search that
    /// much wider; past this bound such a user gets fewer candidates from that source instead.
    /// </summary>
    public int SeenOverfetch { get; init; } = 200;

    /// <summary>Recent items the item-to-item source starts from.</summary>
    public int SeedItems { get; init; } = 5;

    /// <summary>Newest items whose sequence neighbours the sequence source sums ("watched next").</summary>
    public int SequenceSeeds { get; init; } = 100;

    /// <summary>
    /// Recency of the sequence source's seeds: the newest counts 1, the one h positions older 1/2 (h this; 0 = all alike).
    /// 10 with 100 seeds was chosen on inner splits of MovieLens 100K (see <see cref="PipelineDefaults"/>).
    /// </summary>
    public float SequenceSeedHalfLife { get; init; } = 10f;

    /// <summary>The c of reciprocal rank fusion, the fallback ranker: w / (c + rank).</summary>
    public float FusionC { get; init; } = 60f;

    /// <summary>An item with fewer impressions than this is under-exposed: exploration slots and the new-items source favour it.</summary>
    public int ExplorationImpressions { get; init; } = 50;

    /// <summary>
    /// Distinct users an item added after training needs before this version folds a CF row in for it (and the
    /// collaborative sources can find it). One user's row would make the item a copy of that user's taste; 3 is a guess,
    /// not a measured choice. 0 or 1: from the first user.
    /// </summary>
    public int ItemFoldInUsers { get; init; } = 3;

    /// <summary>Every returned item counts as an impression of it (exposure for exploration), besides logged impression events.</summary>
    public bool CountServedImpressions { get; init; } = true;

    /// <summary>Weight of the user's onboarding categories in their content profile (against 1 per history item).</summary>
    public float OnboardingWeight { get; init; } = 3f;

    /// <summary>
    /// Included categories with at most this many members (all of them together), or under the 3% of the index below
    /// which the index itself would scan exactly, are scored exactly from their member lists where the source searches an
    /// HNSW index; more go to the index with the filter inside the search (HNSW's admitted-only walk). Other indexes keep the member lists up to 13% of the index
    /// (<see cref="Sources.ListedItemsRetrieval.MaxCategoryShareOfIndex"/>): IVF-PQ's probing was not measured for this. The scan costs about
    /// 0.4 ms per 1,000 members on one core here (one category of a 1M catalog, 62k items: p50 26 ms, p99 34 ms; two:
    /// 51-53 ms, p99 63-83 ms), the walk 5-6 ms (p99 14-18 ms) and keeps 89-92% of the exact page
    /// (bench/results/category-filter-threshold-2026-12-07, session 15). A catalog small enough that its categories
    /// stay under this is always exact. 10,000 is not itself measured: at 0.4 ms per 1,000 members the scan costs about
    /// what the walk does there. A larger value buys exactness with time; 0 leaves only the 3% share. (Before session 15
    /// the limit was 13% of the index, at least 1,024 items.)
    /// </summary>
    public int CategoryScanMaxItems { get; init; } = 10_000;

    /// <summary>The surface named <paramref name="name"/>; an unknown one is an <see cref="ArgumentException"/> naming "surface".</summary>
    public SurfaceConfig Surface(string? name)
    {
        for (int i = 0; i < Surfaces.Count; i++)
        {
            if (string.Equals(Surfaces[i].Name, name, StringComparison.Ordinal))
                return Surfaces[i];
        }
        throw new ArgumentException($"unknown surface '{name}' (known: {string.Join(", ", Surfaces.Select(s => s.Name))})", "surface");
    }

    /// <summary>
    /// This config with every source of every surface given <paramref name="budget"/>: a slower or shared machine (or the
    /// first, JIT-compiling requests) needs more than the defaults' 50 ms.
    /// </summary>
    public PipelineConfig WithSourceBudget(TimeSpan budget) => this with
    {
        Surfaces = [.. Surfaces.Select(s => s with { Sources = [.. s.Sources.Select(x => x with { Budget = budget })] })],
    };

    /// <summary>
    /// This config for an offline run over <paramref name="surface"/>'s requests (ranker training, evaluation):
    /// every source given <paramref name="budget"/> (timing must not drop a source), and that surface ranked by the
    /// version's ranker whatever its default (the ranker there records or is trained on exactly those requests).
    /// </summary>
    public PipelineConfig ForOfflineRun(string surface, TimeSpan budget)
    {
        var budgeted = WithSourceBudget(budget);
        return budgeted with { Surfaces = [.. budgeted.Surfaces.Select(s => s.Name == surface ? s with { LearnedRanker = true } : s)] };
    }

    /// <summary>Checks every field once (the edge); names what is wrong.</summary>
    public void Validate()
    {
        if (Surfaces is null || Surfaces.Count == 0)
            throw new ArgumentException("the pipeline config needs at least one surface", nameof(Surfaces));
        // The store keeps impressions per surface code for a bounded number of codes, one of them "no surface" (0).
        if (Surfaces.Count > Features.Codecs.HistoryCodec.MaxImpressionSurfaces - 1)
            throw new ArgumentException($"the pipeline config has {Surfaces.Count} surfaces; at most {Features.Codecs.HistoryCodec.MaxImpressionSurfaces - 1} (the user history keeps impressions for that many surface codes)", nameof(Surfaces));
        var names = new HashSet<string>(StringComparer.Ordinal);
        var codes = new HashSet<int>();
        foreach (var s in Surfaces)
        {
            s.Validate();
            if (!names.Add(s.Name))
                throw new ArgumentException($"surface '{s.Name}' defined twice", nameof(Surfaces));
            if (!codes.Add(s.Code))
                throw new ArgumentException($"surface '{s.Name}': code {s.Code} is taken by another surface", nameof(Surfaces));
        }
        for (int r = 0; r < Rules.Count; r++)
            Rules[r].Validate($"pipeline rule {r}");
        if (HistoryWindow < 1)
            throw new ArgumentOutOfRangeException(nameof(HistoryWindow), HistoryWindow, "must be >= 1");
        if (SeenWindow < 0)
            throw new ArgumentOutOfRangeException(nameof(SeenWindow), SeenWindow, "must be >= 0 (0 = every interaction the store keeps)");
        if (SeenOverfetch < 0)
            throw new ArgumentOutOfRangeException(nameof(SeenOverfetch), SeenOverfetch, "must be >= 0");
        if (SeedItems < 1)
            throw new ArgumentOutOfRangeException(nameof(SeedItems), SeedItems, "must be >= 1");
        if (SequenceSeeds < 1)
            throw new ArgumentOutOfRangeException(nameof(SequenceSeeds), SequenceSeeds, "must be >= 1");
        if (!(SequenceSeedHalfLife >= 0) || float.IsPositiveInfinity(SequenceSeedHalfLife))
            throw new ArgumentOutOfRangeException(nameof(SequenceSeedHalfLife), SequenceSeedHalfLife, "must be finite and >= 0");
        if (!(FusionC >= 0) || !float.IsFinite(FusionC))
            throw new ArgumentOutOfRangeException(nameof(FusionC), FusionC, "must be finite and >= 0");
        if (ExplorationImpressions < 0)
            throw new ArgumentOutOfRangeException(nameof(ExplorationImpressions), ExplorationImpressions, "must be >= 0");
        if (ItemFoldInUsers is < 0 or > Catalog.ItemInteractors.DefaultCapacity)
            throw new ArgumentOutOfRangeException(nameof(ItemFoldInUsers), ItemFoldInUsers,
                $"must be in 0..{Catalog.ItemInteractors.DefaultCapacity} (the users the catalog keeps per item)");
        if (!(OnboardingWeight >= 0) || !float.IsFinite(OnboardingWeight))
            throw new ArgumentOutOfRangeException(nameof(OnboardingWeight), OnboardingWeight, "must be finite and >= 0");
        if (CategoryScanMaxItems < 0)
            throw new ArgumentOutOfRangeException(nameof(CategoryScanMaxItems), CategoryScanMaxItems, "must be >= 0");
    }
}
