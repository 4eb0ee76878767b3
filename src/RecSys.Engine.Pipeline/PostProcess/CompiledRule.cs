using RecSys.Engine.Pipeline.Config;

namespace RecSys.Engine.Pipeline.PostProcess;

/// <summary>A business rule with its category resolved to the catalog's int id (done once per pipeline version).</summary>
public readonly record struct CompiledRule(RuleKind Kind, long? ItemId, int Category, float Factor, int Position)
{
    /// <summary>Whether the rule is about the item (by id, or by one of its categories).</summary>
    public bool Matches(long itemId, ReadOnlySpan<int> categories) =>
        ItemId is { } id ? id == itemId : categories.Contains(Category);
}
