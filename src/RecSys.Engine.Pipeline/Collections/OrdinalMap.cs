using System.Numerics;
using System.Runtime.CompilerServices;

namespace RecSys.Engine.Pipeline.Collections;

/// <summary>
/// Catalog ordinal -> int (a candidate's slot, or nothing: a set), open addressing with linear probing, sized to
/// what one request holds (hundreds of entries), never to the catalog: clearing costs the table, not 1M bits.
/// Pooled with the request; not thread-safe. The table stays at most half full.
/// </summary>
internal sealed class OrdinalMap
{
    private const int Empty = -1;
    private int[] _keys = [];
    private int[] _values = [];
    private int _mask;
    private int _shift;

    public int Count { get; private set; }

    /// <summary>Empties the map and makes room for <paramref name="expected"/> entries without growing.</summary>
    public void Reset(int expected)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, expected * 2));
        if (_keys.Length < size)
        {
            _keys = new int[size];
            _values = new int[size];
        }
        else
        {
            size = _keys.Length;
        }
        _keys.AsSpan(0, size).Fill(Empty);
        _mask = size - 1;
        _shift = 32 - BitOperations.Log2((uint)size);
        Count = 0;
    }

    public bool Contains(int ordinal) => TryGetValue(ordinal, out _);

    public bool TryGetValue(int ordinal, out int value)
    {
        int i = Slot(ordinal);
        while (true)
        {
            int k = _keys[i];
            if (k == ordinal)
            {
                value = _values[i];
                return true;
            }
            if (k == Empty)
            {
                value = 0;
                return false;
            }
            i = (i + 1) & _mask;
        }
    }

    /// <summary>Adds (ordinal, value) unless the ordinal is there; returns the value stored for it.</summary>
    public int GetOrAdd(int ordinal, int value)
    {
        if ((Count + 1) * 2 > _mask + 1)
            Grow();
        int i = Slot(ordinal);
        while (true)
        {
            int k = _keys[i];
            if (k == ordinal)
                return _values[i];
            if (k == Empty)
            {
                _keys[i] = ordinal;
                _values[i] = value;
                Count++;
                return value;
            }
            i = (i + 1) & _mask;
        }
    }

    public void Set(int ordinal, int value)
    {
        if (GetOrAdd(ordinal, value) != value)
        {
            int i = Slot(ordinal);
            while (_keys[i] != ordinal)
                i = (i + 1) & _mask;
            _values[i] = value;
        }
    }

    public bool Add(int ordinal)
    {
        int before = Count;
        GetOrAdd(ordinal, 0);
        return Count > before;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(int ordinal) => (int)(((uint)ordinal * 0x9E3779B1u) >> _shift); // Fibonacci hashing: the high bits mix best

    private void Grow()
    {
        int[] keys = _keys, values = _values;
        int oldSize = _mask + 1;
        int size = Math.Max(32, oldSize * 2);
        _keys = new int[size];
        _values = new int[size];
        _keys.AsSpan().Fill(Empty);
        _mask = size - 1;
        _shift = 32 - BitOperations.Log2((uint)size);
        Count = 0;
        for (int i = 0; i < oldSize; i++)
        {
            if (keys[i] != Empty)
                GetOrAdd(keys[i], values[i]);
        }
    }
}
