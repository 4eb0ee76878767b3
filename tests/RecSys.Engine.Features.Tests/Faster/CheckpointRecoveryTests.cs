using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>Clean reopen, and damaged checkpoints: a clear error by default, the documented fallback when asked, never silent loss.</summary>
public sealed class CheckpointRecoveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static UserProfile Profile(long u) => new() { AgeBucket = (byte)(u % 9), Country = "FR", Segment = (int)(u % 4), OnboardingCategories = [(int)u] };

    /// <summary>Open (checkpoint A, empty) -> 300 writes -> dispose (checkpoint B). Returns the manifest's latest entry.</summary>
    private async Task<CheckpointEntry> CreateWithTwoCheckpoints()
    {
        await using (var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)))
        {
            for (long u = 0; u < 100; u++)
            {
                await store.UpsertUserProfileAsync(u, Profile(u));
                await store.AppendEventAsync(new UserEvent(u, 1000 + u, EventType.Click, 1, 1_700_000_000_000 + u));
                await store.UpsertItemAsync(1000 + u, new ItemMetadata { Tags = ["x"] });
            }
        }
        var manifest = CheckpointManifest.TryRead(_dir.Path)!;
        Assert.Equal(2, manifest.Checkpoints.Count);
        return manifest.Checkpoints[0];
    }

    private async Task AssertAllData(FasterFeatureStore store)
    {
        var ids = Enumerable.Range(0, 100).Select(i => (long)i).ToArray();
        var profiles = new UserProfile?[100];
        await store.GetUserProfilesAsync(ids, profiles);
        for (int u = 0; u < 100; u++) Assert.Equal(Profile(u), profiles[u]);
        for (int u = 0; u < 100; u++)
            Assert.Equal(1000 + u, Assert.Single(await store.GetRecentHistoryAsync(u, 10)).ItemId);
        var counters = new double[100];
        await store.GetItemCountersAsync(ids.Select(i => i + 1000).ToArray(), -1, 1_700_000_000_000, counters);
        Assert.All(counters, c => Assert.Equal(1.0, c, 1e-9));
    }

    private string LargestFile(CheckpointEntry entry) =>
        Path.Combine(_dir.Path, "kv", "checkpoints", entry.Files.MaxBy(f => f.Length)!.Path);

    /// <summary>The largest file of the entry's hybrid-log checkpoint (its own, never shared with another entry).</summary>
    private string LogFile(CheckpointEntry entry) =>
        Path.Combine(_dir.Path, "kv", "checkpoints", entry.Files.Where(f => !CheckpointManifest.IsIndexFile(f.Path)).MaxBy(f => f.Length)!.Path);

    /// <summary>The largest file of the index checkpoint the entry recovers with (the hash table).</summary>
    private string IndexFile(CheckpointEntry entry) =>
        Path.Combine(_dir.Path, "kv", "checkpoints", entry.Files.Where(f => CheckpointManifest.IsIndexFile(f.Path)).MaxBy(f => f.Length)!.Path);

    private static void Damage(string file)
    {
        var bytes = File.ReadAllBytes(file);
        for (int i = 0; i < bytes.Length; i += 97) bytes[i] ^= 0x5A;
        File.WriteAllBytes(file, bytes);
    }

    [Fact]
    public async Task CleanReopen_RecoversFromCheckpoint_WithoutReplay()
    {
        var latest = await CreateWithTwoCheckpoints();
        await using var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path));
        Assert.Equal(latest.Token, store.RecoveredCheckpoint);
        Assert.Equal(0, store.ReplayedAtOpen);
        await AssertAllData(store);
    }

    [Fact]
    public async Task DamagedCheckpoint_ClearError_ThenFallbackToPreviousLosesNothing()
    {
        var latest = await CreateWithTwoCheckpoints();
        string victim = LogFile(latest);
        Damage(victim);

        var e = await Assert.ThrowsAsync<FeatureStoreCorruptedException>(() => FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)));
        Assert.Contains(victim, e.Message);
        Assert.Contains("SHA-256", e.Message);
        Assert.Contains(nameof(FasterFeatureStoreOptions.RecoverFromPreviousCheckpoint), e.Message);

        // The documented recovery path: the previous checkpoint plus the write-ahead log kept since it.
        await using (var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path) with { RecoverFromPreviousCheckpoint = true }))
        {
            Assert.NotEqual(latest.Token, store.RecoveredCheckpoint);
            Assert.Equal(300, store.ReplayedAtOpen);
            await AssertAllData(store);
        }
        // The fallback wrote a fresh checkpoint: a normal open works again.
        await using (var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)))
            await AssertAllData(store);
    }

    [Fact]
    public async Task DamagedIndexCheckpoint_SharedByBothEntries_FallbackRebuildsTheIndexFromTheLog()
    {
        var latest = await CreateWithTwoCheckpoints();
        var manifest = CheckpointManifest.TryRead(_dir.Path)!;
        // The second checkpoint was incremental: it recovers with the first one's index checkpoint.
        Assert.Equal(manifest.Checkpoints[1].Token, latest.IndexCheckpoint);
        string victim = IndexFile(latest);
        Damage(victim);

        var e = await Assert.ThrowsAsync<FeatureStoreCorruptedException>(() => FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)));
        Assert.Contains(victim, e.Message);
        Assert.Contains(nameof(FasterFeatureStoreOptions.RecoverFromPreviousCheckpoint), e.Message);

        // Both entries name the damaged index; the latest log checkpoint is intact, so FASTER rebuilds the index from the log.
        await using (var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path) with { RecoverFromPreviousCheckpoint = true }))
        {
            Assert.Equal(latest.Token, store.RecoveredCheckpoint);
            Assert.False(store.RecoveredWithIndex);
            Assert.Equal(0, store.ReplayedAtOpen);
            await AssertAllData(store);
        }
        // That open took a new index checkpoint: a normal open works again, with an index.
        await using (var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)))
        {
            Assert.True(store.RecoveredWithIndex);
            await AssertAllData(store);
        }
    }

    [Fact]
    public async Task TruncatedCheckpoint_ClearError_NamesTheFile()
    {
        var latest = await CreateWithTwoCheckpoints();
        string victim = LargestFile(latest);
        using (var fs = new FileStream(victim, FileMode.Open)) fs.SetLength(fs.Length / 2);

        var e = await Assert.ThrowsAsync<FeatureStoreCorruptedException>(() => FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)));
        Assert.Contains(victim, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("README", e.Message);
    }

    [Fact]
    public async Task MissingCheckpointFile_ClearError()
    {
        var latest = await CreateWithTwoCheckpoints();
        File.Delete(LargestFile(latest));
        var e = await Assert.ThrowsAsync<FeatureStoreCorruptedException>(() => FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public async Task BothCheckpointsDamaged_FallbackRefuses_InsteadOfStartingEmpty()
    {
        await CreateWithTwoCheckpoints();
        var manifest = CheckpointManifest.TryRead(_dir.Path)!;
        foreach (var c in manifest.Checkpoints)
            using (var fs = new FileStream(LogFile(c), FileMode.Open)) fs.SetLength(1);
        var e = await Assert.ThrowsAsync<FeatureStoreCorruptedException>(() =>
            FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path) with { RecoverFromPreviousCheckpoint = true }));
        Assert.Contains("previous one", e.Message);
        Assert.Contains("backup", e.Message);
    }

    [Fact]
    public async Task DamagedWriteAheadLog_DuringReplay_ClearError_NotAShorterState()
    {
        var latest = await CreateWithTwoCheckpoints();
        // Force replay of the 300 logged writes (fallback to the first checkpoint), with log bytes damaged in the middle.
        string victim = LogFile(latest);
        using (var fs = new FileStream(victim, FileMode.Open)) fs.SetLength(1);
        string wal = Directory.GetFiles(Path.Combine(_dir.Path, "wal"), "wal.log*").Single();
        var bytes = File.ReadAllBytes(wal);
        long used = bytes.Length - bytes.Reverse().TakeWhile(b => b == 0).Count();
        for (long i = used / 2; i < used / 2 + 64; i++) bytes[i] ^= 0xFF;
        File.WriteAllBytes(wal, bytes);

        var e = await Assert.ThrowsAsync<FeatureStoreCorruptedException>(() =>
            FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path) with { RecoverFromPreviousCheckpoint = true }));
        Assert.Contains("write-ahead log", e.Message);
    }

    [Fact]
    public async Task DamagedManifest_ClearError()
    {
        await CreateWithTwoCheckpoints();
        string path = Path.Combine(_dir.Path, "checkpoints.json");
        File.WriteAllText(path, File.ReadAllText(path)[..40]);
        var e = await Assert.ThrowsAsync<FeatureStoreCorruptedException>(() => FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)));
        Assert.Contains("checkpoints.json", e.Message);
    }

    [Fact]
    public async Task DeletedManifest_LogNeverTruncated_RebuildsEverythingFromTheLog()
    {
        // Also the state after a crash between the very first checkpoint and its manifest.
        await CreateWithTwoCheckpoints();
        File.Delete(Path.Combine(_dir.Path, "checkpoints.json"));
        await using var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path));
        Assert.Equal(300, store.ReplayedAtOpen);
        await AssertAllData(store);
    }

    [Fact]
    public async Task DeletedManifest_LogTruncated_RefusesToStartFromTheLogAlone()
    {
        await using (var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)))
        {
            await store.UpsertUserProfileAsync(1, Profile(1));
            await store.CheckpointAsync();
            await store.UpsertUserProfileAsync(2, Profile(2));
        } // the dispose checkpoint truncates the log up to the previous checkpoint, past user 1
        File.Delete(Path.Combine(_dir.Path, "checkpoints.json"));
        var e = await Assert.ThrowsAsync<FeatureStoreCorruptedException>(() => FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path)));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("checkpoints.json", e.Message);
    }
}
