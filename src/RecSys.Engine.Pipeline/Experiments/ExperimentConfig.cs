namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>
/// An A/B experiment from config: users are bucketed by a stable hash of (user id, <see cref="Salt"/>) into one
/// of the <see cref="Variants"/> by their traffic shares (<see cref="ExperimentBucketing"/>), on the surfaces it
/// names; each variant overrides pipeline parameters. A surface belongs to at most one experiment at a time, so
/// the experiments running side by side never overlap. Validated once, when the pipeline is given it.
/// </summary>
public sealed record ExperimentConfig
{
    /// <summary>Reported in responses and statistics.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Mixed into the bucket hash: experiments with different salts bucket users independently; changing the salt
    /// reshuffles everyone (a new experiment), keeping it keeps every user in their variant across restarts.
    /// </summary>
    public required string Salt { get; init; }

    /// <summary>The surfaces the experiment runs on; empty = every surface.</summary>
    public IReadOnlyList<string> Surfaces { get; init; } = [];

    /// <summary>Two or more variants whose shares add up to 1.</summary>
    public required IReadOnlyList<VariantConfig> Variants { get; init; }

    /// <summary>Tolerance on the sum of the shares (they come from a config file as decimals).</summary>
    public const double ShareTolerance = 1e-6;

    /// <summary>Checks every field; an error names the experiment, the variant and the field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
            throw new ArgumentException("an experiment needs a name", nameof(Name));
        string where = $"experiment '{Name}'";
        if (string.IsNullOrEmpty(Salt))
            throw new ArgumentException($"{where}: needs a salt", nameof(Salt));
        if (Surfaces is null || Surfaces.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"{where}: surfaces must be names (empty list = every surface)", nameof(Surfaces));
        if (Surfaces.Distinct(StringComparer.Ordinal).Count() != Surfaces.Count)
            throw new ArgumentException($"{where}: a surface is listed twice", nameof(Surfaces));
        if (Variants is null || Variants.Count < 2)
            throw new ArgumentException($"{where}: needs at least two variants", nameof(Variants));
        var names = new HashSet<string>(StringComparer.Ordinal);
        double sum = 0;
        for (int i = 0; i < Variants.Count; i++)
        {
            var v = Variants[i] ?? throw new ArgumentException($"{where}: variant {i} is null", nameof(Variants));
            v.Validate(where);
            if (!names.Add(v.Name))
                throw new ArgumentException($"{where}: variant '{v.Name}' defined twice", nameof(Variants));
            sum += v.Share;
        }
        if (Math.Abs(sum - 1) > ShareTolerance)
            throw new ArgumentException($"{where}: the variants' shares add up to {sum:R}, not 1", nameof(Variants));
    }

    /// <summary>Whether the experiment runs on <paramref name="surface"/>.</summary>
    public bool Covers(string surface)
    {
        if (Surfaces.Count == 0)
            return true;
        foreach (string s in Surfaces)
        {
            if (string.Equals(s, surface, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    /// <summary>Checks a set of experiments: each valid, names distinct, no surface in two of them.</summary>
    public static void ValidateAll(IReadOnlyList<ExperimentConfig> experiments, IReadOnlyList<string> surfaces)
    {
        ArgumentNullException.ThrowIfNull(experiments);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in experiments)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(experiments));
            e.Validate();
            if (!names.Add(e.Name))
                throw new ArgumentException($"experiment '{e.Name}' defined twice", nameof(experiments));
            foreach (string s in e.Surfaces)
            {
                if (!surfaces.Contains(s))
                    throw new ArgumentException($"experiment '{e.Name}': unknown surface '{s}' (known: {string.Join(", ", surfaces)})", nameof(Surfaces));
            }
            foreach (string s in surfaces)
            {
                if (!e.Covers(s))
                    continue;
                if (owner.TryGetValue(s, out string? other))
                    throw new ArgumentException($"experiments '{other}' and '{e.Name}' both run on surface '{s}'; a surface takes one experiment at a time", nameof(experiments));
                owner[s] = e.Name;
            }
        }
    }
}
