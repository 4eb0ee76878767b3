using System.Runtime.CompilerServices;

namespace RecSys.Engine.Core.Vectors.Selection;

/// <summary>
/// A <see cref="BinaryHeap{TEntry, TOrder}"/> that owns its array and grows it when full: the form for scratch
/// memory that outlives one call (HNSW's per-thread candidate and result heaps), so a warm search allocates
/// nothing. A mutable struct: keep it in a field and call it there, never through a copy.
/// </summary>
internal struct ArrayHeap<TEntry, TOrder>
    where TOrder : struct, IHeapOrder<TEntry>
{
    private TEntry[] _items;
    private int _count;

    public ArrayHeap(int capacity) => _items = new TEntry[capacity];

    public readonly int Count => _count;

    public readonly int Capacity => _items.Length;

    /// <summary>The root: the entry TOrder puts first (read only when <see cref="Count"/> &gt; 0).</summary>
    public readonly TEntry Top
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _items[0];
    }

    /// <summary>The entries in heap order (not sorted).</summary>
    public readonly ReadOnlySpan<TEntry> Entries => _items.AsSpan(0, _count);

    public void Clear() => _count = 0;

    /// <summary>Empties the heap and gives it room for <paramref name="capacity"/> entries without growing.</summary>
    public void ClearWithCapacity(int capacity)
    {
        _count = 0;
        if (_items.Length < capacity)
            _items = new TEntry[capacity];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(TEntry entry)
    {
        if (_count == _items.Length)
            Array.Resize(ref _items, _items.Length * 2);
        BinaryHeap<TEntry, TOrder>.Push(new EntrySlots<TEntry>(_items), ref _count, entry);
    }

    /// <summary>Removes the root; the heap must not be empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Pop() => BinaryHeap<TEntry, TOrder>.Pop(new EntrySlots<TEntry>(_items), ref _count);
}
