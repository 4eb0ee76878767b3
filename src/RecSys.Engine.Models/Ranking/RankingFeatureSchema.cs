using System.Text.Json;
using System.Text.Json.Serialization;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The ranking feature schema: the name, order, meaning and scaling of every column of the [candidates x features]
/// tensor a ranker reads. It is kept with each model (inside the .onnx file's metadata and as JSON beside it), so a
/// model is only ever fed the layout it was trained on. Every feature is defined on what both sides of the engine
/// hold for a (user, item, time), so offline training (<see cref="OfflineRankingFeatures"/>, from interaction data and
/// the trained models) and serving (the pipeline, from one batch read of the feature store and the in-memory
/// catalog) fill the same raw <see cref="RankingFeatureInput"/>, and one <see cref="RankingFeatureAssembler"/> scales it.
/// The layout, by group, in this order (each group optional):
/// <code>
///  user      user_log_history, user_age_bucket, user_gender_female, user_gender_male, user_demographics_known
///  item      item_log_trend, item_log_age_days, item_age_known, item_category_&lt;c&gt; for each category c (multi-hot)
///  context   context_surface_&lt;s&gt; for home, search, email, item_page (one-hot), context_hour_sin/cos,
///            context_weekday_sin/cos
///  sources   for each source s: source_&lt;s&gt;_score_z, source_&lt;s&gt;_score_gap, source_&lt;s&gt;_inverse_rank
///  affinity  user_category_affinity_mean, user_category_affinity_max, content_similarity_recent, cf_score_z, cf_score_gap
/// </code>
/// Two parameters pin what "recent" and "trend" mean, so both sides compute the same numbers:
/// <see cref="HistoryWindow"/> (the user's newest events read, as the pipeline's <c>HistoryWindow</c>) and
/// <see cref="CounterHalfLifeHours"/> (the half-life of the feature store's item counters). The source block is data:
/// one triple per name in <see cref="Sources"/>, matched by name against the request's sources. Since version 3 a
/// source's score is its score of EVERY candidate where the source can score one item (ALS / collaborative: the dot of
/// the user's vector and the item's factors; content: the profile's cosine; EASE, item-kNN, trending offline from the
/// model's row), and only of the items it retrieved where it cannot (serving's item-to-item, popular); the rank is
/// always the rank in the source's own list (0 = not retrieved: the "missing" indicator).
/// Source and CF scores are standardised within the request, and the trend counter centred on the request's mean:
/// scales differ by user and grow with the data, and a ranker only compares candidates of one request anyway.
/// Version 3 (version 2 gave a source's score only for what it retrieved; version 1 was trained on counters and scores
/// serving could not fill). A change to any name, meaning, scaling or parameter is a new version; models of another
/// version are refused with a message that says to retrain.
/// </summary>
public sealed class RankingFeatureSchema
{
    public const string Format = "recsys-ranking-features";

    public const int CurrentVersion = 3;

    /// <summary>Category masks are one 64-bit word per item.</summary>
    public const int MaxCategories = 64;

    /// <summary>The pipeline's default history window (PipelineConfig.HistoryWindow).</summary>
    public const int DefaultHistoryWindow = 100;

    /// <summary>The feature store's default counter half-life (FeatureStoreSettings.CounterHalfLife).</summary>
    public const double DefaultCounterHalfLifeHours = 24;

    /// <summary>The offline candidate sources, in schema order (two-tower reads as never retrieved until it is trained).</summary>
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

