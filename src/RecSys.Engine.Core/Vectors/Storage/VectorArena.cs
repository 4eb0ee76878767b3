using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Storage;

/// <summary>
/// Growable block of float32 rows in 64-byte-aligned native memory, with the same row stride as the
/// vector file, so the scan code reads an in-memory arena and a mapped file alike (base pointer,
/// stride, count). Native memory keeps a 1M-row arena off the GC heap (no LOH copies, no GC scans).
/// <para>Not thread-safe: the owning index serialises writers and readers around growth.</para>
/// </summary>
public sealed unsafe class VectorArena : IDisposable
{
    private float* _rows;
    private long _capacity;

    public VectorArena(int dimension, long initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Dimension = dimension;
        RowStrideFloats = VectorFileHeader.StrideFor(dimension, VectorElementType.Float32) / sizeof(float);
        Reserve(Math.Max(1, initialCapacity));
    }

    public int Dimension { get; }

    public int RowStrideFloats { get; }

    public long Count { get; private set; }

    public long Capacity => _capacity;

    public float* RowsPointer => _rows;

    /// <summary>Bytes held, including padding and free capacity.</summary>
    public long AllocatedBytes => _capacity * RowStrideFloats * sizeof(float);

    public Span<float> GetRow(long index)
    {
        if ((ulong)index >= (ulong)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"arena holds {Count} rows");
        return new Span<float>(_rows + index * RowStrideFloats, Dimension);
    }

    /// <summary>Appends one row (padding zeroed) and returns its ordinal.</summary>
    public long Append(ReadOnlySpan<float> row)
    {
        if (row.Length != Dimension)
            throw new ArgumentException($"row has {row.Length} values; the arena's dimension is {Dimension}", nameof(row));
        if (Count == _capacity)
            Reserve(_capacity * 2);
        float* dst = _rows + Count * RowStrideFloats;
        row.CopyTo(new Span<float>(dst, Dimension));
        new Span<float>(dst + Dimension, RowStrideFloats - Dimension).Clear();
        return Count++;
    }

    /// <summary>Copies row <paramref name="from"/> over row <paramref name="to"/> (swap-remove).</summary>
    public void CopyRow(long from, long to)
    {
        if ((ulong)from >= (ulong)Count || (ulong)to >= (ulong)Count)
            throw new ArgumentOutOfRangeException(nameof(from));
        Buffer.MemoryCopy(_rows + from * RowStrideFloats, _rows + to * RowStrideFloats, RowStrideFloats * sizeof(float), RowStrideFloats * sizeof(float));
    }

    /// <summary>Drops the last row.</summary>
    public void RemoveLast()
    {
        if (Count == 0)
            throw new InvalidOperationException("arena is empty");
        Count--;
    }

    public void Reserve(long capacity)
    {
        if (capacity <= _capacity)
            return;
        nuint bytes = checked((nuint)(capacity * RowStrideFloats * sizeof(float)));
        var grown = (float*)NativeMemory.AlignedAlloc(bytes, VectorFileHeader.Alignment);
        if (_rows != null)
        {
            Buffer.MemoryCopy(_rows, grown, (long)bytes, Count * RowStrideFloats * sizeof(float));
            NativeMemory.AlignedFree(_rows);
        }
        _rows = grown;
        _capacity = capacity;
    }

    public void Dispose()
    {
        if (_rows != null)
        {
            NativeMemory.AlignedFree(_rows);
            _rows = null;
            _capacity = 0;
            Count = 0;
        }
    }
}
