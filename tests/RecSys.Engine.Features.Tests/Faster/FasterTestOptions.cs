using RecSys.Engine.Features.Faster;

namespace RecSys.Engine.Features.Tests;

/// <summary>Small FASTER settings for tests: little memory, no timer checkpoints unless asked.</summary>
internal static class FasterTestOptions
{
    public static FasterFeatureStoreOptions Small(string dir, FeatureStoreSettings? settings = null) => new()
    {
        DataDirectory = dir,
        MemoryBudgetBytes = 8L << 20,
        IndexBuckets = 1 << 12,
        CheckpointInterval = TimeSpan.Zero,
        CommitInterval = TimeSpan.FromMilliseconds(1),
        HistoryCapacity = settings?.HistoryCapacity ?? 200,
        ImpressionCapacity = settings?.ImpressionCapacity ?? 200,
        SeenCapacity = settings?.SeenCapacity ?? 1_000,
        CounterHalfLife = settings?.CounterHalfLife ?? TimeSpan.FromHours(24),
        BulkChunkSize = settings?.BulkChunkSize ?? 10_000,
    };
}
