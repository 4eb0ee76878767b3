using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;

namespace RecSys.Engine.Pipeline.FeatureAssembly;

/// <summary>
/// The pipeline's side of the one feature assembly: maps a request's <see cref="RankerInput"/> (filled by one batch read
/// of the feature store and from memory) onto the schema's raw <see cref="RankingFeatureInput"/> and runs the same
/// <see cref="RankingFeatureAssembler"/> offline training runs, so a model is served exactly the features it was
/// trained on. Offline, <see cref="OfflineRankingFeatures"/> fills the same input from interaction data.
/// <code>
///   RankerInput                               -> RankingFeatureInput (schema layout)
///     User (history length, age band, gender)    User
///     Context (surface name, hour, weekday)      Context (the schema's surface one-hot by name)
///     Request.CategoryShare(catalog category)    UserCategoryShare[schema category] (matched by name)
///     categories of each candidate               ItemCategoryMask (bit = schema category)
///     Popularity, AgeHours, ContentSimilarity,   ItemTrend, ItemAgeHours, ContentSimilarity, CfScore (as they are)
///     CfScore
///     Candidates' source columns, by name        SourceRanks / SourceScores [schema sources x n]; a schema source the
///                                                request did not run reads as "retrieved nothing"; collaborative and
///                                                content scores filled for every candidate (schema v3)
/// </code>
/// Thread-safe; writes into the request's pooled buffers (no allocation once they have grown, except when the
/// catalog's category table grows, which rebuilds the small name map once).
/// </summary>
public sealed class RankingFeatureWriter
{
    private readonly RankingFeatureAssembler _assembler;
    private readonly DenseSource[] _dense;
    private CategoryMap? _categories;

    public RankingFeatureWriter(RankingFeatureSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _assembler = new RankingFeatureAssembler(schema);
        _dense = [.. schema.Sources.Select(DenseOf)];
    }

    public RankingFeatureSchema Schema => _assembler.Schema;

    /// <summary>
    /// Null when a pipeline running <paramref name="config"/> fills the schema's features as they were defined in
    /// training; otherwise what differs (the history window every user and affinity feature reads).
    /// </summary>
    public string? Mismatch(PipelineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.HistoryWindow == Schema.HistoryWindow ? null
            : $"the pipeline reads {config.HistoryWindow} history events per request (PipelineConfig.HistoryWindow), the ranker's feature schema was trained on {Schema.HistoryWindow}";
    }

    /// <summary>Writes the schema's [candidates x features] rows of <paramref name="input"/>; the span lives in the request's pooled buffers.</summary>
    /// <exception cref="InvalidOperationException">The input has no features (the ranker must say NeedsFeatures), or the pipeline's config does not fit the schema.</exception>
    public ReadOnlySpan<float> Write(RankerInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!input.HasFeatures)
            throw new InvalidOperationException("the ranker input carries no features: a ranker that reads them must say NeedsFeatures");
        RequestContext request = input.Request;
        if (Mismatch(request.Config) is { } mismatch)
            throw new InvalidOperationException(mismatch);
        RankingFeatureSchema schema = Schema;
        RankingFeatureBuffers buffers = input.FeatureBuffers;
        int n = input.Count, sources = schema.Sources.Count;
        CategoryMap map = CategoriesOf(request.Catalog.Categories);

        Span<float> shares = buffers.Shares(schema.Categories.Count);
        for (int k = 0; k < shares.Length; k++)
            shares[k] = map.CatalogId[k] >= 0 ? request.CategoryShare(map.CatalogId[k]) : 0f;
        Span<ulong> masks = buffers.Masks(n);
        for (int i = 0; i < n; i++)
        {
            ulong mask = 0;
            foreach (int c in input.CategoriesOf(i))
            {
                if ((uint)c < (uint)map.Bit.Length && map.Bit[c] >= 0)
                    mask |= 1UL << map.Bit[c];
            }
            masks[i] = mask;
        }
        Span<float> scores = buffers.Scores(sources * n);
        Span<int> ranks = buffers.Ranks(sources * n);
        CandidateSet set = input.Candidates;
        for (int s = 0; s < sources; s++)
        {
            int column = IndexOf(set.SourceNames, schema.Sources[s]);
            if (column < 0)
            {
                scores.Slice(s * n, n).Fill(float.NaN);
                ranks.Slice(s * n, n).Clear();
                continue;
            }
            set.SourceScore(column).CopyTo(scores.Slice(s * n, n));
            set.SourceRank(column).CopyTo(ranks.Slice(s * n, n));
        }
        FillDenseScores(request, input, scores, n);

