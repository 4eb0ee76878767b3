using System.Globalization;
using System.Text;
using System.Text.Json;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Config;

/// <summary>
/// A pipeline config from a JSON file (snake_case, as the experiments file): changes to <see cref="PipelineDefaults.Config"/>
/// of the served version's models, so a file says only what it changes.
/// <code>
///   {"version": "spring-sale",
///    "rules": [{"kind": "Exclude", "category": "discontinued"}],
///    "surfaces": [
///      {"name": "home", "mmr_lambda": 0.5, "exploration_share": 0.2, "category_cap": 3,
///       "sources": [{"name": "collaborative", "count": 300, "budget": "00:00:00.080"},
///                   {"name": "trending", "enabled": false},
///                   {"name": "sequence", "count": 100, "weight": 0.2}],
///       "rules": [{"kind": "Pin", "item_id": 42, "position": 0}, {"kind": "Boost", "category": "sale", "factor": 1.5}]},
///      {"name": "deals", "code": 5, "sources": [{"name": "popular", "count": 50}]}]}
/// </code>
/// A surface the defaults have keeps every field the file does not give; another name adds a surface, which needs a
/// code and sources. A source the surface has keeps its count, budget, weight and ef unless given, and "enabled": false
/// drops it; a source new to the surface needs a count (budget omitted: the caller's, weight 1). "rules" replaces the
/// surface's rules (pipeline-wide: the config's), which the defaults leave empty.
/// <para>
/// Every fault is an <see cref="InvalidDataException"/> naming the file and the JSON path of the field: JSON that does
/// not parse, a value of the wrong type, a field the format does not have, a missing name or kind, a surface or source
/// listed twice, a new surface without a code, a pin without a position, and any value the config's own checks refuse
/// (<see cref="PipelineConfig.Validate"/> and the surface, source and rule checks under it: ranges, counts, budgets,
/// rule kinds). Which sources exist depends on the version's models, so <see cref="PipelineVersion.Create"/> checks
/// that; <see cref="Explain"/> words its refusal as this file's fault.
/// </para>
/// </summary>
public sealed class PipelineConfigFile
{
    private const string What = "pipeline config file";

    private readonly Document _document;

    private PipelineConfigFile(Document document, string source)
    {
        _document = document;
        Source = source;
    }

    /// <summary>The file (or what the text came from), as errors name it.</summary>
    public string Source { get; }

