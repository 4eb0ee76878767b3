namespace RecSys.Engine.Core.Index;

/// <summary>
/// Per-call search knobs in the FAISS shape: one object for every index, each index reading the
/// fields that concern it (ef for HNSW, nprobe for IVF) and ignoring the rest.
/// </summary>
public sealed record SearchParameters
{
    public static SearchParameters Default { get; } = new();

    /// <summary>Only ids this filter allows are returned; null = all.</summary>
    public IdFilter? Filter { get; init; }

    /// <summary>
    /// HNSW beam width on level 0; null = the index default. IVF-PQ with a graph over its centroids uses it as
    /// that graph's beam when choosing the lists to probe (raised to NProbe); without a graph it is ignored.
    /// </summary>
    public int? Ef { get; init; }

    /// <summary>IVF lists probed; null = the index default.</summary>
    public int? NProbe { get; init; }

    /// <summary>
    /// IVF-PQ: re-rank the best R compressed-distance candidates by exact distance (FAISS's IndexRefineFlat);
    /// null = the index default, 0 = no re-rank. Needs an index that stores its vectors.
    /// </summary>
    public int? Refine { get; init; }

    /// <summary>Threads a batch may use: -1 = all cores, 1 = the calling thread only.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
