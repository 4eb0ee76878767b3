namespace RecSys.Engine.Native.Peers;

/// <summary>
/// A FAISS index through librecsys_peer_faiss.so, made by FAISS's index factory ("HNSW16,Flat", "IVF1024,Flat",
/// "IVF1024,PQ24,RFlat"; RFlat wraps the index in IndexRefineFlat for exact re-rank). Built with <c>threads</c> OpenMP
/// threads over rows whose ids are their row numbers; searched one query per call with one OpenMP thread.
/// </summary>
public sealed unsafe class FaissIndex : PeerIndex
{
    private FaissIndex(nint handle, int dimension, long count, string factory)
        : base(handle, dimension, count) => Factory = factory;

    /// <summary>The index factory string it was made from.</summary>
    public string Factory { get; }

    /// <summary>What the loaded library is: FAISS's version and the options its kernels were compiled with.</summary>
    public static string Describe() => PeerLibraries.Require(PeerLibrary.Faiss);

    /// <param name="efConstruction">HNSW's beam while building; ignored by other indexes.</param>
    /// <param name="threads">Build (train and add) threads; -1 or 0 = every core.</param>
    /// <exception cref="InvalidOperationException">The library is not built (the message says how), or FAISS refused (its message).</exception>
    public static FaissIndex Build(string factory, ReadOnlySpan<float> rows, int dimension, PeerMetric metric, int efConstruction, int threads)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(factory);
        long count = CheckRows(rows, dimension, metric);
        PeerLibraries.Require(PeerLibrary.Faiss);
        Span<byte> error = stackalloc byte[ErrorSize];
        fixed (float* r = rows)
        fixed (byte* e = error)
        {
            if (PeerNative.FaissBuild(factory, dimension, (int)metric, r, count, efConstruction, Threads(threads), out nint handle, e, ErrorSize) != 0)
                throw Failed("faiss build", error);
            return new FaissIndex(handle, dimension, count, factory);
        }
    }

    /// <summary>
    /// The ids.Length nearest rows (ids -1 past the end of what was found); returns how many were found. <paramref name="ef"/>
    /// applies to HNSW, <paramref name="nprobe"/> to IVF; <paramref name="refine"/> = R > 0 re-ranks the top R exactly
    /// (an index with RFlat), 0 searches the index under the RFlat wrapper alone.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int ef, int nprobe, int refine, Span<long> ids, Span<float> distances)
    {
        CheckSearch(query, ids, distances);
        ArgumentOutOfRangeException.ThrowIfLessThan(ef, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nprobe, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(refine);
        fixed (float* q = query)
        fixed (long* i = ids)
        fixed (float* d = distances)
        fixed (byte* e = ErrorBuffer)
        {
            int found = PeerNative.FaissSearch(Handle, q, ids.Length, ef, nprobe, Math.Max(refine, refine > 0 ? ids.Length : 0), i, d, e, ErrorSize);
            GC.KeepAlive(this);
            return found >= 0 ? found : throw Failed("faiss search", ErrorBuffer);
        }
    }

    /// <summary>
    /// Bytes per index that serves <paramref name="refine"/>: an IVF index at refine 0 counts its codes and ids (as our
    /// IVF-PQ rows without re-rank do); otherwise the whole index as FAISS serialises it (vectors, links, quantizers).
    /// </summary>
    public long MemoryBytes(int refine)
    {
        long bytes = PeerNative.FaissMemoryBytes(Handle, refine);
        GC.KeepAlive(this);
        return bytes;
    }

    private protected override void Free(nint handle) => PeerNative.FaissFree(handle);
}
