using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using Xunit.Abstractions;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// KV log compaction: the log on disk stops growing under a steady overwrite workload, every value stays the last one
/// written, and compaction never deletes a log file that a checkpoint in checkpoints.json (the crash-recovery one or
/// the fallback one) still needs. Crash images are copies of the data directory taken while the store is open and no
/// write is in flight, which is what a kill -9 at that moment leaves behind (the SIGKILL version with compaction is
/// in CrashRecoveryTests).
/// </summary>
public sealed class CompactionTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>
    /// About 4 MB of records against a 4 MiB memory budget: most of a round's writes find the previous version in
    /// the read-only part of the log (or on disk) and append. (A working set inside the mutable part is updated in
    /// place and does not grow the log at all.)
    /// </summary>
    private const int Items = 40_000;
    private readonly CrashImages _dir = new();

    public void Dispose() => _dir.Dispose();

    private static FasterFeatureStoreOptions Options(string dir, long threshold) => FasterTestOptions.Small(dir) with
    {
        MemoryBudgetBytes = 4L << 20,
        LogSegmentBytes = 1L << 20,
        LogCompactionThresholdBytes = threshold,
    };

    private static ItemMetadata Version(long id, int round) => new()
    {
        Categories = [(int)(id % 13), round], Tags = ["tag" + (id % 40), "round-" + round], PublishedAtMs = 1_700_000_000_000 + round,
        PolicyFlags = (ItemPolicyFlags)(round % 8),
    };

    private static Task Overwrite(IFeatureStore store, int round, bool evenOnly = false) =>
        store.BulkUpsertItemsAsync(Enumerable.Range(0, Items).Where(i => !evenOnly || i % 2 == 0).Select(i => KeyValuePair.Create((long)i, Version(i, round)))).AsTask();

    /// <summary>Every item holds its round-<paramref name="round"/> value; the odd ones <paramref name="oddRound"/>'s when given.</summary>
    private static async Task AssertRound(IFeatureStore store, int round, string when, int? oddRound = null)
    {
        var ids = Enumerable.Range(0, Items).Select(i => (long)i).ToArray();
        var got = new ItemMetadata?[Items];
        await store.GetItemsAsync(ids, got);
        for (int i = 0; i < Items; i++)
        {
            int expected = i % 2 == 1 && oddRound is { } odd ? odd : round;
            Assert.True(Version(i, expected).Equals(got[i]), $"{when}: item {i} is not its round-{expected} value");
        }
    }

    private static bool SegmentExists(string dir, int segment) => File.Exists(Path.Combine(dir, "kv", $"hlog.log.{segment}"));

    [Fact]
    public async Task SteadyOverwrites_LogOnDiskStopsGrowing_AndEveryValueIsTheLast()
    {
        const int Rounds = 36;
        var onDisk = new long[Rounds];
        long written;
        await using (var store = await FasterFeatureStore.OpenAsync(Options(_dir.Path, threshold: 8L << 20)))
        {
            for (int round = 0; round < Rounds; round++)
            {
                await Overwrite(store, round);
                await store.CheckpointAsync(); // compacts when due; frees files at the checkpoint after
                onDisk[round] = store.LogBytesOnDisk;
                if (round % 12 == 11) await AssertRound(store, round, $"round {round}");
            }
            written = store.LogTailAddress;
            output.WriteLine($"{Rounds} rounds: {written / 1e6:F1} MB written to the KV log, {store.Compactions} compactions, " +
                             $"log files on disk by round: {string.Join(" ", onDisk.Select(b => (b / 1e6).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} MB");
            Assert.True(store.Compactions >= 3, $"only {store.Compactions} compactions");
        }

        // Stops growing: the last third never exceeds the middle third by more than one log file, and the files hold
        // a fraction of what was written (without compaction they hold all of it but the in-memory part).
        long middleMax = onDisk[(Rounds / 3)..(2 * Rounds / 3)].Max();
        long lastMax = onDisk[(2 * Rounds / 3)..].Max();
        Assert.True(lastMax <= middleMax + (1L << 20), $"log files grew from {middleMax} to {lastMax} bytes over the last third");
        Assert.True(written > 3 * onDisk[^1], $"{onDisk[^1]} bytes of log files for {written} bytes written: not compacted");

        await using var reopened = await FasterFeatureStore.OpenAsync(Options(_dir.Path, threshold: 8L << 20));
        await AssertRound(reopened, Rounds - 1, "after reopen");
    }

    [Fact]
    public async Task CompactionKeepsFilesOfListedCheckpoints_CrashAndFallbackRecoverEverything()
    {
        await using var store = await FasterFeatureStore.OpenAsync(Options(_dir.Path, threshold: 0));
        // ~24 MB of versions of 40,000 items, then checkpoint C0 (log begins at its start).
        for (int round = 0; round < 6; round++) await Overwrite(store, round);
        await store.CheckpointAsync();
        Assert.True(SegmentExists(_dir.Path, 0), "the first log file should exist before compaction");

        // C1: compacted. FASTER asks to delete the files below the new begin address during this checkpoint;
        // they must stay, because C0 (the fallback, and the crash-recovery point until C1 is in the manifest) needs them.
        await store.CompactAsync();
        long begin = store.LogBeginAddress;
        Assert.True(begin > 4L << 20, $"compaction moved the begin address only to {begin}");
        Assert.True(SegmentExists(_dir.Path, 0), "a log file that checkpoint C0 needs was deleted after compaction");
        // Acknowledged after C1, the even items only: lives in the write-ahead log only; the odd items' round-5 values
        // must come from the checkpoint that recovers.
        await Overwrite(store, 6, evenOnly: true);

        // Crash now: the latest checkpoint (compacted) plus replay recovers everything...
        string image = _dir.Take();
        await using (var recovered = await FasterFeatureStore.OpenAsync(Options(image, threshold: 0)))
        {
            Assert.Equal(begin, recovered.LogBeginAddress);
            await AssertRound(recovered, 6, "crash after compaction", oddRound: 5);
        }
        // ...and so does the documented fallback when the compacted checkpoint is damaged: C0 and its log files.
        image = _dir.Take();
        var manifest = CheckpointManifest.TryRead(image)!;
        Assert.Equal(begin, manifest.Checkpoints[0].KvBeginAddress);
        // Its hybrid-log checkpoint (damage to its index alone would rebuild the index from the log instead).
        string victim = Path.Combine(image, "kv", "checkpoints",
            manifest.Checkpoints[0].Files.Where(f => !CheckpointManifest.IsIndexFile(f.Path)).MaxBy(f => f.Length)!.Path);
        var bytes = File.ReadAllBytes(victim);
        for (int i = 0; i < bytes.Length; i += 97) bytes[i] ^= 0x5A;
        File.WriteAllBytes(victim, bytes);
        await using (var fallback = await FasterFeatureStore.OpenAsync(Options(image, threshold: 0) with { RecoverFromPreviousCheckpoint = true }))
        {
            Assert.Equal(manifest.Checkpoints[1].Token, fallback.RecoveredCheckpoint);
            Assert.True(fallback.LogBeginAddress < begin, "the fallback checkpoint predates compaction");
            await AssertRound(fallback, 6, "fallback to the checkpoint before compaction", oddRound: 5);
        }

        // The next checkpoint drops C0 from the manifest: now the files below the begin address go.
        long before = store.LogBytesOnDisk;
        await store.CheckpointAsync();
        Assert.False(SegmentExists(_dir.Path, 0), "log files below the begin address outlived the last checkpoint that needed them");
        Assert.True(store.LogBytesOnDisk < before, $"log files {before} -> {store.LogBytesOnDisk} bytes");
        await AssertRound(store, 6, "after the files were deleted", oddRound: 5);

        image = _dir.Take();
        await using (var recovered = await FasterFeatureStore.OpenAsync(Options(image, threshold: 0)))
            await AssertRound(recovered, 6, "crash after the files were deleted", oddRound: 5);
    }

    [Fact]
    public async Task Restarts_KeepTheCompactionSchedule_NeitherCompactingAtOnceNorNeverAgain()
    {
        // Below what a compaction leaves (about the 4 MiB memory budget), so every restart opens past it.
        const long Threshold = 2L << 20;
        long baseline;
        // A store that compacted once: the manifest records the log's size after it.
        await using (var store = await FasterFeatureStore.OpenAsync(Options(_dir.Path, Threshold)))
        {
            for (int round = 0; round < 3; round++) await Overwrite(store, round);
            await store.CheckpointAsync();
            Assert.Equal(1, store.Compactions);
            baseline = CheckpointManifest.TryRead(_dir.Path)!.LogSizeAfterCompaction;
            Assert.True(baseline > 0 && baseline < store.LogTailAddress, $"recorded baseline {baseline}");
        }

        // Restarts, each writing less than the baseline: none compacts at its first checkpoint (a baseline of 0 did,
        // every time), and the growth adds up across restarts until one compacts (a baseline of the size at open,
        // raised at each restart, never would).
        int restarts = 0, compactedAt = -1;
        while (compactedAt < 0 && restarts < 12)
        {
            await using var store = await FasterFeatureStore.OpenAsync(Options(_dir.Path, Threshold));
            restarts++;
            long atOpen = store.LogTailAddress - store.LogBeginAddress;
            Assert.True(atOpen > Threshold, $"restart {restarts}: the log holds only {atOpen} bytes, below the threshold");
            await store.UpsertItemAsync(1, Version(1, 3 + restarts));
            await store.CheckpointAsync();
            if (atOpen < 2 * baseline) Assert.True(store.Compactions == 0, $"restart {restarts} compacted at its first checkpoint");
            await store.BulkUpsertItemsAsync(Enumerable.Range(0, Items / 4).Select(i => KeyValuePair.Create((long)i, Version(i, 100 + restarts))));
            await store.CheckpointAsync();
            if (store.Compactions > 0) compactedAt = restarts;
        }
        Assert.True(compactedAt >= 1, $"no compaction in {restarts} restarts");
    }

    [Fact]
    public async Task ReopenWithAnotherSegmentSize_IsRefused()
    {
        await using (var store = await FasterFeatureStore.OpenAsync(Options(_dir.Path, threshold: 0)))
            await store.UpsertItemAsync(1, Version(1, 1));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)));
        Assert.Contains(nameof(FasterFeatureStoreOptions.LogSegmentBytes), e.Message);
        await using var again = await FasterFeatureStore.OpenAsync(Options(_dir.Path, threshold: 0));
        Assert.Equal(Version(1, 1), await again.GetItemAsync(1));
    }
}
