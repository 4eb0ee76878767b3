using RecSys.Engine.Core.Index;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Collections;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Filters;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// Everything a stage knows about the request being answered, built once before the sources run: the request and
/// its surface, the user (profile, segment, recent items, CF vector, content profile), and the filters as
/// membership tests. Sources read it concurrently and never write it. Pooled: valid only during the request.
/// </summary>
public sealed class RequestContext
{
    private readonly OrdinalMap _seen = new();
    private readonly OrdinalMap _shown = new();
    private readonly OrdinalMap _allow = new();
    private readonly OrdinalMap _deny = new();
    private readonly OrdinalMap _listedOnce = new();
    private readonly RequestIdFilter _indexFilter;
    private readonly SearchParameters?[] _parameters = new SearchParameters?[8];
    private int[] _recent = new int[64];
    private int _recentCount;
    private readonly Lock _listedLock = new();
    private int[] _listed = new int[64];
    private int _listedCount;
    private bool _listedBuilt;
    private int[] _allowList = new int[16];
    private int _allowCount;
    private int[] _include = new int[8];
    private int _includeCount;
    private int[] _exclude = new int[8];
    private int _excludeCount;
    private bool _hasAllow;
    private bool _hasRequestFilters;
    private float[] _cf = [];
    private int _cfLength;
    private float[] _content = [];
    private int _contentLength;
    private float[] _history = [];
    private int _historyLength;
    private float[] _query = [];
    private int _queryLength;
    private float[] _categoryShare = [];
    private int[] _touchedCategories = new int[64];
    private int _touchedCount;
    private long _maxAgeMs;

    internal RequestContext() => _indexFilter = new RequestIdFilter(this);

    public RecommendRequest Request { get; private set; } = new();

    public PipelineConfig Config { get; private set; } = null!;

    public SurfaceConfig Surface { get; private set; } = null!;

    public LiveCatalog Catalog { get; private set; } = null!;

    public ServingModels Models { get; private set; } = null!;

    /// <summary>
    /// The content vectors of the request's version (<see cref="Serving.PipelineVersion.ContentRows"/>): the rows its
    /// content index holds, in its vocabulary. Read these, not <see cref="LiveCatalog.Content"/>, which is the active
    /// version's and may be another vocabulary's for a request an experiment variant serves. Null: no content space.
    /// </summary>
    public VectorTable? ContentRows { get; private set; }

    public string RequestId { get; private set; } = "";

    public int K { get; private set; }

    public long NowMs { get; private set; }

    public long UserId => Request.UserId;

    public UserProfile? Profile { get; internal set; }

    /// <summary>The user's segment (the store's int; -1 = none).</summary>
    public int Segment { get; internal set; } = -1;

    /// <summary>No interaction in the history window and no CF vector: the cold-start sources carry the request.</summary>
    public bool IsNewUser => _recentCount == 0 && _cfLength == 0;

    /// <summary>Interactions (not impressions) in the history window.</summary>
    public int InteractionCount { get; internal set; }

    /// <summary>Distinct items the user interacted with, newest first (ordinals).</summary>
    public ReadOnlySpan<int> RecentItems => _recent.AsSpan(0, _recentCount);

    /// <summary>The user's CF vector (stored fold-in, trained row, or folded in now); empty when none.</summary>
    public ReadOnlySpan<float> CfVector => _cf.AsSpan(0, _cfLength);

    /// <summary>The user's content profile: history and onboarding categories, unit length; empty when none.</summary>
    public ReadOnlySpan<float> ContentProfile => _content.AsSpan(0, _contentLength);

    /// <summary>The content profile of the history alone (the ranker's "content similarity to recent history").</summary>
    public ReadOnlySpan<float> HistoryProfile => _history.AsSpan(0, _historyLength);

    /// <summary>Search: the query in the content space; empty otherwise.</summary>
    public ReadOnlySpan<float> QueryVector => _query.AsSpan(0, _queryLength);

    /// <summary>Item page: the ordinal of the request's item, or -1.</summary>
    public int SeedItem { get; internal set; } = -1;

    public int SeenCount => _seen.Count;

    /// <summary>The allow list's items that exist in the catalog, in request order (empty when nothing qualifies).</summary>
    private ReadOnlySpan<int> AllowList => _allowList.AsSpan(0, _hasAllow ? _allowCount : 0);

