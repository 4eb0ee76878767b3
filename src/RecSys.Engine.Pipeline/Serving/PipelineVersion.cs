using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Filters;
using RecSys.Engine.Pipeline.PostProcess;
using RecSys.Engine.Pipeline.Ranking;
using RecSys.Engine.Pipeline.Sources;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// Everything a request runs with, fixed for its whole life: the config, the models and their indexes, the
/// sources built from them, the ranker, the filters and the post-processing stages. Immutable once made (the
/// indexes take live inserts and deletes in place); <see cref="RecommendationPipeline.Activate"/> swaps the whole
/// version at once, and an experiment can answer a request with another version.
/// <para>
/// Lifetime, by reference counting, so that a version's files (memory-mapped indexes, the ranker) are released
/// after its last request and never before:
/// <code>
///   owner       1 reference from creation until <see cref="Retire"/> (the registry, when the version is swapped out)
///   requests    one reference each while they run (taken by the pipeline before the first stage)
///   derived     a version made by <see cref="With(PipelineConfig, LiveCatalog, IRanker?)"/> holds one on its parent
///   count 0     the owned resources are disposed, then the parent's reference is dropped; no reference can be
///               taken any more, so a request that read a retired version reads the active one again
/// </code>
/// A version that owns nothing (made by <see cref="Create"/> without <c>owned</c>) is never affected by any of it.
/// </para>
/// </summary>
public sealed class PipelineVersion
{
    private readonly Dictionary<string, ICandidateSource> _sources;
    private readonly Dictionary<string, CompiledRule[]> _rules;
    private readonly IDisposable? _owned;
    private readonly PipelineVersion? _parent;
    private int _references = 1;
    private int _retired;

    private PipelineVersion(PipelineConfig config, ServingModels models, VectorTable? contentRows, IRanker ranker, Dictionary<string, ICandidateSource> sources,
        Dictionary<string, CompiledRule[]> rules, IDisposable? owned, PipelineVersion? parent)
    {
        Config = config;
        Models = models;
        ContentRows = contentRows;
        Ranker = ranker;
        _sources = sources;
        _rules = rules;
        _owned = owned;
        _parent = parent;
        Name = $"{config.Version}/{models.Version}";
    }

    /// <summary>"config version/models version".</summary>
    public string Name { get; }

    public PipelineConfig Config { get; }

    public ServingModels Models { get; }

    /// <summary>
    /// The content vector of each item as this version's content vocabulary makes it: what its content index holds, what
    /// its sources score listed items and seed similar items with, what its content profile, diversity and ranking
    /// features are computed from. Every serving version of one vocabulary shares one table; a version of another
    /// vocabulary has its own, so attaching it never rewrites the rows another version reads (the catalog's
    /// <see cref="LiveCatalog.Content"/> is the active version's). Null when the catalog has no content space, and for a
    /// version without a content model: its requests read the catalog's rows, whichever version is active then.
    /// </summary>
    public VectorTable? ContentRows { get; }

    /// <summary>The learned ranker, or <see cref="ReciprocalRankFusionRanker"/> when none was given.</summary>
    public IRanker Ranker { get; }

    /// <summary>Rank fusion: what a surface that turns the learned ranker off (<see cref="SurfaceConfig.LearnedRanker"/>) ranks with.</summary>
    private static readonly ReciprocalRankFusionRanker s_fusion = new();

    /// <summary>The ranker of <paramref name="surface"/>'s requests: <see cref="Ranker"/>, or rank fusion where the surface turns it off.</summary>
    public IRanker RankerFor(SurfaceConfig surface) => surface.LearnedRanker ? Ranker : s_fusion;

    public IReadOnlyDictionary<string, ICandidateSource> Sources => _sources;

    /// <summary>Filters in the order they run.</summary>
    public IReadOnlyList<ICandidateFilter> Filters { get; } = [new AvailabilityFilter(), new SeenFilter(), new ShownOnSurfaceFilter()];

    /// <summary>Post-processing on scores, before the list is sorted.</summary>
    public IReadOnlyList<IPostProcessor> ScoreStages { get; } = [new RuleScoreStage(), new FreshnessBoost()];

    /// <summary>Post-processing on the sorted list, down to k.</summary>
    public IReadOnlyList<IPostProcessor> ListStages { get; } = [new DiversityStage(), new ExplorationStage(), new PinStage()];

    internal CompiledRule[] RulesOf(SurfaceConfig surface) => _rules[surface.Name];

