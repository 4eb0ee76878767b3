namespace RecSys.Engine.Pipeline.Serving;

/// <summary>Which vector index <see cref="ServingBootstrap"/> builds over the item vectors.</summary>
public enum IndexKind
{
    /// <summary>HNSW graph: live inserts and deletes, filtered search with the exact fallback.</summary>
    Hnsw,

    /// <summary>IVF-PQ: compressed, for catalogs past memory; the dimension must be a multiple of its M.</summary>
    IvfPq,

    /// <summary>Exact scan: small catalogs and tests.</summary>
    Flat,
}
