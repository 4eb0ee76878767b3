namespace RecSys.Engine.Pipeline.Config;

/// <summary>
/// One candidate source on a surface: how many candidates it is asked for, how long it may take before it is
/// dropped for the request, its weight in the rank-fusion fallback, and the search beam (ef) of index sources:
/// null = the index's default, which HNSW raises to the number of results asked for.
/// </summary>
public sealed record SourceConfig(string Name, int Count, TimeSpan Budget, float Weight = 1f, int? Ef = null)
{
    /// <summary>
    /// The longest budget a source may have. A source that needs longer is broken for any request (offline runs give
    /// 10 s), and a budget past about 49 days would be refused only when a request starts its timer
    /// (<see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>), not when the config is read.
    /// </summary>
    public static readonly TimeSpan MaxBudget = TimeSpan.FromMinutes(1);

    /// <summary>Checks the fields; <paramref name="where"/> (the surface) starts the message, the parameter names the field.</summary>
    internal void Validate(string where)
    {
        if (string.IsNullOrWhiteSpace(Name))
            throw new ArgumentException($"{where}: a source needs a name", nameof(Name));
        if (Count < 1)
            throw new ArgumentOutOfRangeException(nameof(Count), Count, $"{where}: source '{Name}' count must be >= 1");
        if (Budget <= TimeSpan.Zero || Budget > MaxBudget)
            throw new ArgumentOutOfRangeException(nameof(Budget), Budget, $"{where}: source '{Name}' budget must be positive and at most {MaxBudget}");
        if (!(Weight >= 0) || !float.IsFinite(Weight))
            throw new ArgumentOutOfRangeException(nameof(Weight), Weight, $"{where}: source '{Name}' weight must be finite and >= 0");
        if (Ef is < 1)
            throw new ArgumentOutOfRangeException(nameof(Ef), Ef, $"{where}: source '{Name}' ef must be >= 1, or null for the index default");
    }
}