        var features = new RankingFeatureInput
        {
            User = new RankingUserFeatures { HistoryLength = input.User.Interactions, AgeBucket = input.User.AgeBucket, Gender = (UserGender)input.User.Gender },
            Context = new RankingContext
            {
                Surface = RankingContext.SurfaceOf(input.Context.Surface),
                Hour = input.Context.HourOfDay,
                Weekday = (DayOfWeek)input.Context.DayOfWeek,
            },
            UserCategoryShare = shares,
            ItemTrend = input.Popularity,
            ItemAgeHours = input.AgeHours,
            ItemCategoryMask = masks,
            ContentSimilarity = input.ContentSimilarity,
            CfScore = input.CfScore,
            SourceScores = scores,
            SourceRanks = ranks,
        };
        Span<float> tensor = buffers.Tensor(_assembler.TensorLength(n));
        _assembler.Assemble(features, n, tensor);
        return tensor;
    }

    /// <summary>
    /// Schema v3: a source that can score one item scores every candidate, retrieved by it or not, with the score its
    /// own list carries (so the columns equal offline's full-catalog scores): collaborative (and "als", its offline
    /// name) = the user's CF vector . the item's factors (the CF score column), content = the user's content profile .
    /// the item's content vector (the content source's query and cosine index). The others (item-to-item, popular,
    /// trending, two-tower) keep the scores of what they retrieved. Computed once per request from memory, in place.
    /// </summary>
    private void FillDenseScores(RequestContext request, RankerInput input, Span<float> scores, int n)
    {
        for (int s = 0; s < _dense.Length; s++)
        {
            Span<float> column = scores.Slice(s * n, n);
            switch (_dense[s])
            {
                case DenseSource.Collaborative:
                    if (!request.CfVector.IsEmpty)
                        input.CfScore[..n].CopyTo(column);
                    break;
                case DenseSource.Content:
                    ReadOnlySpan<float> profile = request.ContentProfile;
                    var table = request.ContentRows;
                    if (profile.IsEmpty || table is null)
                        break;
                    ReadOnlySpan<int> ordinals = input.Candidates.Ordinals;
                    for (int i = 0; i < n; i++)
                    {
                        ReadOnlySpan<float> row = table.Row(ordinals[i]);
                        column[i] = row.Length == profile.Length ? Core.Vectors.Kernels.DotProduct.Compute(profile, row) : float.NaN;
                    }
                    break;
            }
        }
    }

    private static DenseSource DenseOf(string source) => source switch
    {
        Sources.SourceNames.Collaborative or "als" => DenseSource.Collaborative,
        Sources.SourceNames.Content => DenseSource.Content,
        _ => DenseSource.None,
    };

    private enum DenseSource : byte
    {
        None,
        Collaborative,
        Content,
    }

    private static int IndexOf(ReadOnlySpan<string> names, string name)
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    /// <summary>The name map between the catalog's category table and the schema's categories (rebuilt when the table grows).</summary>
    private CategoryMap CategoriesOf(KeyTable table)
    {
        CategoryMap? map = Volatile.Read(ref _categories);
        if (map is not null && ReferenceEquals(map.Table, table) && map.Bit.Length == table.Count)
            return map;
        map = new CategoryMap(table, Schema);
        Volatile.Write(ref _categories, map);
        return map;
    }

    private sealed class CategoryMap
    {
        public CategoryMap(KeyTable table, RankingFeatureSchema schema)
        {
            Table = table;
            Bit = new int[table.Count];
            Array.Fill(Bit, -1);
            CatalogId = new int[schema.Categories.Count];
            for (int k = 0; k < CatalogId.Length; k++)
            {
                CatalogId[k] = table.TryGetId(schema.Categories[k], out int id) ? id : -1;
                if ((uint)CatalogId[k] < (uint)Bit.Length)
                    Bit[CatalogId[k]] = k;
            }
        }

        public KeyTable Table { get; }

        /// <summary>Catalog category id -> schema category (bit), -1 when the schema has no column for it.</summary>
        public int[] Bit { get; }

        /// <summary>Schema category -> catalog category id, -1 when the catalog has none of that name.</summary>
        public int[] CatalogId { get; }
    }
}
