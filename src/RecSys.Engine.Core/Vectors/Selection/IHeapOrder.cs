namespace RecSys.Engine.Core.Vectors.Selection;

/// <summary>
/// The order of a <see cref="BinaryHeap{TEntry, TOrder}"/>: a struct, so the comparison is compiled into the heap
/// loop (no call, no virtual dispatch). A min-heap on distance and a bounded top-k (worst kept at the root) are
/// two orders over the same heap.
/// </summary>
internal interface IHeapOrder<TEntry>
{
    /// <summary>True when <paramref name="a"/> must sit nearer the root than <paramref name="b"/> (strictly: false for equals).</summary>
    static abstract bool Precedes(in TEntry a, in TEntry b);
}