    public static PipelineConfigFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Checked(RegistryJson.Read<Document>(path, What, RegistryJson.Strict), path);
    }

    /// <summary>Parses the file's text; <paramref name="source"/> names it in errors.</summary>
    public static PipelineConfigFile Parse(string json, string source = "pipeline config JSON")
    {
        ArgumentNullException.ThrowIfNull(json);
        return Checked(RegistryJson.Parse<Document>(Encoding.UTF8.GetBytes(json), source, What, RegistryJson.Strict), source);
    }

    /// <summary>
    /// <see cref="PipelineDefaults.Config"/> of <paramref name="models"/> with the file's changes, checked. A given
    /// <paramref name="sourceBudget"/> (the server's Serving:SourceBudget) replaces the defaults' 50 ms first, and is
    /// the budget of a source the file adds without one; a budget the file gives wins.
    /// </summary>
    public PipelineConfig Apply(ServingModels models, TimeSpan? sourceBudget = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        var defaults = PipelineDefaults.Config(models);
        if (sourceBudget is { } budget)
            defaults = defaults.WithSourceBudget(budget);
        return Apply(defaults, sourceBudget ?? PipelineDefaults.SourceBudget);
    }

    /// <summary><paramref name="defaults"/> with the file's changes, checked; <paramref name="newSourceBudget"/> is the budget of a source the file adds without one.</summary>
    public PipelineConfig Apply(PipelineConfig defaults, TimeSpan newSourceBudget)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var d = _document;
        var surfaces = defaults.Surfaces.ToList();
        var entries = d.Surfaces ?? [];
        for (int i = 0; i < entries.Count; i++)
        {
            string path = $"surfaces[{i}]";
            var entry = entries[i];
            int at = surfaces.FindIndex(s => string.Equals(s.Name, entry.Name, StringComparison.Ordinal));
            var surface = Merge(entry, at < 0 ? null : surfaces[at], defaults, newSourceBudget, path);
            Check(path, surface.Validate);
            if (at < 0)
                surfaces.Add(surface);
            else
                surfaces[at] = surface;
        }
        var config = defaults with
        {
            Version = d.Version ?? defaults.Version,
            Surfaces = surfaces,
            Rules = d.Rules is null ? defaults.Rules : Rules(d.Rules, "rules", "pipeline-wide"),
            HistoryWindow = d.HistoryWindow ?? defaults.HistoryWindow,
            SeenWindow = d.SeenWindow ?? defaults.SeenWindow,
            SeenOverfetch = d.SeenOverfetch ?? defaults.SeenOverfetch,
            SeedItems = d.SeedItems ?? defaults.SeedItems,
            SequenceSeeds = d.SequenceSeeds ?? defaults.SequenceSeeds,
            SequenceSeedHalfLife = d.SequenceSeedHalfLife ?? defaults.SequenceSeedHalfLife,
            FusionC = d.FusionC ?? defaults.FusionC,
            ExplorationImpressions = d.ExplorationImpressions ?? defaults.ExplorationImpressions,
            ItemFoldInUsers = d.ItemFoldInUsers ?? defaults.ItemFoldInUsers,
            CountServedImpressions = d.CountServedImpressions ?? defaults.CountServedImpressions,
            OnboardingWeight = d.OnboardingWeight ?? defaults.OnboardingWeight,
            CategoryScanMaxItems = d.CategoryScanMaxItems ?? defaults.CategoryScanMaxItems,
        };
        Check("", config.Validate);
        return config;
    }

    /// <summary>
    /// <see cref="PipelineVersion.Create"/>'s refusal of a source this file lists on a surface, as this file's fault
    /// (the file, the source's JSON path, the sources the version has); null when the file does not list that source
    /// there (the defaults list only sources the models have).
    /// </summary>
    public InvalidDataException? Explain(UnknownSourceException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var surfaces = _document.Surfaces ?? [];
        for (int i = 0; i < surfaces.Count; i++)
        {
            if (!string.Equals(surfaces[i].Name, e.Surface, StringComparison.Ordinal))
                continue;
            var sources = surfaces[i].Sources ?? [];
            for (int j = 0; j < sources.Count; j++)
            {
                if (string.Equals(sources[j].Name, e.SourceName, StringComparison.Ordinal))
                    return new InvalidDataException($"{Source}: surfaces[{i}].sources[{j}].name: {e.Message}", e);
            }
        }
        return null;
    }

    /// <summary>What parsing alone cannot refuse and needs no defaults: null entries, blank names, a name listed twice.</summary>
    private static PipelineConfigFile Checked(Document document, string source)
    {
        if (document.Version is { } version && string.IsNullOrWhiteSpace(version))
            throw new InvalidDataException($"{source}: version: must not be blank (omit it for \"default\")");
        NoNulls(document.Rules, "rules", source);
        var surfaces = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = document.Surfaces ?? [];
        for (int i = 0; i < entries.Count; i++)
        {
            string path = $"surfaces[{i}]";
            var entry = entries[i] ?? throw new InvalidDataException($"{source}: {path} is null");
            if (string.IsNullOrWhiteSpace(entry.Name))
                throw new InvalidDataException($"{source}: {path}.name: a surface needs a name");
            if (!surfaces.TryAdd(entry.Name, i))
                throw new InvalidDataException($"{source}: {path}.name: surface '{entry.Name}' is listed twice (surfaces[{surfaces[entry.Name]}] too)");
            NoNulls(entry.Rules, $"{path}.rules", source);
            var sources = new Dictionary<string, int>(StringComparer.Ordinal);
            var sourceEntries = entry.Sources ?? [];
            for (int j = 0; j < sourceEntries.Count; j++)
            {
                string at = $"{path}.sources[{j}]";
                var s = sourceEntries[j] ?? throw new InvalidDataException($"{source}: {at} is null");
                if (string.IsNullOrWhiteSpace(s.Name))
                    throw new InvalidDataException($"{source}: {at}.name: a source needs a name");
                if (!sources.TryAdd(s.Name, j))
                    throw new InvalidDataException($"{source}: {at}.name: source '{s.Name}' is listed twice on surface '{entry.Name}' ({path}.sources[{sources[s.Name]}] too)");
            }
        }
        return new PipelineConfigFile(document, source);
    }

    private static void NoNulls<T>(IReadOnlyList<T?>? list, string path, string source)
        where T : class
    {
        for (int i = 0; i < (list?.Count ?? 0); i++)
        {
            if (list![i] is null)
                throw new InvalidDataException($"{source}: {path}[{i}] is null");
        }
    }

    /// <summary>The surface <paramref name="e"/> describes: <paramref name="surface"/> (the defaults') with its changes, or a new one.</summary>
    private SurfaceConfig Merge(SurfaceEntry e, SurfaceConfig? surface, PipelineConfig defaults, TimeSpan newSourceBudget, string path)
    {
        if (surface is null)
        {
            if (e.Code is not { } code)
                throw Fault($"{path}.code", $"surface '{e.Name}' is not one of this version's ({string.Join(", ", defaults.Surfaces.Select(s => s.Name))}); a new surface needs a code");
            surface = new SurfaceConfig { Name = e.Name, Code = code, Sources = [] };
        }
        return surface with
        {
            Code = e.Code ?? surface.Code,
            Sources = e.Sources is null ? surface.Sources : Sources(e.Sources, surface, newSourceBudget, path),
            DefaultK = e.DefaultK ?? surface.DefaultK,
            MaxK = e.MaxK ?? surface.MaxK,
            FilterSeen = e.FilterSeen ?? surface.FilterSeen,
            FilterShownOnSurface = e.FilterShownOnSurface ?? surface.FilterShownOnSurface,
            RecordImpressions = e.RecordImpressions ?? surface.RecordImpressions,
            FreshnessHalfLifeHours = e.FreshnessHalfLifeHours ?? surface.FreshnessHalfLifeHours,
            FreshnessWeight = e.FreshnessWeight ?? surface.FreshnessWeight,
            MaxItemAgeHours = e.MaxItemAgeHours ?? surface.MaxItemAgeHours,
            MmrLambda = e.MmrLambda ?? surface.MmrLambda,
            DiversityPool = e.DiversityPool ?? surface.DiversityPool,
            CategoryCap = e.CategoryCap ?? surface.CategoryCap,
            ExplorationShare = e.ExplorationShare ?? surface.ExplorationShare,
            ExplorationFirstPosition = e.ExplorationFirstPosition ?? surface.ExplorationFirstPosition,
            ExplorationPool = e.ExplorationPool ?? surface.ExplorationPool,
            ExplorationPick = e.ExplorationPick ?? surface.ExplorationPick,
            ExplorationEpsilon = e.ExplorationEpsilon ?? surface.ExplorationEpsilon,
            ExplorationEstablishedImpressions = e.ExplorationEstablishedImpressions ?? surface.ExplorationEstablishedImpressions,
            ExplorationPlacement = e.ExplorationPlacement ?? surface.ExplorationPlacement,
            Personalize = e.Personalize ?? surface.Personalize,
            PersonalWeight = e.PersonalWeight ?? surface.PersonalWeight,
            LearnedRanker = e.LearnedRanker ?? surface.LearnedRanker,
            Rules = e.Rules is null ? surface.Rules : Rules(e.Rules, $"{path}.rules", $"surface '{e.Name}'"),
        };
    }

    /// <summary>The surface's sources with the entries' changes: in place, dropped ("enabled": false), or added at the end.</summary>
    private List<SourceConfig> Sources(IReadOnlyList<SourceEntry> entries, SurfaceConfig surface, TimeSpan newSourceBudget, string path)
    {
        var sources = surface.Sources.ToList();
        string where = $"surface '{surface.Name}'";
        for (int j = 0; j < entries.Count; j++)
        {
            var e = entries[j];
            string at = $"{path}.sources[{j}]";
            int index = sources.FindIndex(s => string.Equals(s.Name, e.Name, StringComparison.Ordinal));
            if (e.Enabled == false)
            {
                // A value beside "enabled": false would be ignored: the entry most likely meant to change the source.
                if ((e.Count, e.Budget, e.Weight, e.Ef) is not (null, null, null, null))
                    throw Fault($"{at}.enabled", $"{where}: source '{e.Name}' is disabled, so its count, budget, weight and ef mean nothing here (drop them, or drop \"enabled\": false)");
                // Dropping a source the surface does not have is most likely a misspelt name: say so rather than do nothing.
                if (index < 0)
                    throw Fault($"{at}.name", $"{where} has no source '{e.Name}' to disable (it has: {string.Join(", ", sources.Select(s => s.Name))})");
                sources.RemoveAt(index);
                continue;
            }
            SourceConfig source;
            if (index >= 0)
            {
                var s = sources[index];
                source = s with { Count = e.Count ?? s.Count, Budget = e.Budget ?? s.Budget, Weight = e.Weight ?? s.Weight, Ef = e.Ef ?? s.Ef };
            }
            else
            {
                if (e.Count is not { } count)
                    throw Fault($"{at}.count", $"{where} has no source '{e.Name}' yet: a source added needs a count");
                source = new SourceConfig(e.Name, count, e.Budget ?? newSourceBudget, e.Weight ?? 1f, e.Ef);
            }
            Check(at, () => source.Validate(where));
            if (index >= 0)
                sources[index] = source;
            else
                sources.Add(source);
        }
        return sources;
    }

    private List<BusinessRule> Rules(IReadOnlyList<RuleEntry> entries, string path, string where)
    {
        var rules = new List<BusinessRule>(entries.Count);
        for (int r = 0; r < entries.Count; r++)
        {
            var e = entries[r];
            string at = $"{path}[{r}]";
            // BusinessRule's position defaults to 0 (the top), so a pin that forgot its position would silently take it.
            if (e.Kind == RuleKind.Pin && e.Position is null)
                throw Fault($"{at}.position", $"{where}, rule {r}: a pin needs a position (0 = the top)");
            // A field the rule's kind does not use would be dropped without a word.
            if (e.Kind != RuleKind.Pin && e.Position is not null)
                throw Fault($"{at}.position", $"{where}, rule {r}: only a Pin takes a position ({e.Kind} does not)");
            if (e.Kind is RuleKind.Pin or RuleKind.Exclude && e.Factor is not null)
                throw Fault($"{at}.factor", $"{where}, rule {r}: only Boost and Bury take a factor ({e.Kind} does not)");
            var rule = new BusinessRule { Kind = e.Kind, ItemId = e.ItemId, Category = e.Category, Factor = e.Factor ?? 1f, Position = e.Position ?? 0 };
            Check(at, () => rule.Validate($"{where}, rule {r}"));
            rules.Add(rule);
        }
        return rules;
    }

    /// <summary>
    /// Runs one of the config's own checks; a refusal becomes this file's fault at <paramref name="path"/> plus the
    /// refused field, which the check names as its parameter (the C# name, written in the file in snake_case).
    /// </summary>
    private void Check(string path, Action check)
    {
        try
        {
            check();
        }
        catch (ArgumentException e)
        {
            string field = e.ParamName is { Length: > 0 } name ? RegistryJson.Strict.PropertyNamingPolicy!.ConvertName(name) : "";
            string at = (path, field) switch
            {
                ("", "") => "the document",
                ("", _) => field,
                (_, "") => path,
                _ => $"{path}.{field}",
            };
            throw new InvalidDataException($"{Source}: {at}: {Reason(e)}", e);
        }
    }

    /// <summary>The check's own words, without the "(Parameter 'X')" it appends, and the value it refused.</summary>
    private static string Reason(ArgumentException e)
    {
        string reason = e.Message.Split('\n')[0].Trim();
        int parameter = reason.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        if (parameter > 0)
            reason = reason[..parameter];
        return e is ArgumentOutOfRangeException { ActualValue: { } value } ? $"{reason} (got {Convert.ToString(value, CultureInfo.InvariantCulture)})" : reason;
    }

    private InvalidDataException Fault(string path, string reason) => new($"{Source}: {path}: {reason}");

    private sealed record Document
    {
        public string? Version { get; init; }

        public IReadOnlyList<SurfaceEntry>? Surfaces { get; init; }

        public IReadOnlyList<RuleEntry>? Rules { get; init; }

        public int? HistoryWindow { get; init; }

        public int? SeenWindow { get; init; }

        public int? SeenOverfetch { get; init; }

        public int? SeedItems { get; init; }

        public int? SequenceSeeds { get; init; }

        public float? SequenceSeedHalfLife { get; init; }

        public float? FusionC { get; init; }

        public int? ExplorationImpressions { get; init; }

        public int? ItemFoldInUsers { get; init; }

        public bool? CountServedImpressions { get; init; }

        public float? OnboardingWeight { get; init; }

        public int? CategoryScanMaxItems { get; init; }
    }

    /// <summary>A surface's fields as the file gives them: null = as the defaults have it.</summary>
    private sealed record SurfaceEntry
    {
        public required string Name { get; init; }

        public int? Code { get; init; }

        public IReadOnlyList<SourceEntry>? Sources { get; init; }

        public int? DefaultK { get; init; }

        public int? MaxK { get; init; }

        public bool? FilterSeen { get; init; }

        public bool? FilterShownOnSurface { get; init; }

        public bool? RecordImpressions { get; init; }

        public double? FreshnessHalfLifeHours { get; init; }

        public float? FreshnessWeight { get; init; }

        public double? MaxItemAgeHours { get; init; }

        public float? MmrLambda { get; init; }

        public int? DiversityPool { get; init; }

        public int? CategoryCap { get; init; }

        public float? ExplorationShare { get; init; }

        public int? ExplorationFirstPosition { get; init; }

        public int? ExplorationPool { get; init; }

        public ExplorationPick? ExplorationPick { get; init; }

        public float? ExplorationEpsilon { get; init; }

        public int? ExplorationEstablishedImpressions { get; init; }

        public ExplorationPlacement? ExplorationPlacement { get; init; }

        public bool? Personalize { get; init; }

        public float? PersonalWeight { get; init; }

        public bool? LearnedRanker { get; init; }

        public IReadOnlyList<RuleEntry>? Rules { get; init; }
    }

    private sealed record SourceEntry
    {
        public required string Name { get; init; }

        /// <summary>False drops the source from the surface.</summary>
        public bool? Enabled { get; init; }

        public int? Count { get; init; }

        public TimeSpan? Budget { get; init; }

        public float? Weight { get; init; }

        public int? Ef { get; init; }
    }

    /// <summary>A rule as written: position is nullable so that a pin without one is refused, not put at the top.</summary>
    private sealed record RuleEntry
    {
        public required RuleKind Kind { get; init; }

        public long? ItemId { get; init; }

        public string? Category { get; init; }

        public float? Factor { get; init; }

        public int? Position { get; init; }
    }
}
