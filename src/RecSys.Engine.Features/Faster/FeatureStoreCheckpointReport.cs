namespace RecSys.Engine.Features.Faster;

/// <summary>
/// What one successful checkpoint of the embedded store did, for the log (<see cref="FasterFeatureStoreOptions.CheckpointCompleted"/>).
/// <paramref name="LogBytesSincePrevious"/>: KV log appended since the previous checkpoint of this instance (what an
/// incremental checkpoint flushes, at most); <paramref name="FasterTime"/>: FASTER's part (flush, index), the rest of
/// <paramref name="Total"/> being compaction, the manifest and cleanup; <paramref name="Phases"/>: how FASTER's part
/// split over its checkpoint phases, sampled (<see cref="CheckpointPhaseTrace"/>), null when not traced.
/// </summary>
public sealed record FeatureStoreCheckpointReport(Guid Token, bool WithIndex, bool Compacted, long LogBytesSincePrevious, TimeSpan FasterTime, TimeSpan Total, string? Phases = null)
{
    public override string ToString() =>
        $"feature store checkpoint {Token}: {(WithIndex ? "with an index checkpoint" : "incremental")}{(Compacted ? ", after a compaction" : "")}, " +
        $"{LogBytesSincePrevious / 1e6:F1} MB of log since the previous one, {Total.TotalMilliseconds:F0} ms ({FasterTime.TotalMilliseconds:F0} ms in FASTER{(Phases is null ? "" : ": " + Phases)})";
}
