namespace RecSys.Engine.Core.Index.Scan;

/// <summary>The sealed bitset, called without a virtual dispatch.</summary>
internal readonly struct BitsetRowFilter(AllowBitset bitset) : IRowFilter
{
    public static bool IsPassThrough => false;

    public bool Allows(long id) => bitset.Allows(id);
}
