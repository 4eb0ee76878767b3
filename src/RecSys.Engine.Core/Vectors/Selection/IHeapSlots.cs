namespace RecSys.Engine.Core.Vectors.Selection;

/// <summary>
/// Where a <see cref="BinaryHeap{TEntry, TOrder}"/> keeps its entries: one span of entries
/// (<see cref="EntrySlots{TEntry}"/>), or a layout of the caller's own, such as <see cref="TopKHeap"/>'s
/// distances and ids in two separate output spans. Implementations do not check bounds: the heap reads and
/// writes only slots below its count, and whoever owns the heap keeps the count within the memory.
/// </summary>
internal interface IHeapSlots<TEntry>
{
    TEntry Get(int index);

    void Set(int index, in TEntry entry);
}
