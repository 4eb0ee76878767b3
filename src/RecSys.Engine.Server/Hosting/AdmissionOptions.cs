namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Admission control in front of the pipeline: past the limit a call is refused at once with RESOURCE_EXHAUSTED
/// instead of queueing (a queued call would miss its deadline anyway, and the queue would delay every call behind it).
/// Health checks and reflection are never limited. Before that, sources degrade: above <see cref="DegradeAbove"/> of the
/// limit in flight, every request's sources are asked for fewer candidates and search with narrower beams
/// (<see cref="Pipeline.Serving.SourceDegradation"/> has the rule), down to <see cref="MinSourceShare"/> at the limit.
/// </summary>
public sealed record AdmissionOptions
{
    /// <summary>recsys.v1 calls the server works on at once; 0 = no limit. Default 64 (about 30 per core on 2 cores).</summary>
    public int MaxConcurrentCalls { get; init; } = 64;

    /// <summary>Share of <see cref="MaxConcurrentCalls"/> in flight above which sources degrade; 1 = never (only refusals). Default 0.5.</summary>
    public double DegradeAbove { get; init; } = 0.5;

    /// <summary>Share of their configured counts and beams sources keep at the limit. Default 0.25.</summary>
    public double MinSourceShare { get; init; } = 0.25;

    /// <summary>Whether sources degrade at all: a limit to measure the load against, and a threshold below it.</summary>
    internal bool Degrades => MaxConcurrentCalls > 0 && DegradeAbove < 1;

    internal void Validate(string key)
    {
        if (MaxConcurrentCalls < 0)
            throw new ServerConfigException($"{key}:MaxConcurrentCalls", $"{key}:MaxConcurrentCalls must be >= 0 (0 = no limit; got {MaxConcurrentCalls})");
        if (!(DegradeAbove > 0 && DegradeAbove <= 1))
            throw new ServerConfigException($"{key}:DegradeAbove", $"{key}:DegradeAbove must be in (0, 1] (a share of MaxConcurrentCalls; 1 = sources never degrade; got {DegradeAbove})");
        if (!(MinSourceShare > 0 && MinSourceShare <= 1))
            throw new ServerConfigException($"{key}:MinSourceShare", $"{key}:MinSourceShare must be in (0, 1] (got {MinSourceShare})");
    }
}
