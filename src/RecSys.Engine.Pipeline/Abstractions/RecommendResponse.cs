namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>The answer to a <see cref="RecommendRequest"/>.</summary>
public sealed record RecommendResponse
{
    public required string RequestId { get; init; }

    public required string Surface { get; init; }

    /// <summary>The pipeline version (config + models) that answered: what an experiment or a rollback reports.</summary>
    public required string Version { get; init; }

    /// <summary>The experiment that routed the request (null: none runs on the surface).</summary>
    public string? Experiment { get; init; }

    /// <summary>The user's variant in <see cref="Experiment"/> (null without one).</summary>
    public string? Variant { get; init; }

    /// <summary>Best first; fewer than K when too few candidates survive.</summary>
    public required RecommendedItem[] Items { get; init; }

    /// <summary>The ranker that ordered the candidates ("rrf" for the rank-fusion fallback).</summary>
    public required string Ranker { get; init; }

    /// <summary>Sources dropped for this request (failed or out of time), with the reason: "collaborative: timeout".</summary>
    public IReadOnlyList<string> DroppedSources { get; init; } = [];

    /// <summary>
    /// The share of their configured counts and search beams the sources got: 1 normally, less when the host was busy
    /// and the sources degraded (<see cref="Serving.SourceDegradation"/>).
    /// </summary>
    public float SourceShare { get; init; } = 1f;

    /// <summary>The sources ran degraded (<see cref="SourceShare"/> below 1).</summary>
    public bool Degraded => SourceShare < 1f;

    /// <summary>Each stage's candidates and scores, when the request asked for debug.</summary>
    public PipelineTrace? Trace { get; init; }
}
