namespace RecSys.Engine.Native.Peers;

/// <summary>
/// hnswlib's HNSW (C++, header-only) through librecsys_peer_hnswlib.so: built on <c>threads</c> threads over rows whose
/// ids are their row numbers, searched one query per call on the calling thread with hnswlib's own searchKnn.
/// </summary>
public sealed unsafe class HnswlibIndex : PeerIndex
{
    private HnswlibIndex(nint handle, int dimension, long count)
        : base(handle, dimension, count)
    {
    }

    /// <summary>What the loaded library is: hnswlib's version and the SIMD level its kernels were compiled for.</summary>
    public static string Describe() => PeerLibraries.Require(PeerLibrary.Hnswlib);

    /// <param name="rows">Row-major, <paramref name="dimension"/> floats per row.</param>
    /// <param name="m">Links per node (level 0 keeps 2M).</param>
    /// <param name="threads">Build threads; -1 or 0 = every core.</param>
    /// <exception cref="InvalidOperationException">The library is not built (the message says how), or hnswlib failed.</exception>
    public static HnswlibIndex Build(ReadOnlySpan<float> rows, int dimension, PeerMetric metric, int m, int efConstruction, int threads)
    {
        long count = CheckRows(rows, dimension, metric);
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(efConstruction, 1);
        PeerLibraries.Require(PeerLibrary.Hnswlib);
        Span<byte> error = stackalloc byte[ErrorSize];
        fixed (float* r = rows)
        fixed (byte* e = error)
        {
            if (PeerNative.HnswlibBuild(dimension, (int)metric, r, count, m, efConstruction, Threads(threads), out nint handle, e, ErrorSize) != 0)
                throw Failed("hnswlib build", error);
            return new HnswlibIndex(handle, dimension, count);
        }
    }

    /// <summary>The ids.Length nearest rows (ids -1 past the end of what was found); returns how many were found.</summary>
    public int Search(ReadOnlySpan<float> query, int ef, Span<long> ids, Span<float> distances)
    {
        CheckSearch(query, ids, distances);
        ArgumentOutOfRangeException.ThrowIfLessThan(ef, 1);
        fixed (float* q = query)
        fixed (long* i = ids)
        fixed (float* d = distances)
        {
            int found = PeerNative.HnswlibSearch(Handle, q, ids.Length, ef, i, d);
            GC.KeepAlive(this);
            return found >= 0 ? found : throw new InvalidOperationException("hnswlib searchKnn threw");
        }
    }

    /// <summary>Level 0 (links, vector and label per node) plus the upper-level links; not hnswlib's label hash map.</summary>
    public long MemoryBytes
    {
        get
        {
            long bytes = PeerNative.HnswlibMemoryBytes(Handle);
            GC.KeepAlive(this);
            return bytes;
        }
    }

    private protected override void Free(nint handle) => PeerNative.HnswlibFree(handle);
}
