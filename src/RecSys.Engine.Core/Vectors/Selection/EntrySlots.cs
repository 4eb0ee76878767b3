using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Selection;

/// <summary>
/// Heap slots in one contiguous run of entries (an array or a span), read and written through
/// <see cref="Unsafe.Add{T}(ref T, int)"/>: no bounds check per step, the heap's count is the bound
/// (see <see cref="IHeapSlots{TEntry}"/>).
/// </summary>
internal readonly ref struct EntrySlots<TEntry> : IHeapSlots<TEntry>
{
    private readonly ref TEntry _first;

    public EntrySlots(Span<TEntry> entries) => _first = ref MemoryMarshal.GetReference(entries);

    public EntrySlots(TEntry[] entries) => _first = ref MemoryMarshal.GetArrayDataReference(entries);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TEntry Get(int index) => Unsafe.Add(ref _first, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index, in TEntry entry) => Unsafe.Add(ref _first, index) = entry;
}
