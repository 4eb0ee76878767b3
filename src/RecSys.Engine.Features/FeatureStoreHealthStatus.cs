namespace RecSys.Engine.Features;

/// <summary>The verdict of a <see cref="FeatureStoreHealth"/>, in the words health checks use.</summary>
public enum FeatureStoreHealthStatus
{
    /// <summary>No checkpoint has failed since the last one that succeeded.</summary>
    Healthy,

    /// <summary>
    /// The latest checkpoints failed. Acknowledged writes are still durable (they are in the write-ahead log), so
    /// serving can go on; but the log is no longer truncated, so it grows, and a restart replays all of it since
    /// the last good checkpoint. Someone must look (disk full, permissions, a broken device).
    /// </summary>
    Degraded,
}
