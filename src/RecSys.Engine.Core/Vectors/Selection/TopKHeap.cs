using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Selection;

/// <summary>
/// Bounded top-k by distance (smaller is closer), allocation-free: it lives in the caller's spans,
/// usually the very output slices of a search, so selecting costs no memory at all.
/// <para>
/// It is a <see cref="BinaryHeap{TEntry, TOrder}"/> with the <em>worst</em> kept hit at the root (a min-heap on
/// similarity), so a candidate is tested against one value, <see cref="Threshold"/>, and most are rejected there.
/// Ties on distance are broken by id, the smaller id ranks first, so results are deterministic
/// whatever order rows are scanned in.
/// </para>
/// </summary>
public ref struct TopKHeap
{
    private readonly Span<float> _distances;
    private readonly Span<long> _ids;
    private int _count;

    public TopKHeap(Span<float> distances, Span<long> ids)
    {
        if (distances.Length != ids.Length)
            throw new ArgumentException($"distances ({distances.Length}) and ids ({ids.Length}) must have the same length");
        _distances = distances;
        _ids = ids;
        _count = 0;
    }

    /// <summary>
    /// Resumes a heap that a previous <see cref="TopKHeap"/> left in these spans with <paramref name="count"/>
    /// hits (a scan that visits the rows in tiles keeps one heap per query across tiles).
    /// </summary>
    public TopKHeap(Span<float> distances, Span<long> ids, int count)
        : this(distances, ids)
    {
        if ((uint)count > (uint)distances.Length)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"capacity is {distances.Length}");
        _count = count;
    }

    public readonly int Count => _count;

    public readonly int Capacity => _distances.Length;

    public readonly bool IsFull => _count == _distances.Length;

    /// <summary>A candidate farther than this cannot enter; +infinity until the heap is full.</summary>
    public readonly float Threshold
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _count < _distances.Length ? float.PositiveInfinity : _distances[0];
    }

    private readonly Slots HeapSlots => new(_distances, _ids);

    /// <summary>Offers one hit; returns true when it was kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Push(float distance, long id)
    {
        // A scan rejects most candidates: that test is inlined into its loop, the sift is not.
        if (_count == _distances.Length && (_count == 0 || !IsBetter(distance, id, _distances[0], _ids[0])))
            return false;
        Keep(new Hit(distance, id));
        return true;
    }

    /// <summary>
    /// Sorts the kept hits in place, closest first, and pads the unused tail with id -1 and distance
    /// +infinity. Returns how many hits there are. The heap is empty afterwards.
    /// </summary>
    public int SortAscending()
    {
        int n = _count;
        BinaryHeap<Hit, WorstFirst>.Sort(HeapSlots, n);
        _distances[n..].Fill(float.PositiveInfinity);
        _ids[n..].Fill(-1);
        _count = 0;
        return n;
    }

    /// <summary>(d1, id1) ranks before (d2, id2): closer, or as close with the smaller id.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBetter(float d1, long id1, float d2, long id2) => d1 < d2 || (d1 == d2 && id1 < id2);

    // Not inlined: the heap steps would otherwise be compiled into every scan loop that pushes, which only
    // grows the loop for a path that a long scan rarely takes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Keep(Hit hit) => BinaryHeap<Hit, WorstFirst>.Offer(HeapSlots, ref _count, _distances.Length, hit);

    private readonly record struct Hit(float Distance, long Id);

    /// <summary>The worst hit first: the root is the one a better candidate replaces.</summary>
    private readonly struct WorstFirst : IHeapOrder<Hit>
    {
        public static bool Precedes(in Hit a, in Hit b) => IsBetter(b.Distance, b.Id, a.Distance, a.Id);
    }

    /// <summary>Distances and ids in two spans (the search's two outputs), read as one entry per slot.</summary>
    private readonly ref struct Slots : IHeapSlots<Hit>
    {
        private readonly ref float _distance;
        private readonly ref long _id;

        public Slots(Span<float> distances, Span<long> ids)
        {
            _distance = ref MemoryMarshal.GetReference(distances);
            _id = ref MemoryMarshal.GetReference(ids);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Hit Get(int index) => new(Unsafe.Add(ref _distance, index), Unsafe.Add(ref _id, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(int index, in Hit entry)
        {
            Unsafe.Add(ref _distance, index) = entry.Distance;
            Unsafe.Add(ref _id, index) = entry.Id;
        }
    }
}