    /// <summary>
    /// Whether a source should score the request's listed items itself (<see cref="Sources.ListedItemsRetrieval"/>) instead
    /// of searching <paramref name="index"/>: an allow list short enough that the index would scan exactly anyway (its
    /// scan tests the request filter on every item it holds, a pass over 1M nodes per search, where the list costs one
    /// distance per item), or included categories with at most <see cref="PipelineConfig.CategoryScanMaxItems"/> members
    /// against an HNSW index (exact, and below that about as fast as its filtered walk), or at most
    /// <see cref="Sources.ListedItemsRetrieval.MaxCategoryShareOfIndex"/> of any other index (IVF-PQ's probing misses a
    /// category that leaves the query's lists out). The shorter of the two is scored.
    /// </summary>
    public bool ScansListedItems(IVectorIndex index)
    {
        long allow = AllowListLength, members = IncludedMembers;
        if (allow == long.MaxValue && members == long.MaxValue)
            return false;
        long floor = Sources.ListedItemsRetrieval.AlwaysScanAtOrBelow;
        return allow <= Math.Max(floor, index.Count * Sources.ListedItemsRetrieval.MaxShareOfIndex)
            || members <= (index.Kind == "hnsw"
                // Under the index's own exact-scan share it would test the filter on every node: the members are cheaper.
                ? Math.Max(Config.CategoryScanMaxItems, index.Count * Sources.ListedItemsRetrieval.MaxShareOfIndex)
                : Math.Max(floor, index.Count * Sources.ListedItemsRetrieval.MaxCategoryShareOfIndex));
    }

    /// <summary>
    /// The listed items (the allow list, or the included categories' members, whichever is shorter) that pass the hard
    /// filters, an item of two included categories once: what <see cref="Sources.ListedItemsRetrieval"/> scores. Built
    /// by the first source that asks and shared by the rest (each would otherwise read every member's record again).
    /// Each item once: a category's list can hold an item twice (it left and joined again), or hold one that moved to
    /// another included category (<see cref="Catalog.CategoryMembers"/>), and an item scored twice would fill two of a
    /// query's k slots, pushing out an item the index returns.
    /// </summary>
    internal ReadOnlySpan<int> ListedItems()
    {
        if (!Volatile.Read(ref _listedBuilt))
        {
            lock (_listedLock)
            {
                if (!_listedBuilt)
                {
                    BuildListedItems();
                    Volatile.Write(ref _listedBuilt, true);
                }
            }
        }
        return _listed.AsSpan(0, _listedCount);
    }

    private void BuildListedItems()
    {
        _listedCount = 0;
        if (ListsAllowed)
        {
            // The allow list holds each item once (AllowOnly).
            ReadOnlySpan<int> allowed = AllowList;
            if (_listed.Length < allowed.Length)
                Array.Resize(ref _listed, Math.Max(allowed.Length, _listed.Length * 2));
            foreach (int item in allowed)
            {
                if (PassesHardFilters(item))
                    _listed[_listedCount++] = item;
            }
            return;
        }
        _listedOnce.Reset((int)Math.Min(IncludedMembers, int.MaxValue / 4));
        for (int part = 0; part < _includeCount; part++)
        {
            ReadOnlySpan<int> members = Catalog.CategoryMembers.Of(_include[part]);
            if (_listed.Length < _listedCount + members.Length)
                Array.Resize(ref _listed, Math.Max(_listedCount + members.Length, _listed.Length * 2));
            foreach (int item in members)
            {
                if (PassesHardFilters(item) && _listedOnce.Add(item))
                    _listed[_listedCount++] = item;
            }
        }
    }

    private bool ListsAllowed => _hasAllow && AllowListLength <= IncludedMembers;

    private long AllowListLength => _hasAllow ? _allowCount : long.MaxValue;

    private long IncludedMembers
    {
        get
        {
            if (_includeCount == 0)
                return long.MaxValue;
            long n = 0;
            for (int i = 0; i < _includeCount; i++)
                n += Catalog.CategoryMembers.CountOf(_include[i]);
            return n;
        }
    }

    /// <summary>Extra candidates a source fetches for the seen items it will drop: the seen count, up to <see cref="PipelineConfig.SeenOverfetch"/>.</summary>
    public int SeenOverfetch => Surface.FilterSeen ? Math.Min(_seen.Count, Config.SeenOverfetch) : 0;

