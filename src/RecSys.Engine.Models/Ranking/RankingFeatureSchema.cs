using System.Text.Json;
using System.Text.Json.Serialization;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The ranking feature schema: the name, order, meaning and scaling of every column of the [candidates x features]
/// tensor a ranker reads. It is kept with each model (inside the .onnx file's metadata and as JSON beside it), so a
/// model is only ever fed the layout it was trained on. The layout, by group, in this order (each group optional):
/// <code>
///  user      user_log_interactions, user_log_recent_interactions, user_age, user_gender, user_mainstreamness,
///            user_demographics_known
///  item      item_log_interactions, item_log_interactions_7d, item_log_interactions_30d, item_log_age_days,
///            item_category_&lt;c&gt; for each category c (multi-hot)
///  context   context_surface_&lt;s&gt; for home, search, email, item_page (one-hot), context_hour_sin/cos,
///            context_weekday_sin/cos
///  sources   for each source s: source_&lt;s&gt;_score_z, source_&lt;s&gt;_score_gap, source_&lt;s&gt;_inverse_rank
///  affinity  user_category_affinity_mean, user_category_affinity_max, content_similarity_recent
/// </code>
/// Source scores are standardised within the request, and popularity counters centred on the request's mean: sources
/// score on scales that differ by user and grow with the history (EASE and item-kNN sum over it), counters grow with
/// the data, and a ranker only compares candidates of one request anyway (so a model trained on less data, or
/// earlier, still reads today's values right).
/// Version 1. A change to any name, meaning or scaling is a new version; models of another version are refused.
/// </summary>
public sealed class RankingFeatureSchema
{
    public const string Format = "recsys-ranking-features";

    public const int CurrentVersion = 1;

    /// <summary>Category masks are one 64-bit word per item.</summary>
    public const int MaxCategories = 64;

    /// <summary>The candidate sources of the engine, in schema order (two-tower is zero until it is trained).</summary>
    public static readonly IReadOnlyList<string> DefaultSources = ["als", "ease", "itemknn", "content", "trending", "twotower"];

    /// <summary>The surfaces of the context one-hot, in <see cref="RankingSurface"/> order.</summary>
    public static readonly IReadOnlyList<string> SurfaceNames = ["home", "search", "email", "item_page"];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly Dictionary<string, int> _index;

    private RankingFeatureSchema(RankingFeatureGroups groups, string[] categories, string[] sources, RankingFeature[] features)
    {
        Groups = groups;
        Categories = categories;
        Sources = sources;
        Features = features;
        _index = new Dictionary<string, int>(features.Length, StringComparer.Ordinal);
        for (int f = 0; f < features.Length; f++)
        {
            if (!_index.TryAdd(features[f].Name, f))
                throw new ArgumentException($"feature name '{features[f].Name}' appears twice (a category or source name repeats)");
        }
    }

    public int Version => CurrentVersion;

    public RankingFeatureGroups Groups { get; }

    /// <summary>Item categories of the multi-hot block, in mask bit order (bit c = category c).</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>Candidate sources of the cross block, in the order the assembler input lists them.</summary>
    public IReadOnlyList<string> Sources { get; }

    public IReadOnlyList<RankingFeature> Features { get; }

    public int Count => Features.Count;

    /// <summary>The column of <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out int f) ? f : -1;

