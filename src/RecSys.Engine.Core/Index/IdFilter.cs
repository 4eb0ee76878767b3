namespace RecSys.Engine.Core.Index;

/// <summary>
/// Restricts a search to the ids it allows (external ids). Kept small and abstract so requests can
/// carry any rule; indexes turn the two built-in kinds (<see cref="AllowBitset"/>, <see cref="PredicateFilter"/>)
/// into struct adapters so the scan loop is specialised and the unfiltered loop has no branch at all.
/// </summary>
public abstract class IdFilter
{
    public abstract bool Allows(long id);
}
