namespace RecSys.Engine.Features;

/// <summary>
/// What a feature store's own background work says about it, for the server's health check and for logs.
/// Checkpoints run on a timer, where a failure has no caller to throw to: it lands here instead. Immutable: the
/// store publishes a new one on every change.
/// </summary>
public sealed record FeatureStoreHealth
{
    /// <summary>Degraded while <see cref="ConsecutiveCheckpointFailures"/> is above zero; a successful checkpoint clears it.</summary>
    public FeatureStoreHealthStatus Status =>
        ConsecutiveCheckpointFailures == 0 ? FeatureStoreHealthStatus.Healthy : FeatureStoreHealthStatus.Degraded;

    /// <summary>Checkpoints that failed since the last one that succeeded (periodic ones and explicit calls alike).</summary>
    public int ConsecutiveCheckpointFailures { get; init; }

    /// <summary>When this instance last completed a checkpoint (UTC); null before its first.</summary>
    public DateTimeOffset? LastSuccessfulCheckpoint { get; init; }

    /// <summary>
    /// The most recent checkpoint failure; kept after a later success clears <see cref="Status"/>, as history (compare
    /// <see cref="LastCheckpointFailure"/> with <see cref="LastSuccessfulCheckpoint"/>).
    /// </summary>
    public Exception? LastCheckpointError { get; init; }

    /// <summary>When <see cref="LastCheckpointError"/> happened (UTC); null if no checkpoint has failed.</summary>
    public DateTimeOffset? LastCheckpointFailure { get; init; }
}
