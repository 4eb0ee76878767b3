using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Core.Index.Flat;

/// <summary>
/// Exact search by scanning every vector: the oracle every approximate index is tested against, and
/// the right index for small catalogs or very selective filters.
/// <code>
///   rows:  VectorArena (after Add)  or  MappedVectorFile (after Load, no copy until the first write)
///   ids:   long[ordinal] -> external id;  Dictionary external id -> ordinal, built on first write
///   scan:  ExactScan&lt;metric, filter&gt; over tiles of rows, blocks of queries across cores
/// </code>
/// Cosine vectors are normalised on Add (and queries on Search), so cosine is a plain dot product.
/// Searches run concurrently with each other; Add / Remove take a write lock (they may move memory).
/// </summary>
public sealed unsafe partial class FlatIndex : IVectorIndex
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private VectorArena? _arena;
    private MappedVectorFile? _mapped;
    private long[] _ids;
    private long _count;
    private Dictionary<long, long>? _ordinalOf;
    private bool _disposed;

    public FlatIndex(int dimension, DistanceMetric metric)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!Enum.IsDefined(metric))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric");
        Dimension = dimension;
        Metric = metric;
        _arena = new VectorArena(dimension);
        _ids = new long[1024];
        _ordinalOf = new Dictionary<long, long>();
    }

    private FlatIndex(int dimension, DistanceMetric metric, MappedVectorFile mapped, long[] ids)
    {
        Dimension = dimension;
        Metric = metric;
        _mapped = mapped;
        _ids = ids;
        _count = mapped.Count;
    }

    public string Kind => "flat";

    public int Dimension { get; }

    public DistanceMetric Metric { get; }

    public long Count => Volatile.Read(ref _count);

    private int RowStrideFloats => _arena?.RowStrideFloats ?? _mapped!.RowStrideFloats;

    private float* RowsPointer => _arena is not null ? _arena.RowsPointer : _mapped!.RowsPointer;

    /// <summary>Vector rows (with alignment padding) plus 8 bytes of id per vector.</summary>
    public long MemoryBytes => Count * ((long)RowStrideFloats * sizeof(float) + sizeof(long));

    public void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        ThrowIfDisposed();
        if ((long)ids.Length * Dimension != vectors.Length)
            throw new ArgumentException($"{ids.Length} ids need {(long)ids.Length * Dimension} floats of dimension {Dimension}; got {vectors.Length}", nameof(vectors));
        if (ids.IsEmpty)
            return;

        _lock.EnterWriteLock();
        try
        {
            EnsureWritable();
            // Validate the whole batch before touching the index: a bad row never leaves half a batch in.
            AddValidation.ValidateBatch(ids, vectors, Dimension, Metric, _ordinalOf!);

            long needed = _count + ids.Length;
            _arena!.Reserve(Math.Max(needed, _arena.Capacity));
            if (_ids.Length < needed)
                Array.Resize(ref _ids, (int)Math.Max(needed, Math.Min((long)_ids.Length * 2, Array.MaxLength)));
            for (int r = 0; r < ids.Length; r++)
            {
                long ordinal = _arena.Append(vectors.Slice(r * Dimension, Dimension));
                if (Metric == DistanceMetric.Cosine)
                    CosineSimilarity.Normalize(_arena.GetRow(ordinal));
                _ids[ordinal] = ids[r];
                _ordinalOf!.Add(ids[r], ordinal);
            }
            Volatile.Write(ref _count, _arena.Count);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public int Remove(ReadOnlySpan<long> ids)
    {
        ThrowIfDisposed();
        _lock.EnterWriteLock();
        try
        {
            EnsureWritable();
            int removed = 0;
            foreach (long id in ids)
            {
                if (!_ordinalOf!.Remove(id, out long ordinal))
                    continue;
                // Swap-remove: the last row moves into the hole, so rows stay dense for the scan.
                long last = _arena!.Count - 1;
                if (ordinal != last)
                {
                    _arena.CopyRow(last, ordinal);
                    _ids[ordinal] = _ids[last];
                    _ordinalOf[_ids[ordinal]] = ordinal;
                }
                _arena.RemoveLast();
                removed++;
            }
            Volatile.Write(ref _count, _arena!.Count);
            return removed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>True when <paramref name="id"/> is in the index.</summary>
    public bool Contains(long id)
    {
        _lock.EnterReadLock();
        try
        {
            if (_ordinalOf is not null)
                return _ordinalOf.ContainsKey(id);
            return Array.IndexOf(_ids, id, 0, (int)_count) >= 0;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// A loaded index maps its file read-only; the first write copies the rows into an arena and builds
    /// the id dictionary. Loading stays instant and a read-only replica never pays for either.
    /// </summary>
    private void EnsureWritable()
    {
        if (_mapped is not null)
        {
            var arena = new VectorArena(Dimension, Math.Max(1024, _count));
            for (long i = 0; i < _count; i++)
                arena.Append(_mapped.GetRow(i));
            _mapped.Dispose();
            _mapped = null;
            _arena = arena;
        }
        if (_ordinalOf is null)
        {
            var map = new Dictionary<long, long>((int)_count);
            for (long i = 0; i < _count; i++)
                map.Add(_ids[i], i);
            _ordinalOf = map;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        if (_disposed)
            return;
        _lock.EnterWriteLock();
        try
        {
            _disposed = true;
            _arena?.Dispose();
            _mapped?.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
        _lock.Dispose();
    }
}
