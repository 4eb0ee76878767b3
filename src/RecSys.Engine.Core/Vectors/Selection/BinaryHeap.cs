using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace RecSys.Engine.Core.Vectors.Selection;

/// <summary>
/// The engine's one binary heap: sift up, sift down, bounded offer and heapsort, written once and
/// allocation-free. The entries live in the caller's memory (<see cref="IHeapSlots{TEntry}"/>) and the caller
/// keeps the count, so a heap can sit in a search's output spans, in per-thread scratch arrays that persist
/// between searches, or in one slice per query of a large array.
/// <code>
///   slot 0 is the root: the entry TOrder puts first; the children of slot i are 2i + 1 and 2i + 2
///   Push    new entry at the end, sifted up              Pop   last entry moved to the root, sifted down
///   Offer   bounded (top-k): fill up to capacity, then an entry TOrder puts after the root replaces it
///           (TOrder = worst first, so the root is the threshold a candidate must beat)
///   Sort    heapsort in place: ends in the reverse of TOrder (worst first -> best first)
/// </code>
/// Entry, order and slots are struct type parameters, so the JIT compiles one copy per combination with the
/// comparison and the slot access inlined. The steps are AggressiveInlining: the HNSW beam loop pushes and pops
/// a few hundred times per search, and a call per push was a measurable share of a search (hence also the
/// unchecked slots). Ties: an order that is not total (the HNSW heaps compare distances only) leaves equal
/// entries in whatever order the sift steps put them, the same steps every time.
/// </summary>
internal static class BinaryHeap<TEntry, TOrder>
    where TOrder : struct, IHeapOrder<TEntry>
{
    /// <summary>Adds <paramref name="entry"/>; the slots must have room for count + 1 entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Push<TSlots>(TSlots slots, ref int count, TEntry entry)
        where TSlots : struct, IHeapSlots<TEntry>, allows ref struct =>
        SiftUp(slots, count++, entry);

    /// <summary>Removes the root (does nothing to an empty heap but count it down: callers pop only a non-empty one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pop<TSlots>(TSlots slots, ref int count)
        where TSlots : struct, IHeapSlots<TEntry>, allows ref struct
    {
        Debug.Assert(count > 0, "pop from an empty heap");
        int n = --count;
        if (n > 0)
            SiftDown(slots, 0, n, slots.Get(n));
    }

    /// <summary>
    /// Bounded insert: below <paramref name="capacity"/> entries, adds <paramref name="entry"/>; when full, replaces
    /// the root by it if TOrder puts the root first. Returns true when the entry was kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Offer<TSlots>(TSlots slots, ref int count, int capacity, TEntry entry)
        where TSlots : struct, IHeapSlots<TEntry>, allows ref struct
    {
        if (count < capacity)
        {
            SiftUp(slots, count++, entry);
            return true;
        }
        if (capacity == 0 || !TOrder.Precedes(slots.Get(0), entry))
            return false;
        SiftDown(slots, 0, count, entry);
        return true;
    }

    /// <summary>
    /// Heapsort of the <paramref name="count"/> entries in place: afterwards they are in the reverse of TOrder
    /// (the entry TOrder puts first is last). The slots no longer form a heap.
    /// </summary>
    public static void Sort<TSlots>(TSlots slots, int count)
        where TSlots : struct, IHeapSlots<TEntry>, allows ref struct
    {
        for (int end = count - 1; end > 0; end--)
        {
            TEntry last = slots.Get(end);
            slots.Set(end, slots.Get(0));
            SiftDown(slots, 0, end, last);
        }
    }

    /// <summary>Places <paramref name="entry"/> at <paramref name="index"/> or above it, moving parents down.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SiftUp<TSlots>(TSlots slots, int index, TEntry entry)
        where TSlots : struct, IHeapSlots<TEntry>, allows ref struct
    {
        while (index > 0)
        {
            int parent = (index - 1) >> 1;
            TEntry p = slots.Get(parent);
            if (!TOrder.Precedes(entry, p))
                break;
            slots.Set(index, p);
            index = parent;
        }
        slots.Set(index, entry);
    }

    /// <summary>Places <paramref name="entry"/> at <paramref name="index"/> or below it among the first <paramref name="count"/> slots.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SiftDown<TSlots>(TSlots slots, int index, int count, TEntry entry)
        where TSlots : struct, IHeapSlots<TEntry>, allows ref struct
    {
        while (true)
        {
            int child = 2 * index + 1;
            if (child >= count)
                break;
            TEntry c = slots.Get(child);
            if (child + 1 < count)
            {
                TEntry right = slots.Get(child + 1);
                if (TOrder.Precedes(right, c))
                {
                    child++;
                    c = right;
                }
            }
            if (!TOrder.Precedes(c, entry))
                break;
            slots.Set(index, c);
            index = child;
        }
        slots.Set(index, entry);
    }
}
