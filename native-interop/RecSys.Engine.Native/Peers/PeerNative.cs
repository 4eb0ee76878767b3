using System.Runtime.InteropServices;

namespace RecSys.Engine.Native.Peers;

/// <summary>
/// The entry points of native-interop/peers/recsys_peers.h. Pointers only, so no marshalling: callers pin their spans
/// with <c>fixed</c>. The library names resolve through <see cref="PeerLibraries"/>, which loads the built files.
/// </summary>
internal static unsafe partial class PeerNative
{
    public const string Hnswlib = "recsys_peer_hnswlib";
    public const string Faiss = "recsys_peer_faiss";

    [LibraryImport(Hnswlib, EntryPoint = "recsys_hnswlib_describe")]
    public static partial nint HnswlibDescribe();

    [LibraryImport(Hnswlib, EntryPoint = "recsys_hnswlib_build")]
    public static partial int HnswlibBuild(int dim, int metric, float* rows, long count, int m, int efConstruction, int threads, out nint index, byte* error, int errorCapacity);

    [LibraryImport(Hnswlib, EntryPoint = "recsys_hnswlib_search")]
    public static partial int HnswlibSearch(nint index, float* query, int k, int ef, long* ids, float* distances);

    [LibraryImport(Hnswlib, EntryPoint = "recsys_hnswlib_memory_bytes")]
    public static partial long HnswlibMemoryBytes(nint index);

    [LibraryImport(Hnswlib, EntryPoint = "recsys_hnswlib_free")]
    public static partial void HnswlibFree(nint index);

    [LibraryImport(Faiss, EntryPoint = "recsys_faiss_describe")]
    public static partial nint FaissDescribe();

    [LibraryImport(Faiss, EntryPoint = "recsys_faiss_build", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FaissBuild(string factory, int dim, int metric, float* rows, long count, int efConstruction, int threads, out nint index, byte* error, int errorCapacity);

    [LibraryImport(Faiss, EntryPoint = "recsys_faiss_search")]
    public static partial int FaissSearch(nint index, float* query, int k, int ef, int nprobe, int refine, long* ids, float* distances, byte* error, int errorCapacity);

    [LibraryImport(Faiss, EntryPoint = "recsys_faiss_memory_bytes")]
    public static partial long FaissMemoryBytes(nint index, int refine);

    [LibraryImport(Faiss, EntryPoint = "recsys_faiss_free")]
    public static partial void FaissFree(nint index);

    /// <summary>The text a shim wrote into an error buffer (NUL-terminated UTF-8).</summary>
    public static string ErrorText(ReadOnlySpan<byte> buffer)
    {
        int end = buffer.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? buffer : buffer[..end]);
    }
}
