namespace RecSys.Engine.Features.Faster;

/// <summary>Settings of the embedded FASTER backend. Only <see cref="DataDirectory"/> is required.</summary>
public sealed record FasterFeatureStoreOptions : FeatureStoreSettings
{
    /// <summary>Holds kv/ (hybrid log + checkpoints), wal/ (write-ahead log) and checkpoints.json.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>In-memory part of the KV log, rounded down to a power of two; the rest spills to disk (the hash index is extra: 64 B x <see cref="IndexBuckets"/>).</summary>
    public long MemoryBudgetBytes { get; init; } = 256L << 20;

    /// <summary>Hash index size in 64-byte buckets (power of two; about 8 keys each before overflow buckets).</summary>
    public long IndexBuckets { get; init; } = 1L << 18;

    /// <summary>
    /// Group-commit window: after the first write of a group the committer waits this long for others to join.
    /// Zero (default): commit at once; writes that arrive while a commit is on the device share the next one,
    /// which measured better here in both latency and throughput at 1 to 64 writers (bench/results/featurestore.md).
    /// A window of a few ms means fewer, larger commits for devices where each sync write is expensive.
    /// </summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Time between automatic checkpoints (zero: only on dispose and after recovery).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Incremental checkpoints: a checkpoint writes the KV log's pages appended since the previous one (a FASTER
    /// fold-over checkpoint of the hybrid log) and reuses the last index checkpoint, until the log has grown this much
    /// since that index checkpoint; then it checkpoints the hash index too (64 B x <see cref="IndexBuckets"/>). Recovery
    /// rebuilds the index from the log above its checkpoint, so this bounds the log scanned at open against how often the
    /// whole index is written (a start also loads the in-memory part of the log back, up to <see cref="MemoryBudgetBytes"/>).
    /// A checkpoint after a compaction, and the first one of a new store, always take the index too.
    /// Zero: every checkpoint takes the index.
    /// </summary>
    public long IndexCheckpointLogBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Called with the store's new <see cref="FasterFeatureStore.Health"/> after every failed checkpoint and after the
    /// success that ends a run of failures: the place to log them (the store has no logger of its own). Runs on the
    /// checkpointing thread, so keep it short; an exception it throws is ignored.
    /// </summary>
    public Action<FeatureStoreHealth>? HealthChanged { get; init; }

    /// <summary>
    /// Called after every successful checkpoint with what it did and how long it took (the place to log it). Runs on
    /// the checkpointing thread, inside the checkpoint; an exception it throws is ignored.
    /// </summary>
    public Action<FeatureStoreCheckpointReport>? CheckpointCompleted { get; init; }

    /// <summary>
    /// Recovery path for a damaged latest checkpoint: open from the previous one and replay the longer log tail
    /// (the log is kept back to the previous checkpoint for this). Off by default so damage is never skipped silently.
    /// </summary>
    public bool RecoverFromPreviousCheckpoint { get; init; }

    /// <summary>
    /// Log compaction: when the KV log (every record version from its begin address to its tail) exceeds this size
    /// and twice its size after the previous compaction (recorded in checkpoints.json, so restarts keep the schedule),
    /// and part of it is on disk, the next checkpoint first compacts it: live records of the on-disk part are copied to
    /// the tail and the begin address moves past them; the files below are deleted once no checkpoint in
    /// checkpoints.json needs them (at the second checkpoint after the compaction). The in-memory part is never
    /// compacted, so the log does not shrink below about <see cref="MemoryBudgetBytes"/>.
    /// Zero turns compaction off (the log then grows by every write). See bench/results/featurestore.md.
    /// </summary>
    public long LogCompactionThresholdBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Size of one KV log file (kv/hlog.log.N), a power of two of at least 1 MiB. Compaction frees disk a whole file
    /// at a time. Fixed when the store is created: reopening with another value is refused (recorded in checkpoints.json).
    /// </summary>
    public long LogSegmentBytes { get; init; } = DefaultLogSegmentBytes;

    /// <summary>The default <see cref="LogSegmentBytes"/> (and the size of every store created before it was an option).</summary>
    public const long DefaultLogSegmentBytes = 256L << 20;

    internal int LogSegmentSizeBits => 63 - (int)ulong.LeadingZeroCount((ulong)LogSegmentBytes);

    /// <summary>
    /// Prefetch the hash buckets and records of a batch read before running it (see IndexPrefetcher: it reaches into
    /// FASTER 2.6.5 internals and turns itself off if they are not there). Hints only, never a different answer;
    /// off only to measure what it buys or to rule it out.
    /// </summary>
    public bool PrefetchReads { get; init; } = true;

    /// <summary>Test seam: false skips the directory syncs before a manifest names a checkpoint (the store as it was before them).</summary>
    internal bool SyncCheckpointFolders { get; init; } = true;

    internal int MemorySizeBits => Math.Max(PageSizeBits + 1, 63 - (int)ulong.LeadingZeroCount((ulong)MemoryBudgetBytes));

    /// <summary>1 MiB pages: large enough for any value (a full history is about 4 KiB), small enough for a 64 MiB budget.</summary>
    internal int PageSizeBits => 20;

    internal new void Validate()
    {
        base.Validate();
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ArgumentException("DataDirectory is required", nameof(DataDirectory));
        if (MemoryBudgetBytes < 4L << 20) throw new ArgumentOutOfRangeException(nameof(MemoryBudgetBytes), MemoryBudgetBytes, "must be at least 4 MiB");
        if (IndexBuckets < 64 || (IndexBuckets & (IndexBuckets - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(IndexBuckets), IndexBuckets, "must be a power of two, at least 64");
        if (CommitInterval < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CommitInterval), CommitInterval, "must not be negative");
        if (IndexCheckpointLogBytes < 0) throw new ArgumentOutOfRangeException(nameof(IndexCheckpointLogBytes), IndexCheckpointLogBytes, "must not be negative");
        if (LogCompactionThresholdBytes < 0) throw new ArgumentOutOfRangeException(nameof(LogCompactionThresholdBytes), LogCompactionThresholdBytes, "must not be negative");
        if (LogSegmentBytes < 1L << PageSizeBits || (LogSegmentBytes & (LogSegmentBytes - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(LogSegmentBytes), LogSegmentBytes, "must be a power of two, at least 1 MiB");
        if (CheckpointInterval < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), CheckpointInterval, "must not be negative");
    }
}
