namespace RecSys.Engine.Native.Peers;

/// <summary>
/// What the peer indexes share: the native handle (freed once, by <see cref="Dispose"/> or the finalizer), the shape,
/// the argument checks, and the error buffer a shim writes into. A search pins the caller's spans and passes
/// pointers: nothing is copied or allocated on the managed side per query.
/// </summary>
public abstract unsafe class PeerIndex : IDisposable
{
    private const int ErrorCapacity = 1024;
    private readonly byte[] _error = new byte[ErrorCapacity];
    private nint _handle;

    private protected PeerIndex(nint handle, int dimension, long count)
    {
        _handle = handle;
        Dimension = dimension;
        Count = count;
    }

    public int Dimension { get; }

    /// <summary>Rows indexed; their ids are the row numbers 0..Count-1.</summary>
    public long Count { get; }

    private protected nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(GetType().Name);

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    ~PeerIndex() => Release();

    private protected abstract void Free(nint handle);

    private void Release()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
            Free(handle);
    }

    /// <summary>Checks a build's arguments; returns the row count.</summary>
    private protected static long CheckRows(ReadOnlySpan<float> rows, int dimension, PeerMetric metric)
    {
        if (dimension < 1)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be at least 1");
        if (rows.Length % dimension != 0)
            throw new ArgumentException($"rows holds {rows.Length} floats, not a whole number of {dimension}-float rows", nameof(rows));
        if (!Enum.IsDefined(metric))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric");
        return rows.Length / dimension;
    }

    private protected void CheckSearch(ReadOnlySpan<float> query, Span<long> ids, Span<float> distances)
    {
        if (query.Length != Dimension)
            throw new ArgumentException($"query has {query.Length} floats, the index {Dimension}", nameof(query));
        if (ids.Length < 1 || distances.Length != ids.Length)
            throw new ArgumentException($"ids ({ids.Length}) and distances ({distances.Length}) must be one k long, k >= 1", nameof(ids));
    }

    /// <summary>The per-index error buffer, pinned by the caller for a search (no allocation per query).</summary>
    private protected byte[] ErrorBuffer => _error;

    /// <summary>The exception for a shim call that failed, with the message it wrote into <paramref name="error"/>.</summary>
    private protected static InvalidOperationException Failed(string what, ReadOnlySpan<byte> error) =>
        new($"{what}: {PeerNative.ErrorText(error)}");

    /// <summary>-1 or 0: every core.</summary>
    private protected static int Threads(int threads) => threads is -1 or 0 ? Environment.ProcessorCount : threads;

    private protected static int ErrorSize => ErrorCapacity;
}
