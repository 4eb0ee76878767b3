namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// A request's own restrictions, on top of the surface's: only items of these categories, none of those, only
/// these items, never those. Index sources apply them inside the ANN search (the index's id filter), so the
/// requested count is still met when they are selective.
/// </summary>
public sealed record RequestFilters
{
    /// <summary>Only items with at least one of these categories (null or empty = any).</summary>
    public IReadOnlyList<string>? IncludeCategories { get; init; }

    /// <summary>No item with any of these categories.</summary>
    public IReadOnlyList<string>? ExcludeCategories { get; init; }

    /// <summary>Only these items (external ids; null = any).</summary>
    public IReadOnlyList<long>? AllowItems { get; init; }

    /// <summary>Never these items (external ids).</summary>
    public IReadOnlyList<long>? DenyItems { get; init; }

    public bool IsEmpty =>
        (IncludeCategories is null || IncludeCategories.Count == 0) && (ExcludeCategories is null || ExcludeCategories.Count == 0)
        && AllowItems is null && (DenyItems is null || DenyItems.Count == 0);
}