    public static RankingFeatureSchema Create(IReadOnlyList<string> categories, IReadOnlyList<string>? sources = null,
        RankingFeatureGroups groups = RankingFeatureGroups.All)
    {
        ArgumentNullException.ThrowIfNull(categories);
        sources ??= DefaultSources;
        if (categories.Count > MaxCategories)
            throw new ArgumentException($"at most {MaxCategories} categories fit the item category mask, got {categories.Count}", nameof(categories));
        if ((groups & ~RankingFeatureGroups.All) != 0 || groups == RankingFeatureGroups.None)
            throw new ArgumentOutOfRangeException(nameof(groups), $"groups must be a non-empty subset of {RankingFeatureGroups.All}, got {groups}");
        foreach (string name in categories.Concat(sources))
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("category and source names must be non-empty");
        }
        var f = new List<RankingFeature>();
        if (groups.HasFlag(RankingFeatureGroups.User))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.User;
            f.Add(new("user_log_interactions", g, "interactions in the user's whole history", "log(1 + x)"));
            f.Add(new("user_log_recent_interactions", g, "interactions in the last 30 days", "log(1 + x)"));
            f.Add(new("user_age", g, "age in years, 0 when unknown", "x / 100"));
            f.Add(new("user_gender", g, "gender where stated", "+1 female, -1 male, 0 unknown"));
            f.Add(new("user_mainstreamness", g, "mean log(1 + all-time interactions) of the items in the user's history, against this request's candidates",
                "x minus the mean log(1 + all-time interactions) of the request's candidates; 0 without history"));
            f.Add(new("user_demographics_known", g, "whether age or gender is known", "1 or 0"));
        }
        if (groups.HasFlag(RankingFeatureGroups.Item))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.Item;
            f.Add(new("item_log_interactions", g, "all-time interactions with the item", "log(1 + x), minus its mean over the request's candidates"));
            f.Add(new("item_log_interactions_7d", g, "interactions in the last 7 days", "log(1 + x), minus its mean over the request's candidates"));
            f.Add(new("item_log_interactions_30d", g, "interactions in the last 30 days", "log(1 + x), minus its mean over the request's candidates"));
            f.Add(new("item_log_age_days", g, "days since the item was published (first seen where no date is known)", "log(1 + max(0, x))"));
            foreach (string c in categories)
                f.Add(new("item_category_" + Slug(c), g, $"the item is in category '{c}'", "1 or 0"));
        }
        if (groups.HasFlag(RankingFeatureGroups.Context))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.Context;
            foreach (string s in SurfaceNames)
                f.Add(new("context_surface_" + s, g, $"the request comes from the {s} surface", "1 or 0"));
            f.Add(new("context_hour_sin", g, "hour of day", "sin(2 pi hour / 24)"));
            f.Add(new("context_hour_cos", g, "hour of day", "cos(2 pi hour / 24)"));
            f.Add(new("context_weekday_sin", g, "day of week (Sunday 0)", "sin(2 pi day / 7)"));
            f.Add(new("context_weekday_cos", g, "day of week (Sunday 0)", "cos(2 pi day / 7)"));
        }
        if (groups.HasFlag(RankingFeatureGroups.Sources))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.Sources;
            foreach (string s in sources)
            {
                f.Add(new($"source_{Slug(s)}_score_z", g, $"the {s} source's score for the item, standardised over this request's candidates",
                    "(x - mean) / std over the request's known scores; 0 when unknown or all equal"));
                f.Add(new($"source_{Slug(s)}_score_gap", g, $"how far the {s} score is below the best {s} score among this request's candidates",
                    "(x - max) / std over the request's known scores; 0 when unknown or all equal"));
                f.Add(new($"source_{Slug(s)}_inverse_rank", g, $"1 / rank of the item in the {s} source's candidate list", "1 / rank; 0 when not retrieved by it"));
            }
        }
        if (groups.HasFlag(RankingFeatureGroups.Affinity))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.Affinity;
            f.Add(new("user_category_affinity_mean", g, "mean over the item's categories of the share of the user's history in that category", "identity (0..1); 0 without categories"));
            f.Add(new("user_category_affinity_max", g, "max over the item's categories of the share of the user's history in that category", "identity (0..1); 0 without categories"));
            f.Add(new("content_similarity_recent", g, "cosine of the item's content vector and the mean vector of the user's recent items", "identity (-1..1); 0 without history"));
        }
        return new RankingFeatureSchema(groups, [.. categories], [.. sources], [.. f]);
    }

    /// <summary>
    /// Null when <paramref name="other"/> has the same columns in the same order; otherwise a message that names the
    /// first feature that differs (by column) and how, calling the two sides <paramref name="mine"/> and <paramref name="theirs"/>.
    /// </summary>
    public string? FirstDifference(RankingFeatureSchema other, string mine = "this schema", string theirs = "the other schema")
    {
        int n = Math.Min(Count, other.Count);
        for (int f = 0; f < n; f++)
        {
            if (Features[f].Name != other.Features[f].Name)
                return $"feature {f} is '{Features[f].Name}' in {mine} but '{other.Features[f].Name}' in {theirs}";
        }
        if (Count > n)
            return $"feature {n} '{Features[n].Name}' of {mine} (and {Count - n - 1} after it) is missing from {theirs} ({other.Count} features, {mine} {Count})";
        if (other.Count > n)
            return $"feature {n} '{other.Features[n].Name}' of {theirs} is not in {mine} ({other.Count} features, {mine} {Count})";
        return null;
    }

    public string ToJson() => JsonSerializer.Serialize(new SchemaDocument
    {
        Format = Format,
        Version = Version,
        Groups = Groups,
        Categories = [.. Categories],
        Sources = [.. Sources],
        Features = [.. Features],
    }, Json);

    /// <summary>
    /// Reads a schema written by <see cref="ToJson"/>. The layout is rebuilt from the groups, categories and sources and
    /// must equal the stored feature list, so a schema this build cannot assemble is refused (naming the feature).
    /// </summary>
    public static RankingFeatureSchema FromJson(string json, string origin = "schema")
    {
        SchemaDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize<SchemaDocument>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: not a ranking feature schema ({e.Message})", e);
        }
        if (doc is null || doc.Format != Format)
            throw new InvalidDataException($"{origin}: format is '{doc?.Format}', expected '{Format}'");
        if (doc.Version != CurrentVersion)
            throw new InvalidDataException($"{origin}: feature schema version {doc.Version}, this build assembles version {CurrentVersion}");
        RankingFeatureSchema rebuilt;
        try
        {
            rebuilt = Create(doc.Categories ?? [], doc.Sources ?? [], doc.Groups);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{origin}: {e.Message}", e);
        }
        RankingFeature[] stored = doc.Features ?? [];
        for (int f = 0; f < Math.Max(stored.Length, rebuilt.Count); f++)
        {
            if (f >= stored.Length)
                throw new InvalidDataException($"{origin}: feature {f} '{rebuilt.Features[f].Name}' is missing from the stored list");
            if (f >= rebuilt.Count)
                throw new InvalidDataException($"{origin}: feature {f} '{stored[f].Name}' is not part of schema version {CurrentVersion}");
            if (stored[f] != rebuilt.Features[f])
                throw new InvalidDataException($"{origin}: feature {f} '{stored[f].Name}' differs from version {CurrentVersion}'s '{rebuilt.Features[f].Name}' ({rebuilt.Features[f].Meaning}; {rebuilt.Features[f].Scaling})");
        }
        return rebuilt;
    }

    /// <summary>Lower case letters and digits, other runs as one underscore: "Children's" -> "children_s".</summary>
    private static string Slug(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length);
        foreach (char ch in name.Trim())
        {
            if (char.IsAsciiLetterOrDigit(ch))
                sb.Append(char.ToLowerInvariant(ch));
            else if (sb.Length > 0 && sb[^1] != '_')
                sb.Append('_');
        }
        return sb.ToString().TrimEnd('_');
    }

    private sealed class SchemaDocument
    {
        public string? Format { get; init; }

        public int Version { get; init; }

        public RankingFeatureGroups Groups { get; init; }

        public string[]? Categories { get; init; }

        public string[]? Sources { get; init; }

        public RankingFeature[]? Features { get; init; }
    }
}