    public bool IsSeen(int ordinal) => _seen.Contains(ordinal);

    /// <summary>Whether this surface already showed the item to the user (email: already sent).</summary>
    public bool WasShownOnSurface(int ordinal) => _shown.Contains(ordinal);

    /// <summary>Share of the user's recent interactions in <paramref name="category"/> (0..1).</summary>
    public float CategoryShare(int category) => (uint)category < (uint)_categoryShare.Length ? _categoryShare[category] : 0f;

    /// <summary>
    /// Filters that hold whatever else happens: available (not deleted or blocked), young enough for the surface,
    /// and the request's own filters. What the index filter admits.
    /// </summary>
    public bool PassesHardFilters(int ordinal)
    {
        // The allow list first: when there is one it rejects almost every item, and an index scan asks about each.
        if (_hasAllow && !_allow.Contains(ordinal))
            return false;
        if (Catalog.IsUnavailable(ordinal))
            return false;
        if (_maxAgeMs > 0)
        {
            long published = Catalog.PublishedAtMs(ordinal);
            if (published > 0 && NowMs - published > _maxAgeMs)
                return false;
        }
        if (!_hasRequestFilters)
            return true;
        if (_deny.Contains(ordinal))
            return false;
        if (_includeCount > 0 && !Catalog.HasAnyCategory(ordinal, _include.AsSpan(0, _includeCount)))
            return false;
        return _excludeCount == 0 || !Catalog.HasAnyCategory(ordinal, _exclude.AsSpan(0, _excludeCount));
    }

    /// <summary>Whether the item may be shown at all: hard filters, and not seen / not already shown when the surface says so.</summary>
    public bool Allows(int ordinal) =>
        PassesHardFilters(ordinal)
        && !(Surface.FilterSeen && _seen.Contains(ordinal))
        && !(Surface.FilterShownOnSurface && _shown.Contains(ordinal));

    /// <summary>
    /// The share of its configured count and search beam each source gets in this request: 1 normally, less while the
    /// host is busy (<see cref="Serving.SourceDegradation"/>). The pipeline sizes each source's list with it already.
    /// </summary>
    public float SourceShare { get; internal set; } = 1f;

    /// <summary>
    /// Index search parameters for a source configured as <paramref name="source"/> searching <paramref name="index"/>:
    /// its ef (null = the index default), shrunk together with nprobe by <see cref="SourceShare"/> under load.
    /// </summary>
    public SearchParameters SearchParameters(SourceConfig source, IVectorIndex index)
    {
        var (ef, nprobe) = Serving.SourceDegradation.Beams(source.Ef, index, SourceShare);
        return SearchParameters(ef, nprobe);
    }

