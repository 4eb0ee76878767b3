using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// The IVF posting lists. Per list, contiguous so a probe streams through memory:
/// <code>
///   codes[list]    count x CodeSize bytes        (the PQ codes the scan reads)
///   ids[list]      count x int64                  (external ids)
///   vectors[list]  count x VectorDimension floats (optional: exact re-rank), in list order, so a
///                  candidate (list, position) finds its vector without an id lookup
/// </code>
/// After <see cref="IvfPqIndex.Load"/> codes, ids and vectors are served straight from the memory-mapped
/// files (loading costs no copy; replicas share the page cache) until the first write copies them into
/// per-list arrays. Removal swaps the list's last entry into the hole.
/// Not thread-safe: the index serialises writers against readers.
/// </summary>
public sealed unsafe class InvertedLists : IDisposable
{
    private readonly byte[][] _codes;
    private readonly long[][] _ids;
    private readonly int[] _counts;
    private float[][]? _vectors;
    private MappedVectorFile? _mapped;
    private long[]? _mappedOffsets;
    private ReadOnlyMapping? _mappedLists;
    private long[]? _codeOffsets; // byte offsets of each list's codes / ids in _mappedLists
    private long[]? _idOffsets;

    public InvertedLists(int listCount, int codeSize, int vectorDimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(listCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(codeSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(vectorDimension);
        ListCount = listCount;
        CodeSize = codeSize;
        VectorDimension = vectorDimension;
        _codes = new byte[listCount][];
        _ids = new long[listCount][];
        _counts = new int[listCount];
        Array.Fill(_codes, []);
        Array.Fill(_ids, []);
        if (vectorDimension > 0)
        {
            _vectors = new float[listCount][];
            Array.Fill(_vectors, []);
        }
    }

    public int ListCount { get; }

    public int CodeSize { get; }

    /// <summary>0 when the lists hold no vectors (no exact re-rank).</summary>
    public int VectorDimension { get; }

    public bool HasVectors => VectorDimension > 0;

    public long TotalCount { get; private set; }

    public int Count(int list) => _counts[list];

    public ReadOnlySpan<byte> Codes(int list) => _mappedLists is null
        ? _codes[list].AsSpan(0, _counts[list] * CodeSize)
        : new ReadOnlySpan<byte>(_mappedLists.Pointer + _codeOffsets![list], _counts[list] * CodeSize);

    public ReadOnlySpan<long> Ids(int list) => _mappedLists is null
        ? _ids[list].AsSpan(0, _counts[list])
        : new ReadOnlySpan<long>(_mappedLists.Pointer + _idOffsets![list], _counts[list]);

    /// <summary>True while codes and ids are served from a mapped file (a loaded index before its first write).</summary>
    public bool IsMapped => _mappedLists is not null;

    /// <summary>Bytes of codes and ids (the compressed index proper, excluding free capacity).</summary>
    public long CodeAndIdBytes => TotalCount * (CodeSize + sizeof(long));

    /// <summary>Bytes of the re-rank vectors (0 without them).</summary>
    public long VectorBytes => TotalCount * VectorDimension * sizeof(float);

    /// <summary>The stored vector of entry <paramref name="position"/> of <paramref name="list"/>.</summary>
    public ReadOnlySpan<float> Vector(int list, int position)
    {
        if (!HasVectors)
            throw new InvalidOperationException("these lists hold no vectors (the index was built without refine storage)");
        if ((uint)position >= (uint)_counts[list])
            throw new ArgumentOutOfRangeException(nameof(position), position, $"list {list} holds {_counts[list]} entries");
        if (_mapped is not null)
            return _mapped.GetRow(_mappedOffsets![list] + position);
        return _vectors![list].AsSpan(position * VectorDimension, VectorDimension);
    }

    /// <summary>Appends one entry to <paramref name="list"/>; returns its position.</summary>
    public int Append(int list, ReadOnlySpan<byte> code, long id, ReadOnlySpan<float> vector)
    {
        if (code.Length != CodeSize)
            throw new ArgumentException($"a code has {CodeSize} bytes, not {code.Length}", nameof(code));
        if (HasVectors && vector.Length != VectorDimension)
            throw new ArgumentException($"a stored vector has {VectorDimension} floats, not {vector.Length}", nameof(vector));
        EnsureWritable();
        int n = _counts[list];
        if (n == _ids[list].Length)
            Grow(list, Math.Max(8, n * 2));
        code.CopyTo(_codes[list].AsSpan(n * CodeSize, CodeSize));
        _ids[list][n] = id;
        if (HasVectors)
            vector.CopyTo(_vectors![list].AsSpan(n * VectorDimension, VectorDimension));
        _counts[list] = n + 1;
        TotalCount++;
        return n;
    }

    /// <summary>Pre-sizes a list (bulk add).</summary>
    public void Reserve(int list, int capacity)
    {
        EnsureWritable();
        if (capacity > _ids[list].Length)
            Grow(list, capacity);
    }

    /// <summary>
    /// Removes entry <paramref name="position"/> of <paramref name="list"/> by moving the list's last entry into it.
    /// Returns true and that entry's id in <paramref name="movedId"/> when an entry moved.
    /// </summary>
    public bool RemoveAt(int list, int position, out long movedId)
    {
        EnsureWritable();
        int last = _counts[list] - 1;
        if ((uint)position > (uint)last)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"list {list} holds {_counts[list]} entries");
        movedId = 0;
        bool moved = position != last;
        if (moved)
        {
            _codes[list].AsSpan(last * CodeSize, CodeSize).CopyTo(_codes[list].AsSpan(position * CodeSize, CodeSize));
            _ids[list][position] = _ids[list][last];
            movedId = _ids[list][last];
            if (HasVectors)
                _vectors![list].AsSpan(last * VectorDimension, VectorDimension).CopyTo(_vectors[list].AsSpan(position * VectorDimension, VectorDimension));
        }
        _counts[list] = last;
        TotalCount--;
        return moved;
    }

    /// <summary>Serves every list from a mapped list file: list l has counts[l] entries, codes and ids at the given byte offsets.</summary>
    internal void AttachMappedLists(ReadOnlyMapping mapping, long[] counts, long[] codeOffsets, long[] idOffsets)
    {
        _mappedLists = mapping;
        _codeOffsets = codeOffsets;
        _idOffsets = idOffsets;
        long total = 0;
        for (int l = 0; l < ListCount; l++)
        {
            _counts[l] = (int)counts[l];
            total += counts[l];
        }
        TotalCount = total;
    }

    /// <summary>Serves the vectors from a mapped file laid out in list order (list l starts at row offsets[l]).</summary>
    internal void AttachMappedVectors(MappedVectorFile mapped, long[] offsets)
    {
        _mapped = mapped;
        _mappedOffsets = offsets;
    }

    private void EnsureWritable()
    {
        if (_mappedLists is not null)
        {
            for (int l = 0; l < ListCount; l++)
            {
                int n = _counts[l];
                var codes = new byte[Math.Max(n, 8) * CodeSize];
                var ids = new long[Math.Max(n, 8)];
                Codes(l).CopyTo(codes);
                Ids(l).CopyTo(ids);
                _codes[l] = codes;
                _ids[l] = ids;
            }
            _mappedLists.Dispose();
            _mappedLists = null;
            _codeOffsets = null;
            _idOffsets = null;
        }
        if (_mapped is null)
            return;
        for (int l = 0; l < ListCount; l++)
        {
            int n = _counts[l];
            var copy = new float[Math.Max(n, 8) * VectorDimension];
            for (int p = 0; p < n; p++)
                _mapped.GetRow(_mappedOffsets![l] + p).CopyTo(copy.AsSpan(p * VectorDimension, VectorDimension));
            _vectors![l] = copy;
        }
        _mapped.Dispose();
        _mapped = null;
        _mappedOffsets = null;
    }

    private void Grow(int list, int capacity)
    {
        var codes = new byte[capacity * CodeSize];
        var ids = new long[capacity];
        int n = _counts[list];
        _codes[list].AsSpan(0, n * CodeSize).CopyTo(codes);
        _ids[list].AsSpan(0, n).CopyTo(ids);
        _codes[list] = codes;
        _ids[list] = ids;
        if (HasVectors)
        {
            var vectors = new float[capacity * VectorDimension];
            _vectors![list].AsSpan(0, n * VectorDimension).CopyTo(vectors);
            _vectors[list] = vectors;
        }
    }

    public void Dispose()
    {
        _mapped?.Dispose();
        _mapped = null;
        _mappedLists?.Dispose();
        _mappedLists = null;
    }
}
