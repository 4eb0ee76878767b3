using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Index.IvfPq;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>How <see cref="ServingBootstrap"/> builds the serving state from a training set.</summary>
public sealed record BootstrapOptions
{
    public IndexKind Index { get; init; } = IndexKind.Hnsw;

    public HnswOptions Hnsw { get; init; } = new();

    public IvfPqOptions IvfPq { get; init; } = new();

    /// <summary>Publish time of an item ordinal in unix ms (0 = unknown); null = all unknown.</summary>
    public Func<int, long>? PublishedAtMs { get; init; }

    /// <summary>Load the training events into the store as the users' histories (seen filter, fold-in, counters).</summary>
    public bool LoadHistories { get; init; } = true;

    /// <summary>Events per acknowledged store batch while loading histories.</summary>
    public int EventBatch { get; init; } = 10_000;

    /// <summary>Models version reported in responses.</summary>
    public string Version { get; init; } = "models";
}
