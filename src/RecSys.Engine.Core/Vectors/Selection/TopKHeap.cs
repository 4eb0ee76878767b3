using System.Runtime.CompilerServices;

namespace RecSys.Engine.Core.Vectors.Selection;

/// <summary>
/// Bounded top-k by distance (smaller is closer), allocation-free: it lives in the caller's spans,
/// usually the very output slices of a search, so selecting costs no memory at all.
/// <para>
/// It is a binary heap with the <em>worst</em> kept hit at the root (a min-heap on similarity), so
/// a candidate is tested against one value, <see cref="Threshold"/>, and most are rejected there.
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

    /// <summary>Offers one hit; returns true when it was kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Push(float distance, long id)
    {
        if (_count < _distances.Length)
        {
            SiftUp(_count++, distance, id);
            return true;
        }
        if (_distances.Length == 0 || !IsBetter(distance, id, _distances[0], _ids[0]))
            return false;
        SiftDown(0, _count, distance, id);
        return true;
    }

    /// <summary>
    /// Sorts the kept hits in place, closest first, and pads the unused tail with id -1 and distance
    /// +infinity. Returns how many hits there are. The heap is empty afterwards.
    /// </summary>
    public int SortAscending()
    {
        int n = _count;
        for (int end = n - 1; end > 0; end--)
        {
            float d = _distances[end];
            long id = _ids[end];
            _distances[end] = _distances[0];
            _ids[end] = _ids[0];
            SiftDown(0, end, d, id);
        }
        _distances[n..].Fill(float.PositiveInfinity);
        _ids[n..].Fill(-1);
        _count = 0;
        return n;
    }

    /// <summary>(d1, id1) ranks before (d2, id2): closer, or as close with the smaller id.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBetter(float d1, long id1, float d2, long id2) => d1 < d2 || (d1 == d2 && id1 < id2);

    private readonly void SiftUp(int i, float d, long id)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!IsBetter(_distances[parent], _ids[parent], d, id))
                break; // parent is not better than us: heap order holds (worst at the root)
            _distances[i] = _distances[parent];
            _ids[i] = _ids[parent];
            i = parent;
        }
        _distances[i] = d;
        _ids[i] = id;
    }

    private readonly void SiftDown(int i, int n, float d, long id)
    {
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= n)
                break;
            int right = child + 1;
            if (right < n && IsBetter(_distances[child], _ids[child], _distances[right], _ids[right]))
                child = right; // take the worse child
            if (!IsBetter(d, id, _distances[child], _ids[child]))
                break;
            _distances[i] = _distances[child];
            _ids[i] = _ids[child];
            i = child;
        }
        _distances[i] = d;
        _ids[i] = id;
    }
}