    /// <summary>
    /// Index search parameters for beam <paramref name="ef"/> and <paramref name="nprobe"/> (null = the index default):
    /// the request's filters as the index's id filter when it has any, the calling thread only. Cached per pooled
    /// context, so a search allocates nothing.
    /// </summary>
    public SearchParameters SearchParameters(int? ef, int? nprobe = null)
    {
        IdFilter? filter = _hasRequestFilters || _maxAgeMs > 0 ? _indexFilter : null;
        // Sources call this concurrently: every slot holds a whole immutable object, so a race costs a cache miss, never a
        // wrong answer (the object itself says which ef, nprobe and filter it carries).
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = Volatile.Read(ref _parameters[i]);
            if (p is not null && p.Ef == ef && p.NProbe == nprobe && ReferenceEquals(p.Filter, filter))
                return p;
        }
        var made = new SearchParameters { Ef = ef, NProbe = nprobe, Filter = filter, MaxDegreeOfParallelism = 1 };
        uint slot = (uint)(((ef ?? 0) * 31 + (nprobe ?? 0)) * 2 + (filter is null ? 0 : 1));
        Volatile.Write(ref _parameters[(int)(slot % (uint)_parameters.Length)], made);
        return made;
    }

    // ---- set up by the pipeline before the sources run ----

    /// <summary><paramref name="contentRows"/>: the version's content rows (<see cref="ContentRows"/>); null: the catalog's.</summary>
    internal void Begin(RecommendRequest request, PipelineConfig config, SurfaceConfig surface, LiveCatalog catalog, ServingModels models, string requestId, int k, long nowMs,
        VectorTable? contentRows = null)
    {
        Request = request;
        Config = config;
        Surface = surface;
        Catalog = catalog;
        Models = models;
        ContentRows = contentRows ?? catalog.Content;
        RequestId = requestId;
        K = k;
        NowMs = nowMs;
        Profile = null;
        Segment = -1;
        InteractionCount = 0;
        SeedItem = -1;
        SourceShare = 1f;
        _recentCount = _cfLength = _contentLength = _historyLength = _queryLength = 0;
        _includeCount = _excludeCount = 0;
        _hasAllow = _hasRequestFilters = false;
        _allowCount = 0;
        _listedCount = 0;
        _listedBuilt = false;
        _maxAgeMs = surface.MaxItemAgeHours > 0 ? (long)(surface.MaxItemAgeHours * 3_600_000) : 0;
        _seen.Reset(config.HistoryWindow);
        _shown.Reset(16);
        _allow.Reset(16);
        _deny.Reset(16);
        for (int i = 0; i < _touchedCount; i++)
            _categoryShare[_touchedCategories[i]] = 0;
        _touchedCount = 0;
    }

    internal void AddSeen(int ordinal) => _seen.Add(ordinal);

    internal void AddShown(int ordinal) => _shown.Add(ordinal);

    internal void AddRecent(int ordinal)
    {
        if (_recentCount == _recent.Length)
            Array.Resize(ref _recent, _recent.Length * 2);
        _recent[_recentCount++] = ordinal;
    }

    /// <summary>Adds one interaction's categories to the user's category shares (normalised by <see cref="FinishCategoryShares"/>).</summary>
    internal void CountCategories(ReadOnlySpan<int> categories)
    {
        foreach (int c in categories)
        {
            if (c >= _categoryShare.Length)
                Array.Resize(ref _categoryShare, Math.Max(c + 1, _categoryShare.Length * 2));
            if (_categoryShare[c] == 0)
            {
                if (_touchedCount == _touchedCategories.Length)
                    Array.Resize(ref _touchedCategories, _touchedCategories.Length * 2);
                _touchedCategories[_touchedCount++] = c;
            }
            _categoryShare[c] += 1;
        }
    }

    internal void FinishCategoryShares(int interactions)
    {
        if (interactions == 0)
            return;
        for (int i = 0; i < _touchedCount; i++)
            _categoryShare[_touchedCategories[i]] /= interactions;
    }

    internal Span<float> CfBuffer(int length) => Buffer(ref _cf, ref _cfLength, length);

    internal Span<float> ContentBuffer(int length) => Buffer(ref _content, ref _contentLength, length);

    internal Span<float> HistoryBuffer(int length) => Buffer(ref _history, ref _historyLength, length);

    internal Span<float> QueryBuffer(int length) => Buffer(ref _query, ref _queryLength, length);

    internal void ClearCf() => _cfLength = 0;

    internal void ClearContent() => _contentLength = 0;

    internal void ClearHistoryProfile() => _historyLength = 0;

    internal void ClearQuery() => _queryLength = 0;

    internal void AllowOnly(int ordinal)
    {
        _hasAllow = _hasRequestFilters = true;
        if (!_allow.Add(ordinal))
            return;
        if (_allowCount == _allowList.Length)
            Array.Resize(ref _allowList, _allowList.Length * 2);
        _allowList[_allowCount++] = ordinal;
    }

    internal void MarkAllowList() => _hasAllow = _hasRequestFilters = true;

    internal void Deny(int ordinal)
    {
        _hasRequestFilters = true;
        _deny.Add(ordinal);
    }

    internal void IncludeCategory(int category)
    {
        _hasRequestFilters = true;
        if (_includeCount == _include.Length)
            Array.Resize(ref _include, _include.Length * 2);
        _include[_includeCount++] = category;
    }

    internal void ExcludeCategory(int category)
    {
        _hasRequestFilters = true;
        if (_excludeCount == _exclude.Length)
            Array.Resize(ref _exclude, _exclude.Length * 2);
        _exclude[_excludeCount++] = category;
    }

    private static Span<float> Buffer(ref float[] buffer, ref int length, int wanted)
    {
        if (buffer.Length < wanted)
            buffer = new float[wanted];
        length = wanted;
        Span<float> span = buffer.AsSpan(0, wanted);
        span.Clear();
        return span;
    }
}
