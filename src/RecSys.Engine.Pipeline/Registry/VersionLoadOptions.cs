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

    /// <summary>Search-time HNSW settings for the loaded graphs, replacing the saved ones (null: those saved with each index).</summary>
    public HnswOptions? Hnsw { get; init; }

    /// <summary>
    /// Walk every loaded HNSW graph's level 0 on a bfloat16 copy of its rows, re-scoring the beam's head on float32
    /// (<see cref="HnswOptions.BFloat16Traversal"/>; half a vector more memory per item, computed at load); each graph
    /// keeps its other saved search settings. Null: as each index was saved. Applied after <see cref="Hnsw"/>.
    /// </summary>
    public bool? HnswBFloat16Traversal { get; init; }

    /// <summary>The search settings a saved graph is opened with, from what it was saved with; null = the saved ones.</summary>
    internal Func<HnswOptions, HnswOptions>? HnswSearch()
    {
        if (Hnsw is null && HnswBFloat16Traversal is null)
            return null;
        var replace = Hnsw;
        bool? bf16 = HnswBFloat16Traversal;
        return saved =>
        {
            var options = replace ?? saved;
            return bf16 is bool b ? options with { BFloat16Traversal = b } : options;
        };
    }

    /// <summary>Sees every memory-mapped vector file before the first search: the place to madvise or mlock it (RecSys.Engine.Native).</summary>
    public Action<MappedVectorFile>? OnMapped { get; init; }

    /// <summary>
    /// Serve the memory-mapped rows (index vectors, embeddings) from 2 MiB pages where Linux can
    /// (<see cref="MappedVectorFile.PreferHugePages"/>): each file's cached pages are dropped and read back from disk
    /// while the version loads, so a load reads those files once more, and the first requests take no page faults.
    /// At 1M x 96 this was +12-27% HNSW QPS at ef 64-128 in process (bench/results/hnsw.md). Off by default.
    /// </summary>
    public bool HugePageMappings { get; init; }

    /// <summary>Receives a line for each mapping <see cref="HugePageMappings"/> could not advise (the file and why); null = silent.</summary>
    public Action<string>? HugePageLog { get; init; }

    /// <summary>What the loader calls on every mapping: the huge-page advice when asked for, then <see cref="OnMapped"/>.</summary>
    internal Action<MappedVectorFile>? MappedHook()
    {
        if (!HugePageMappings)
            return OnMapped;
        var then = OnMapped;
        var log = HugePageLog;
        return mapped =>
        {
            if (mapped.PreferHugePages() is { } why)
                log?.Invoke($"{mapped.Path}: rows stay on 4 KiB pages ({why})");
            mapped.Prefault();
            then?.Invoke(mapped);
        };
    }
}
