using Microsoft.Extensions.Logging;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>How a <see cref="RecommendationPipeline"/> runs (not what it computes: that is the version's config).</summary>
public sealed record PipelineOptions
{
    /// <summary>Dropped sources (warning), exploration picks (debug).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>"Now" when a request does not give one.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Sources run on the thread pool in parallel (true), or one after another on the request's thread (false:
    /// fewer thread hops on a busy 2-core box; budgets are then enforced only through cancellation and by dropping
    /// a source that finished late).
    /// </summary>
    public bool ParallelSources { get; init; } = true;

    /// <summary>Request scratches kept for reuse (about the number of requests in flight).</summary>
    public int ScratchPoolSize { get; init; } = 64;

    /// <summary>Users an email batch works on at once.</summary>
    public int BatchParallelism { get; init; } = 4;

    /// <summary>
    /// Experiment responses remembered by request id for click attribution (the most recent ones; a click on an
    /// older response is not credited). About 200 bytes each.
    /// </summary>
    public int AttributionCapacity { get; init; } = 100_000;

    /// <summary>
    /// How long an event batch waits for the catalog writes (an upsert stream, a delete, a swap, a snapshot capture hold
    /// them) to fold in the items added after training that it gave users. Past it the fold-in is put off to the item's
    /// next event, so events never wait behind a long catalog write.
    /// </summary>
    public TimeSpan ItemFoldInWait { get; init; } = TimeSpan.FromMilliseconds(20);
}
