namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// One answer: the item (external id, and its string id when it has one), its final score, the source that
/// found it (the best-ranking one; "rule" for a pinned item), and for an exploration slot the probability with
/// which the exploration policy picked it (1 for the ranked, exploit positions), for off-policy evaluation.
/// </summary>
public readonly record struct RecommendedItem(long ItemId, string? ItemName, float Score, string Source, bool Exploration, float Propensity);
