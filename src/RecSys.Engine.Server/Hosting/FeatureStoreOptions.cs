using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Redis;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// The "Serving:FeatureStore" section: where users' histories, profiles and counters live.
/// <code>
///   "Faster"  embedded FASTER KV in DataDirectory (one machine; checkpointed by the server, and on a graceful stop)
///   "Redis"   a Garnet or Redis server / cluster at Redis (many replicas share it; it persists on its own)
/// </code>
/// </summary>
public sealed record FeatureStoreOptions
{
    /// <summary>"Faster" (default) or "Redis".</summary>
    public string Backend { get; init; } = "Faster";

    /// <summary>Faster: the store's directory (created on first start). Relative paths are relative to the config file. Required for Faster.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Faster: in-memory part of the log in bytes; the rest spills to disk. Default 268435456 (256 MiB).</summary>
    public long MemoryBudgetBytes { get; init; } = 256L << 20;

    /// <summary>Faster: hash index size in 64-byte buckets, a power of two (about 8 keys each). Default 262144.</summary>
    public long IndexBuckets { get; init; } = 1L << 18;

    /// <summary>Faster: time between automatic checkpoints; "00:00:00" = only on a graceful stop and the Checkpoint RPC. Default "00:01:00".</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Faster: a checkpoint writes the log pages appended since the last one, and the hash index (64 B a bucket) only
    /// once the log grew this many bytes since the last index checkpoint; a restart rebuilds the index from the log
    /// above it, so this bounds that read. 0 = the index at every checkpoint. Default 1073741824 (1 GiB).
    /// </summary>
    public long IndexCheckpointLogBytes { get; init; } = 1L << 30;

    /// <summary>Faster: open from the previous checkpoint when the latest is damaged (replaying a longer log). Default false.</summary>
    public bool RecoverFromPreviousCheckpoint { get; init; }

    /// <summary>Redis: the StackExchange.Redis configuration string ("10.0.0.1:6379,10.0.0.2:6379,abortConnect=false"). Required for Redis.</summary>
    public string? Redis { get; init; }

    /// <summary>Redis: prepended to every key, so deployments can share a server. Default "".</summary>
    public string KeyPrefix { get; init; } = "";

    /// <summary>
    /// Interactions (views, clicks, purchases, ratings, ...; not impressions) kept per user, newest first. Default 200.
    /// The newest of them shape each request; the seen filter reads all of them and <see cref="SeenCapacity"/> more.
    /// </summary>
    public int HistoryCapacity { get; init; } = 200;

    /// <summary>
    /// Distinct items kept per user from the interactions that fell out of the history, so the seen filter still
    /// drops them. Default 1,000 (8 bytes each, read only for users whose history is full; the set is rewritten whole
    /// when an item is added, so its size bounds the write per event as the history's does). Beyond it, a user's
    /// oldest items can come back; 0 keeps none.
    /// </summary>
    public int SeenCapacity { get; init; } = 1_000;

    /// <summary>
    /// Impressions kept per user and surface besides the interactions, newest first. Default 200 (ten 20-item emails: the
    /// already-sent memory the shared 200-event history gave before, at most). They never push interactions out, nor one surface's impressions another's; the
    /// "already shown on this surface" filters (email's already-sent) read them.
    /// </summary>
    public int ImpressionCapacity { get; init; } = 200;

    /// <summary>Half-life of the trending counters. Default "1.00:00:00" (24 h).</summary>
    public TimeSpan CounterHalfLife { get; init; } = TimeSpan.FromHours(24);

    /// <summary>True for the embedded FASTER backend.</summary>
    public bool IsFaster => string.Equals(Backend, "Faster", StringComparison.OrdinalIgnoreCase);

    internal void Validate(string key)
    {
        if (!IsFaster && !string.Equals(Backend, "Redis", StringComparison.OrdinalIgnoreCase))
            throw new ServerConfigException($"{key}:Backend", $"{key}:Backend '{Backend}' is not Faster or Redis");
        if (HistoryCapacity < 1)
            throw new ServerConfigException($"{key}:HistoryCapacity", $"{key}:HistoryCapacity must be at least 1 (got {HistoryCapacity})");
        if (SeenCapacity < 0)
            throw new ServerConfigException($"{key}:SeenCapacity", $"{key}:SeenCapacity must not be negative (got {SeenCapacity})");
        if (ImpressionCapacity < 0)
            throw new ServerConfigException($"{key}:ImpressionCapacity", $"{key}:ImpressionCapacity must not be negative (got {ImpressionCapacity})");
        if (CounterHalfLife <= TimeSpan.Zero)
            throw new ServerConfigException($"{key}:CounterHalfLife", $"{key}:CounterHalfLife must be positive (got {CounterHalfLife})");
        if (!IsFaster)
        {
            if (string.IsNullOrWhiteSpace(Redis))
                throw new ServerConfigException($"{key}:Redis", $"{key}:Redis is required when {key}:Backend is Redis (a StackExchange.Redis configuration string)");
            return;
        }
        if (string.IsNullOrWhiteSpace(DataDirectory))
            throw new ServerConfigException($"{key}:DataDirectory", $"{key}:DataDirectory is required when {key}:Backend is Faster");
        if (MemoryBudgetBytes < 1L << 20)
            throw new ServerConfigException($"{key}:MemoryBudgetBytes", $"{key}:MemoryBudgetBytes must be at least 1048576 (got {MemoryBudgetBytes})");
        if (IndexBuckets < 1 || (IndexBuckets & (IndexBuckets - 1)) != 0)
            throw new ServerConfigException($"{key}:IndexBuckets", $"{key}:IndexBuckets must be a power of two (got {IndexBuckets})");
        if (CheckpointInterval < TimeSpan.Zero)
            throw new ServerConfigException($"{key}:CheckpointInterval", $"{key}:CheckpointInterval must not be negative (got {CheckpointInterval})");
        if (IndexCheckpointLogBytes < 0)
            throw new ServerConfigException($"{key}:IndexCheckpointLogBytes", $"{key}:IndexCheckpointLogBytes must not be negative (got {IndexCheckpointLogBytes})");
    }

    /// <summary>The embedded store's settings (the directory is given where the store is opened).</summary>
    internal FasterFeatureStoreOptions ToFaster() => new()
    {
        DataDirectory = DataDirectory!,
        MemoryBudgetBytes = MemoryBudgetBytes,
        IndexBuckets = IndexBuckets,
        CheckpointInterval = CheckpointInterval,
        IndexCheckpointLogBytes = IndexCheckpointLogBytes,
        RecoverFromPreviousCheckpoint = RecoverFromPreviousCheckpoint,
        HistoryCapacity = HistoryCapacity,
        ImpressionCapacity = ImpressionCapacity,
        SeenCapacity = SeenCapacity,
        CounterHalfLife = CounterHalfLife,
    };

    internal RedisFeatureStoreOptions ToRedis() => new()
    {
        Configuration = Redis!,
        KeyPrefix = KeyPrefix,
        HistoryCapacity = HistoryCapacity,
        ImpressionCapacity = ImpressionCapacity,
        SeenCapacity = SeenCapacity,
        CounterHalfLife = CounterHalfLife,
    };
}
