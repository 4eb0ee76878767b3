namespace RecSys.Engine.Native.Peers;

/// <summary>The native peer libraries native-interop/peers/build.sh builds, one per library so each is optional.</summary>
public enum PeerLibrary
{
    /// <summary>librecsys_peer_hnswlib.so: hnswlib's header-only HNSW (Debian package libhnswlib-dev).</summary>
    Hnswlib,

    /// <summary>librecsys_peer_faiss.so: FAISS's index factory (Debian package libfaiss-dev).</summary>
    Faiss,
}
