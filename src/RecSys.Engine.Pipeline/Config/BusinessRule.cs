namespace RecSys.Engine.Pipeline.Config;

/// <summary>
/// A merchandising rule from config. It matches an item by external id, or every item of a category (pins need an
/// item id). Rules apply after ranking, before diversity, so a boosted item still competes for its slot.
/// </summary>
public sealed record BusinessRule
{
    public required RuleKind Kind { get; init; }

    /// <summary>The item the rule is about (external id), or null for a category rule.</summary>
    public long? ItemId { get; init; }

    /// <summary>The category the rule is about, or null for an item rule.</summary>
    public string? Category { get; init; }

    /// <summary>Score multiplier of Boost (> 1) and Bury (in (0, 1)).</summary>
    public float Factor { get; init; } = 1f;

    /// <summary>Pin: the 0-based position.</summary>
    public int Position { get; init; }

    internal void Validate(string where)
    {
        if (ItemId is null == Category is null)
            throw new ArgumentException($"{where}: a rule names exactly one of ItemId and Category", nameof(ItemId));
        switch (Kind)
        {
            case RuleKind.Pin when ItemId is null:
                throw new ArgumentException($"{where}: a pin needs an ItemId", nameof(ItemId));
            case RuleKind.Pin when Position < 0:
                throw new ArgumentOutOfRangeException(nameof(Position), Position, $"{where}: a pin position must be >= 0");
            case RuleKind.Boost when !(Factor > 1f) || !float.IsFinite(Factor):
                throw new ArgumentOutOfRangeException(nameof(Factor), Factor, $"{where}: a boost factor must be finite and > 1");
            case RuleKind.Bury when !(Factor > 0f && Factor < 1f):
                throw new ArgumentOutOfRangeException(nameof(Factor), Factor, $"{where}: a bury factor must be in (0, 1)");
            case < RuleKind.Pin or > RuleKind.Exclude:
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, $"{where}: unknown rule kind");
        }
    }
}
