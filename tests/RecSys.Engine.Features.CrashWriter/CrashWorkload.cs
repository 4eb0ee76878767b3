using RecSys.Engine.Features;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.CrashWriter;

/// <summary>The deterministic write sequence shared by the crash child and the test that checks it.</summary>
public static class CrashWorkload
{
    public const int EventUsers = 50;

    /// <summary>Items the compaction mode overwrites at start-up (ids far from the workload's), so the log has garbage to compact.</summary>
    public const int ChurnItems = 40_000;

    public const long ChurnItemBase = 5_000_000_000;

    /// <summary>
    /// The child's store settings (the test reopens with the same ones). <paramref name="compaction"/>: a 4 MiB memory
    /// budget, 1 MiB log files and a 64 KiB compaction threshold, so that every 200 ms checkpoint may compact and
    /// delete log files while the kills land. An index checkpoint every 1 MiB of log, so most checkpoints are incremental.
    /// </summary>
    public static FasterFeatureStoreOptions Options(string dir, bool compaction, TimeSpan checkpointInterval) => new()
    {
        DataDirectory = dir,
        MemoryBudgetBytes = compaction ? 4L << 20 : 16L << 20,
        IndexBuckets = 1 << 12,
        CheckpointInterval = checkpointInterval,
        // A short history, so that most users' events overflow it: the check then reads history and older seen items.
        HistoryCapacity = 20,
        SeenCapacity = 100_000,
        LogSegmentBytes = compaction ? 1L << 20 : FasterFeatureStoreOptions.DefaultLogSegmentBytes,
        LogCompactionThresholdBytes = compaction ? 64L << 10 : 0,
        // Small, so that the kills land after checkpoints with and without an index checkpoint.
        IndexCheckpointLogBytes = 1L << 20,
    };

    /// <summary>Overwrites every churn item once with a value of this round (about 5 MB of log against a 4 MiB budget, all garbage by the next round).</summary>
    public static ValueTask<long> ChurnAsync(IFeatureStore store, long round) =>
        store.BulkUpsertItemsAsync(Enumerable.Range(0, ChurnItems).Select(i => KeyValuePair.Create(ChurnItemBase + i, ChurnItem(i, round))));

    public static ItemMetadata ChurnItem(long i, long round) => new()
    {
        Categories = [(int)(i % 17), (int)(round % 1000)], Tags = ["churn" + (i % 100), "round" + round], PublishedAtMs = round,
    };

    public static UserProfile Profile(long n) => new()
    {
        AgeBucket = (byte)(n % 7), Gender = (byte)(n % 3), Country = "C" + (n % 100), Segment = (int)(n % 5),
        CreatedAtMs = 1_700_000_000_000 + n, OnboardingCategories = [(int)(n % 11), (int)(n % 13)],
    };

    public static ItemMetadata Item(long n) => new()
    {
        Categories = [(int)(n % 17)], Tags = ["t" + n], PublishedAtMs = 1_700_000_000_000 + n,
        PolicyFlags = (ItemPolicyFlags)(n % 4),
    };

    public static UserEvent Event(long n) => new(1_000_000_000 + n % EventUsers, n, EventType.Click, 1f, 1_700_000_000_000 + n, (int)(n % 5));

    public static ValueTask WriteAsync(IFeatureStore store, long n) => (n % 3) switch
    {
        0 => store.UpsertUserProfileAsync(n, Profile(n)),
        1 => store.AppendEventAsync(Event(n)),
        _ => store.UpsertItemAsync(n, Item(n)),
    };
}
