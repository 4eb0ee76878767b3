namespace RecSys.Engine.Pipeline.Config;

/// <summary>How an exploration slot chooses among the eligible (under-exposed, not yet shown) candidates.</summary>
public enum ExplorationPick
{
    /// <summary>
    /// A uniform draw, seeded by the request id; the propensity is 1 / eligible. The policy for off-policy
    /// evaluation: every eligible item has a known, non-zero chance.
    /// </summary>
    Uniform,

    /// <summary>
    /// The eligible candidate with the fewest impressions so far (ties to the better score); deterministic given the
    /// counters, so the propensity is 1. Spreads exposure over the user's next-best items: with the pool bounded
    /// (<see cref="SurfaceConfig.ExplorationPool"/>), each slot buys catalog reach at the price of the list's tail.
    /// The counters move only when served items are counted (<see cref="PipelineConfig.CountServedImpressions"/>).
    /// </summary>
    LeastShown,
}