    private RankingFeatureSchema(RankingFeatureGroups groups, string[] categories, string[] sources, int historyWindow, double halfLifeHours, RankingFeature[] features)
    {
        Groups = groups;
        Categories = categories;
        Sources = sources;
        HistoryWindow = historyWindow;
        CounterHalfLifeHours = halfLifeHours;
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

    /// <summary>The user's newest history events the user and affinity features read.</summary>
    public int HistoryWindow { get; }

    /// <summary>Half-life of the item trend counter (the feature store's decayed counters).</summary>
    public double CounterHalfLifeHours { get; }

    public IReadOnlyList<RankingFeature> Features { get; }

    public int Count => Features.Count;

    /// <summary>The column of <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out int f) ? f : -1;

    public static RankingFeatureSchema Create(IReadOnlyList<string> categories, IReadOnlyList<string>? sources = null,
        RankingFeatureGroups groups = RankingFeatureGroups.All, int historyWindow = DefaultHistoryWindow,
        double counterHalfLifeHours = DefaultCounterHalfLifeHours)
    {
        ArgumentNullException.ThrowIfNull(categories);
        sources ??= DefaultSources;
        if (categories.Count > MaxCategories)
            throw new ArgumentException($"at most {MaxCategories} categories fit the item category mask, got {categories.Count}", nameof(categories));
        if ((groups & ~RankingFeatureGroups.All) != 0 || groups == RankingFeatureGroups.None)
            throw new ArgumentOutOfRangeException(nameof(groups), $"groups must be a non-empty subset of {RankingFeatureGroups.All}, got {groups}");
        ArgumentOutOfRangeException.ThrowIfLessThan(historyWindow, 1);
        if (!(counterHalfLifeHours > 0) || !double.IsFinite(counterHalfLifeHours))
            throw new ArgumentOutOfRangeException(nameof(counterHalfLifeHours), counterHalfLifeHours, "the counter half-life must be a positive number of hours");
        foreach (string name in categories.Concat(sources))
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("category and source names must be non-empty");
        }
        string window = $"the user's newest {historyWindow} history events";
        var f = new List<RankingFeature>();
        if (groups.HasFlag(RankingFeatureGroups.User))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.User;
            f.Add(new("user_log_history", g, $"interactions among {window}", "log(1 + x)"));
            f.Add(new("user_age_bucket", g, "the profile's age band (1 under 18, 2 18-24, ... 7 56+), 0 when unknown", "x / 7"));
            f.Add(new("user_gender_female", g, "the profile says female", "1 or 0"));
            f.Add(new("user_gender_male", g, "the profile says male", "1 or 0"));
            f.Add(new("user_demographics_known", g, "whether the age band or gender is known", "1 or 0"));
        }
        if (groups.HasFlag(RankingFeatureGroups.Item))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.Item;
            f.Add(new("item_log_trend", g, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the item's decayed counter as of the request time: the sum of its events' values, each halved every {counterHalfLifeHours:G} h"),
                "log(1 + x), minus its mean over the request's candidates"));
            f.Add(new("item_log_age_days", g, "days since the item was published", "log(1 + max(0, x)); 0 when unknown"));
            f.Add(new("item_age_known", g, "whether the item has a publish time", "1 or 0"));
            foreach (string c in categories)
                f.Add(new("item_category_" + Slug(c), g, $"the item is in category '{c}'", "1 or 0"));
        }
        if (groups.HasFlag(RankingFeatureGroups.Context))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.Context;
            foreach (string s in SurfaceNames)
                f.Add(new("context_surface_" + s, g, $"the request comes from the {s} surface", "1 or 0"));
            f.Add(new("context_hour_sin", g, "hour of day (UTC) of the request", "sin(2 pi hour / 24)"));
            f.Add(new("context_hour_cos", g, "hour of day (UTC) of the request", "cos(2 pi hour / 24)"));
            f.Add(new("context_weekday_sin", g, "day of week (UTC, Sunday 0) of the request", "sin(2 pi day / 7)"));
            f.Add(new("context_weekday_cos", g, "day of week (UTC, Sunday 0) of the request", "cos(2 pi day / 7)"));
        }
        if (groups.HasFlag(RankingFeatureGroups.Sources))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.Sources;
            foreach (string s in sources)
            {
                f.Add(new($"source_{Slug(s)}_score_z", g, $"the {s} source's score for the item (every candidate where {s} can score one item, else only those it retrieved), standardised over this request's candidates",
                    "(x - mean) / std over the known scores; 0 when unknown or all are equal"));
                f.Add(new($"source_{Slug(s)}_score_gap", g, $"how far the {s} score is below the best known {s} score among this request's candidates",
                    "(x - max) / std over the known scores; 0 when unknown or all are equal"));
                f.Add(new($"source_{Slug(s)}_inverse_rank", g, $"1 / rank of the item in the {s} source's candidate list", "1 / rank; 0 when not retrieved by it"));
            }
        }
        if (groups.HasFlag(RankingFeatureGroups.Affinity))
        {
            const RankingFeatureGroups g = RankingFeatureGroups.Affinity;
            string shares = $"the share of the distinct items of {window} in that category";
            f.Add(new("user_category_affinity_mean", g, $"mean over the item's categories of {shares}", "identity (0..1); 0 without categories"));
            f.Add(new("user_category_affinity_max", g, $"max over the item's categories of {shares}", "identity (0..1); 0 without categories"));
            f.Add(new("content_similarity_recent", g, $"cosine of the item's content vector and the normalised sum of the content vectors of the distinct items of {window}",
                "identity (-1..1); 0 without history or content vector"));
            f.Add(new("cf_score_z", g, "the user's CF vector . the item's CF factors, standardised over this request's candidates",
                "(x - mean) / std over the known scores; 0 when unknown or all equal"));
            f.Add(new("cf_score_gap", g, "how far the CF score is below the best CF score among this request's candidates",
                "(x - max) / std over the known scores; 0 when unknown or all equal"));
        }
        return new RankingFeatureSchema(groups, [.. categories], [.. sources], historyWindow, counterHalfLifeHours, [.. f]);
    }

    /// <summary>
    /// Null when <paramref name="other"/> has the same columns in the same order; otherwise a message that names the
    /// first feature that differs (by column) and how, calling the two sides <paramref name="mine"/> and <paramref name="theirs"/>.
    /// </summary>
    public string? FirstDifference(RankingFeatureSchema other, string mine = "this schema", string theirs = "the other schema")
    {
        if (HistoryWindow != other.HistoryWindow)
            return $"the history window is {HistoryWindow} events in {mine} but {other.HistoryWindow} in {theirs} (every user and affinity feature reads it)";
        if (CounterHalfLifeHours != other.CounterHalfLifeHours)
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the counter half-life is {CounterHalfLifeHours:G} h in {mine} but {other.CounterHalfLifeHours:G} h in {theirs} (feature 'item_log_trend')");
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
        HistoryWindow = HistoryWindow,
        CounterHalfLifeHours = CounterHalfLifeHours,
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
            throw new InvalidDataException($"{origin}: feature schema version {doc.Version}, this build assembles version {CurrentVersion}"
                + (doc.Version < CurrentVersion ? " (a source's score now covers every candidate the source can score, not only those it retrieved): retrain the ranker" : ""));
        RankingFeatureSchema rebuilt;
        try
        {
            rebuilt = Create(doc.Categories ?? [], doc.Sources ?? [], doc.Groups, doc.HistoryWindow, doc.CounterHalfLifeHours);
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

    /// <summary>
    /// What a category, source or surface name becomes in feature names: lower case letters and digits, other runs as
    /// one underscore ("Children's" -> "children_s", "item-page" -> "item_page").
    /// </summary>
    public static string Slug(string name)
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

        public int HistoryWindow { get; init; }

        public double CounterHalfLifeHours { get; init; }

        public RankingFeature[]? Features { get; init; }
    }
}
