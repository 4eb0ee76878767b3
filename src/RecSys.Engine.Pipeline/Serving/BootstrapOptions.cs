using RecSys.Engine.Core.Index.Factory;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>How <see cref="ServingBootstrap"/> builds the serving state from a training set.</summary>
public sealed record BootstrapOptions
{
    /// <summary>Index over the ALS item factors, as an <see cref="IndexSpec"/> factory string ("HNSW16,efc200", "IVF1024,PQ16,R100", "Flat").</summary>
    public string CfIndex { get; init; } = "HNSW16,efc200";

    /// <summary>Index over the content vectors (an IVF-PQ's m must divide the content dimension).</summary>
    public string ContentIndex { get; init; } = "HNSW16,efc200";

    /// <summary>Index over the two-tower model's item vectors (cosine).</summary>
    public string TwoTowerIndex { get; init; } = "HNSW16,efc200";

    /// <summary>Build threads and the like (not part of what the index is).</summary>
    public IndexBuildSettings Build { get; init; } = IndexBuildSettings.Default;

    /// <summary>Publish time of an item ordinal in unix ms (0 = unknown); null = all unknown.</summary>
    public Func<int, long>? PublishedAtMs { get; init; }

    /// <summary>Load the training events into the store as the users' histories (seen filter, fold-in, counters).</summary>
    public bool LoadHistories { get; init; } = true;

    /// <summary>Events per acknowledged store batch while loading histories.</summary>
    public int EventBatch { get; init; } = 10_000;

    /// <summary>Models version reported in responses.</summary>
    public string Version { get; init; } = "models";
}
