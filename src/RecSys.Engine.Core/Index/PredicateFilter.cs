namespace RecSys.Engine.Core.Index;

/// <summary>A filter from any predicate over external ids (business rules that are not a bitset).</summary>
public sealed class PredicateFilter(Func<long, bool> allows) : IdFilter
{
    private readonly Func<long, bool> _allows = allows ?? throw new ArgumentNullException(nameof(allows));

    public override bool Allows(long id) => _allows(id);
}
