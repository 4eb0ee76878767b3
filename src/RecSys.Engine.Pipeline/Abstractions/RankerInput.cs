namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// The ranker's whole input for one request, as columns over the candidates (struct of arrays): the raw values of the
/// ranking feature schema (<see cref="Models.Ranking.RankingFeatureSchema"/>), filled by one batch read of the feature
/// store and from memory, no allocation per candidate. <see cref="FeatureAssembly.RankingFeatureWriter"/> turns it into
/// the schema's tensor with the one assembler offline training uses too.
/// <code>
///   user      User (history length, segment, demographics)     context  Context (surface, hour, weekday)
///             Request.CategoryShare(c): the user's share of recent items in category c
///   item      Popularity[i]       the store's decayed counter   AgeHours[i]  since publish (-1 unknown)
///             Impressions[i]      times served (memory)          categories of i  CategoryIds[CategoryStart[i] .. CategoryStart[i + 1])
///   cross     Candidates.SourceRank(s)[i] / SourceScore(s)[i]   each source's rank (0 = absent) and score (NaN)
///             ContentSimilarity[i] cosine of the item's content vector and the user's history profile (NaN = none)
///             CfScore[i]          user CF vector . item factors (NaN = either missing)
/// </code>
/// Columns hold <see cref="Count"/> valid entries. Pooled with the request: valid only during the ranker call.
/// </summary>
public sealed class RankerInput
{
    private float[] _popularity = [];
    private float[] _ageHours = [];
    private int[] _impressions = [];
    private int[] _categoryStart = [0];
    private int[] _categoryIds = [];
    private float[] _contentSimilarity = [];
    private float[] _cfScore = [];
    private double[] _counters = [];

    public CandidateSet Candidates { get; private set; } = new();

    /// <summary>The request (surface, config, user context) the candidates are ranked for.</summary>
    public RequestContext Request { get; private set; } = null!;

    public int Count => Candidates.Count;

    public UserFeatures User { get; internal set; }

    public ContextFeatures Context { get; internal set; }

    /// <summary>False when only the candidate set and source columns are filled (a ranker that needs no features).</summary>
    public bool HasFeatures { get; internal set; }

    public ReadOnlySpan<float> Popularity => _popularity.AsSpan(0, Count);

    public ReadOnlySpan<float> AgeHours => _ageHours.AsSpan(0, Count);

    public ReadOnlySpan<int> Impressions => _impressions.AsSpan(0, Count);

    public ReadOnlySpan<int> CategoryStart => _categoryStart.AsSpan(0, Count + 1);

    public ReadOnlySpan<int> CategoryIds => _categoryIds.AsSpan(0, _categoryStart[Count]);

    public ReadOnlySpan<int> CategoriesOf(int i) => _categoryIds.AsSpan(_categoryStart[i], _categoryStart[i + 1] - _categoryStart[i]);

    public ReadOnlySpan<float> ContentSimilarity => _contentSimilarity.AsSpan(0, Count);

    public ReadOnlySpan<float> CfScore => _cfScore.AsSpan(0, Count);

    internal void Begin(RequestContext request, CandidateSet candidates)
    {
        Request = request;
        Candidates = candidates;
        HasFeatures = false;
        int n = candidates.Count;
        Ensure(ref _popularity, n);
        Ensure(ref _ageHours, n);
        Ensure(ref _impressions, n);
        Ensure(ref _categoryStart, n + 1);
        Ensure(ref _contentSimilarity, n);
        Ensure(ref _cfScore, n);
        Ensure(ref _counters, n);
        _categoryStart[0] = 0;
    }

    internal double[] CounterBuffer => _counters;

    internal float[] PopularityColumn => _popularity;

    internal Span<float> AgeHoursColumn => _ageHours.AsSpan(0, Count);

    internal Span<int> ImpressionsColumn => _impressions.AsSpan(0, Count);

    internal Span<float> ContentSimilarityColumn => _contentSimilarity.AsSpan(0, Count);

    internal Span<float> CfScoreColumn => _cfScore.AsSpan(0, Count);

    /// <summary>Appends candidate i's categories (called in candidate order).</summary>
    internal void SetCategories(int i, ReadOnlySpan<int> categories)
    {
        int start = _categoryStart[i];
        Ensure(ref _categoryIds, start + categories.Length, keep: true);
        categories.CopyTo(_categoryIds.AsSpan(start));
        _categoryStart[i + 1] = start + categories.Length;
    }

    /// <summary>The feature writer's buffers for this request (pooled with it).</summary>
    internal FeatureAssembly.RankingFeatureBuffers FeatureBuffers { get; } = new();

    internal static void Ensure<T>(ref T[] column, int length, bool keep = false)
    {
        if (column.Length >= length)
            return;
        var grown = new T[Math.Max(length, column.Length * 2)];
        if (keep)
            column.AsSpan().CopyTo(grown);
        column = grown;
    }
}
