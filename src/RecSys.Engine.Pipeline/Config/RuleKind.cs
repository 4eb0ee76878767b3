namespace RecSys.Engine.Pipeline.Config;

/// <summary>What a business rule does to the items it matches.</summary>
public enum RuleKind
{
    /// <summary>
    /// Put the item at <see cref="BusinessRule.Position"/> (0-based), even when no source found it; not when the user
    /// may not see it: seen already (on a surface that filters seen items), sent already (on one that filters what it
    /// showed, as email does: a pinned item goes out once), deleted, blocked or filtered out by the request.
    /// </summary>
    Pin,

    /// <summary>Multiply the score by <see cref="BusinessRule.Factor"/> (greater than 1).</summary>
    Boost,

    /// <summary>Multiply the score by <see cref="BusinessRule.Factor"/> (between 0 and 1): the item sinks.</summary>
    Bury,

    /// <summary>Never show the item.</summary>
    Exclude,
}
