namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Admission control in front of the pipeline: past the limit a call is refused at once with RESOURCE_EXHAUSTED
/// instead of queueing (a queued call would miss its deadline anyway, and the queue would delay every call behind it).
/// Health checks and reflection are never limited.
/// </summary>
public sealed record AdmissionOptions
{
    /// <summary>recsys.v1 calls the server works on at once; 0 = no limit. Default 64 (about 30 per core on 2 cores).</summary>
    public int MaxConcurrentCalls { get; init; } = 64;

    internal void Validate(string key)
    {
        if (MaxConcurrentCalls < 0)
            throw new ServerConfigException($"{key}:MaxConcurrentCalls", $"{key}:MaxConcurrentCalls must be >= 0 (0 = no limit; got {MaxConcurrentCalls})");
    }
}
