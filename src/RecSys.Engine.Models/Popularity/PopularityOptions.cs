namespace RecSys.Engine.Models.Popularity;

/// <summary>Settings of the popularity / trending model.</summary>
public sealed record PopularityOptions
{
    /// <summary>Half-life of an event's weight in days; +infinity counts every event as 1 (plain popularity).</summary>
    public double HalfLifeDays { get; init; } = double.PositiveInfinity;

    /// <summary>Score per user segment (age bucket x gender x occupation) with back-off to the overall counts.</summary>
    public bool BySegment { get; init; }

    /// <summary>
    /// Back-off strength m: p(i | segment) = (w_seg(i) + m p_all(i)) / (W_seg + m), so a small segment leans on the
    /// overall counts and a large one speaks for itself.
    /// </summary>
    public double SegmentPrior { get; init; } = 50;

    /// <summary>"Now" for the decay, unix seconds; null takes the newest training event.</summary>
    public long? Now { get; init; }
}
