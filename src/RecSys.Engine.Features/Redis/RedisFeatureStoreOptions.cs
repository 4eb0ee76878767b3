namespace RecSys.Engine.Features.Redis;

/// <summary>Settings of the Redis-protocol backend (Garnet or Redis, standalone or cluster).</summary>
public sealed record RedisFeatureStoreOptions : FeatureStoreSettings
{
    /// <summary>
    /// StackExchange.Redis configuration string: one endpoint for standalone, the cluster's seed endpoints
    /// comma-separated for a cluster (e.g. "10.0.0.1:6379,10.0.0.2:6379,abortConnect=false").
    /// </summary>
    public required string Configuration { get; init; }

    /// <summary>Prepended to every key (before the hash tag), to share a server between deployments.</summary>
    public string KeyPrefix { get; init; } = "";

    /// <summary>Attempts of an optimistic read-modify-write (history, counters, soft delete) before giving up.</summary>
    public int MaxRetries { get; init; } = 64;
}
