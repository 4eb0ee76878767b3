namespace RecSys.Engine.Features;

/// <summary>Behaviour both backends share, so the contract tests can hold them to the same numbers.</summary>
public record FeatureStoreSettings
{
    /// <summary>Interactions (every event type but impressions) kept per user, newest kept.</summary>
    public int HistoryCapacity { get; init; } = 200;

    /// <summary>
    /// Impressions kept per user and surface (an impression's value is its surface's code), newest kept, apart from
    /// <see cref="HistoryCapacity"/>: impressions never push interactions out, nor one surface's impressions another's.
    /// They feed the "already shown on this surface" filters (the email surface's already-sent). 0 keeps none.
    /// </summary>
    public int ImpressionCapacity { get; init; } = 200;

    /// <summary>
    /// Distinct items kept per user whose interactions have fallen out of the bounded history (the oldest beyond
    /// <see cref="HistoryCapacity"/>), so the seen filter still knows them. Filled in the order they fall out; once full,
    /// later ones are not kept (the history still holds the newest). 0 keeps none: the history is all the filter reads.
    /// </summary>
    public int SeenCapacity { get; init; } = 1_000;

    /// <summary>Half-life of the trending counters.</summary>
    public TimeSpan CounterHalfLife { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Records per acknowledged chunk in the bulk paths (one commit per chunk).</summary>
    public int BulkChunkSize { get; init; } = 10_000;

    internal void Validate()
    {
        if (HistoryCapacity < 1) throw new ArgumentOutOfRangeException(nameof(HistoryCapacity), HistoryCapacity, "must be at least 1");
        if (ImpressionCapacity < 0) throw new ArgumentOutOfRangeException(nameof(ImpressionCapacity), ImpressionCapacity, "must not be negative");
        if (SeenCapacity < 0) throw new ArgumentOutOfRangeException(nameof(SeenCapacity), SeenCapacity, "must not be negative");
        if (CounterHalfLife <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CounterHalfLife), CounterHalfLife, "must be positive");
        if (BulkChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(BulkChunkSize), BulkChunkSize, "must be at least 1");
    }
}
