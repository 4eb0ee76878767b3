namespace RecSys.Engine.Core.Index.Scan;

/// <summary>
/// An index's item slots as <see cref="FilterSelectivity"/> samples them (HNSW: nodes; IVF: list entries end to end).
/// Struct, passed by ref: slots are asked for in increasing order, so an implementation may walk forward with a cursor.
/// </summary>
internal interface IFilterSampleSlots
{
    /// <summary>Slots to sample over, deleted ones included.</summary>
    long Count { get; }

    /// <summary>The external id in <paramref name="slot"/>; false when the slot holds no live item (a deleted node).</summary>
    bool TryGetId(long slot, out long id);
}
