using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>How <see cref="VersionLoader"/> opens a version.</summary>
public sealed record VersionLoadOptions
{
    /// <summary>Check every file's SHA-256 before using it (reads each file once; off only for tests and tools that just verified).</summary>
    public bool VerifyHashes { get; init; } = true;

    /// <summary>Makes the ranker of a version with a ranker file; without one such a version is refused (see <see cref="IgnoreRanker"/>).</summary>
    public IRankerLoader? RankerLoader { get; init; }

    /// <summary>
    /// Makes the user-tower encoder of a version with a two-tower model from its ONNX file (RecSys.Engine.Ranking.Onnx's
    /// OnnxTowerLoader); null = the model's C# forward pass.
    /// </summary>
    public ITowerLoader? TowerLoader { get; init; }

    /// <summary>Serve a version's ranker file with the rank-fusion fallback instead (no loader at hand).</summary>
    public bool IgnoreRanker { get; init; }

    /// <summary>Search-time HNSW settings for the loaded graphs (null: those saved with each index).</summary>
    public HnswOptions? Hnsw { get; init; }

    /// <summary>Sees every memory-mapped vector file before the first search: the place to madvise or mlock it (RecSys.Engine.Native).</summary>
    public Action<MappedVectorFile>? OnMapped { get; init; }
}