    /// <summary>True once the last reference is gone and the owned resources are disposed: the version cannot serve.</summary>
    public bool IsReleased => Volatile.Read(ref _references) == 0;

    /// <summary>
    /// Drops the owner's reference: the owned resources are released once the requests in flight on this version
    /// (and the versions derived from it) are done. Idempotent.
    /// </summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
            Release();
    }

    /// <summary>Takes a reference for a request; false when the version is already released.</summary>
    internal bool TryAcquire()
    {
        int count = Volatile.Read(ref _references);
        while (count > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, count + 1, count);
            if (seen == count)
                return true;
            count = seen;
        }
        return false;
    }

    /// <summary>Drops a reference; the last one disposes the owned resources and releases the parent.</summary>
    internal void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0)
            return;
        if (left < 0)
            throw new InvalidOperationException($"version {Name} released more often than acquired");
        _owned?.Dispose();
        _parent?.Release();
    }

    /// <summary>
    /// Makes a version: validates the config and models, builds the standard sources from the models that are
    /// there (see <see cref="SourceNames"/>), adds <paramref name="extraSources"/> (replacing a standard one of the
    /// same name), and checks that every source a surface lists exists. <paramref name="popularPoolSize"/> bounds the
    /// per-segment popularity lists.
    /// </summary>
    /// <paramref name="owned"/> (index mappings, a loaded ranker) is disposed when the version is released (see the class summary).
    /// <paramref name="contentRows"/> is the version's content table (<see cref="ContentRows"/>); null: the catalog's.
    public static PipelineVersion Create(PipelineConfig config, ServingModels models, LiveCatalog catalog, IRanker? ranker = null,
        IEnumerable<ICandidateSource>? extraSources = null, int popularPoolSize = 500, IDisposable? owned = null, VectorTable? contentRows = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(catalog);
        config.Validate();
        models.Validate();
        // A version without a content model has no rows of its own: its requests read the catalog's (the active version's).
        contentRows ??= models.Content is null ? null : catalog.Content;
        if (contentRows is not null && contentRows.Dimension != catalog.Content?.Dimension)
            throw new ArgumentException($"the content rows have dimension {contentRows.Dimension}, the catalog's content space {catalog.Content?.Dimension ?? 0}", nameof(contentRows));
        if (models.ContentIndex is not null && (contentRows is null || contentRows.Dimension != models.ContentIndex.Dimension))
            throw new ArgumentException("the content index needs the catalog's content vectors of the same dimension", nameof(catalog));
        var sources = StandardSources(models, catalog, contentRows, popularPoolSize);
        foreach (var extra in extraSources ?? [])
            sources[extra.Name] = extra;
        return new PipelineVersion(config, models, contentRows, ranker ?? new ReciprocalRankFusionRanker(), sources, CompileRules(config, sources, catalog), owned, parent: null);
    }

    /// <summary>
    /// The same models and source instances (popularity lists, indexes) under another config or ranker: an
    /// experiment variant, or a config change without reloading models.
    /// </summary>
    public PipelineVersion With(PipelineConfig config, LiveCatalog catalog, IRanker? ranker = null) => With(config, catalog, ranker, owned: null);

    /// <summary>
    /// As <see cref="With(PipelineConfig, LiveCatalog, IRanker?)"/>, owning <paramref name="owned"/> (a ranker loaded for
    /// it). The new version holds a reference on this one until it is released itself.
    /// </summary>
    public PipelineVersion With(PipelineConfig config, LiveCatalog catalog, IRanker? ranker, IDisposable? owned)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var rules = CompileRules(config, _sources, catalog);
        if (!TryAcquire())
            throw new ObjectDisposedException(Name, $"version {Name} is released; no version can be derived from it");
        return new PipelineVersion(config, Models, ContentRows, ranker ?? Ranker, _sources, rules, owned, parent: this);
    }

    /// <summary>Checks that every source a surface lists exists, and resolves each surface's rules (pipeline-wide first).</summary>
    private static Dictionary<string, CompiledRule[]> CompileRules(PipelineConfig config, Dictionary<string, ICandidateSource> sources, LiveCatalog catalog)
    {
        var rules = new Dictionary<string, CompiledRule[]>(StringComparer.Ordinal);
        foreach (var surface in config.Surfaces)
        {
            foreach (var s in surface.Sources)
            {
                if (!sources.ContainsKey(s.Name))
                    throw new UnknownSourceException(surface.Name, s.Name, sources.Keys);
            }
            rules[surface.Name] = [.. config.Rules.Concat(surface.Rules).Select(r => Compile(r, catalog))];
        }
        return rules;
    }

    private static CompiledRule Compile(BusinessRule rule, LiveCatalog catalog) =>
        new(rule.Kind, rule.ItemId, rule.Category is null ? -1 : catalog.Categories.GetOrAdd(rule.Category), rule.Factor, rule.Position);

    /// <summary>
    /// Checks that every source a surface of <paramref name="config"/> lists is one these models build over
    /// <paramref name="catalog"/> (<see cref="UnknownSourceException"/> otherwise), without building them: a version
    /// being attached is checked before it changes the live catalog, so a refused swap leaves nothing half done.
    /// </summary>
    internal static void CheckSources(PipelineConfig config, ServingModels models, LiveCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(config);
        var names = StandardSourceNames(models, catalog.Content is not null);
        foreach (var surface in config.Surfaces)
        {
            foreach (var s in surface.Sources)
            {
                if (!names.Contains(s.Name))
                    throw new UnknownSourceException(surface.Name, s.Name, names);
            }
        }
    }

    /// <summary>The names of the sources <see cref="StandardSources"/> builds, under the same conditions (a test holds the two together).</summary>
    internal static HashSet<string> StandardSourceNames(ServingModels models, bool contentRows)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (models.Als is not null && models.CfIndex is not null)
            names.UnionWith([SourceNames.Collaborative, SourceNames.ItemToItem, SourceNames.SimilarCf]);
        if (models.ContentIndex is not null && contentRows)
            names.UnionWith([SourceNames.Content, SourceNames.Query, SourceNames.SimilarContent]);
        if (models.Sequence is not null)
            names.Add(SourceNames.Sequence);
        if (models.Popularity is not null)
            names.Add(SourceNames.Popular);
        if (models.Trending is not null)
            names.Add(SourceNames.Trending);
        if (models.TwoTower is not null && models.TwoTowerIndex is not null)
            names.Add(SourceNames.TwoTower);
        foreach (string embedding in models.Embeddings.Keys)
            names.Add(SourceNames.SimilarByEmbedding(embedding));
        names.Add(SourceNames.NewItems);
        return names;
    }

    private static Dictionary<string, ICandidateSource> StandardSources(ServingModels models, LiveCatalog catalog, VectorTable? contentRows, int popularPoolSize)
    {
        var sources = new Dictionary<string, ICandidateSource>(StringComparer.Ordinal);
        void Add(ICandidateSource s) => sources[s.Name] = s;
        if (models.Als is not null && models.CfIndex is not null)
        {
            var cf = new IndexRetriever(models.CfIndex);
            var rows = models.AlsRows!;
            Add(new VectorQuerySource(SourceNames.Collaborative, cf, QueryVectorKind.UserCf, rows));
            Add(new ItemNeighborsSource(SourceNames.ItemToItem, cf, rows, fromRequestItem: false));
            Add(new ItemNeighborsSource(SourceNames.SimilarCf, cf, rows, fromRequestItem: true));
        }
        if (models.ContentIndex is not null && contentRows is not null)
        {
            var content = new IndexRetriever(models.ContentIndex);
            var rows = new ContentItemVectors(contentRows);
            Add(new VectorQuerySource(SourceNames.Content, content, QueryVectorKind.UserContent, rows));
            Add(new VectorQuerySource(SourceNames.Query, content, QueryVectorKind.Query, rows));
            Add(new ItemNeighborsSource(SourceNames.SimilarContent, content, rows, fromRequestItem: true));
        }
        if (models.Sequence is not null)
            Add(new SequenceNeighborsSource(models.Sequence));
        if (models.Popularity is not null)
            Add(new PopularitySource(SourceNames.Popular, models.Popularity, catalog, popularPoolSize));
        if (models.Trending is not null)
            Add(new PopularitySource(SourceNames.Trending, models.Trending, catalog, popularPoolSize));
        if (models.TwoTower is not null && models.TwoTowerIndex is not null)
            Add(new TwoTowerSource(models.TwoTower, models.UserTower ?? models.TwoTower.UserEncoder, new IndexRetriever(models.TwoTowerIndex), models.TwoTowerRows));
        foreach (var (name, embedding) in models.Embeddings)
            Add(new ItemNeighborsSource(SourceNames.SimilarByEmbedding(name), new IndexRetriever(embedding.Index), embedding, fromRequestItem: true));
        Add(new NewItemsSource(catalog));
        return sources;
    }
}
