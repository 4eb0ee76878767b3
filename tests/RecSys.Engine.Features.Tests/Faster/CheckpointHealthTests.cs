using System.Collections.Concurrent;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// Checkpoint failures reach <see cref="FasterFeatureStore.Health"/> and the HealthChanged hook, periodic ones too
/// (they have no caller to throw to), and the next successful checkpoint clears them. The failures are real ones:
/// a file where the KV checkpoint folder should be, so no checkpoint file can be created there (as with lost
/// permissions or a lost mount; left to FASTER 2.6.5 that wedges its checkpoint state machine for good, and the
/// store's write probe catches it first, which is what lets a later success happen at all), or a folder where
/// checkpoints.json should be, so the manifest cannot be renamed into place.
/// </summary>
public sealed class CheckpointHealthTests
{
    /// <summary>A profile that differs per user, so a read that comes back proves which write survived.</summary>
    private static UserProfile Profile(long u) => new() { Country = "DE", Segment = (int)u };

    /// <summary>A file where FASTER expects kv/checkpoints/, until disposed (the folder, with the checkpoints the manifest lists, comes back).</summary>
    private sealed class BrokenCheckpointFolder : IDisposable
    {
        private readonly string _folder;
        private readonly string _aside;

        public BrokenCheckpointFolder(string dataDirectory)
        {
            _folder = Path.Combine(dataDirectory, "kv", "checkpoints");
            _aside = _folder + ".aside";
            Directory.Move(_folder, _aside);
            File.WriteAllText(_folder, "not a folder");
        }

        public void Dispose()
        {
            File.Delete(_folder);
            Directory.Move(_aside, _folder);
        }
    }

    /// <summary>
    /// A non-empty folder named checkpoints.json until disposed. Unlike the KV folder this can change while a periodic
    /// checkpoint is running: FASTER's part is done by the time the manifest is written.
    /// </summary>
    private sealed class BlockedManifest : IDisposable
    {
        private readonly string _path;

        public BlockedManifest(string dataDirectory)
        {
            _path = Path.Combine(dataDirectory, CheckpointManifest.FileName);
            while (!File.Exists(Path.Combine(_path, "blocked")))
            {
                // A periodic checkpoint may write the file back between the delete and the folder: go again.
                File.Delete(_path);
                try { Directory.CreateDirectory(_path); File.WriteAllText(Path.Combine(_path, "blocked"), ""); }
                catch (IOException) { }
            }
        }

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }

    [Fact]
    public async Task FailedCheckpoint_ShowsAsDegraded_AndTheNextSuccessClearsIt()
    {
        using var dir = new TempDirectory();
        var reports = new ConcurrentQueue<FeatureStoreHealth>();
        var options = FasterTestOptions.Small(dir.Path) with { HealthChanged = reports.Enqueue };
        await using (var store = await FasterFeatureStore.OpenAsync(options))
        {
            var opened = store.Health;
            Assert.Equal(FeatureStoreHealthStatus.Healthy, opened.Status);
            Assert.NotNull(opened.LastSuccessfulCheckpoint); // a new store checkpoints as it opens
            Assert.Null(opened.LastCheckpointError);
            Assert.Empty(reports); // a success that ends no failures is not news
            await store.UpsertUserProfileAsync(1, Profile(1));

            using (new BrokenCheckpointFolder(dir.Path))
            {
                var first = await Assert.ThrowsAnyAsync<IOException>(() => store.CheckpointAsync());
                var degraded = store.Health;
                Assert.Equal(FeatureStoreHealthStatus.Degraded, degraded.Status);
                Assert.Equal(1, degraded.ConsecutiveCheckpointFailures);
                Assert.Same(first, degraded.LastCheckpointError);
                Assert.NotNull(degraded.LastCheckpointFailure);
                Assert.Equal(opened.LastSuccessfulCheckpoint, degraded.LastSuccessfulCheckpoint);

                await Assert.ThrowsAnyAsync<IOException>(() => store.CheckpointAsync());
                Assert.Equal(2, store.Health.ConsecutiveCheckpointFailures);
                // Degraded, not down: writes are still acknowledged (the write-ahead log holds them) and readable.
                await store.UpsertUserProfileAsync(2, Profile(2));
                Assert.Equal(Profile(2), await store.GetUserProfileAsync(2));
            }

            await store.CheckpointAsync();
            var healed = store.Health;
            Assert.Equal(FeatureStoreHealthStatus.Healthy, healed.Status);
            Assert.Equal(0, healed.ConsecutiveCheckpointFailures);
            Assert.True(healed.LastSuccessfulCheckpoint >= healed.LastCheckpointFailure, "the success came after the failure");
            Assert.NotNull(healed.LastCheckpointError); // kept as history
            Assert.Equal([FeatureStoreHealthStatus.Degraded, FeatureStoreHealthStatus.Degraded, FeatureStoreHealthStatus.Healthy], reports.Select(r => r.Status));
            Assert.Equal([1, 2, 0], reports.Select(r => r.ConsecutiveCheckpointFailures));
        }

        // The failed checkpoints cost nothing: the store reopens from the one that healed it, with both writes.
        await using var reopened = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(dir.Path));
        Assert.Equal(Profile(1), await reopened.GetUserProfileAsync(1));
        Assert.Equal(Profile(2), await reopened.GetUserProfileAsync(2));
    }

    /// <summary>
    /// A metadata file FASTER commits cannot be written (a full disk, an I/O error; injected before the write): the
    /// checkpoint fails after FASTER is done, is not listed, and the store goes on; the next one succeeds, and a crash
    /// image after it holds every write. With the error thrown inside FASTER instead, its state machine would stay
    /// between two phases and this checkpoint would never return (hence the bound on each wait).
    /// </summary>
    [Theory]
    [InlineData(false)] // an incremental checkpoint: the log checkpoint's metadata fails
    [InlineData(true)]  // every checkpoint takes the index: the index checkpoint's metadata fails first
    public async Task FailedMetadataWrite_FailsTheCheckpoint_WithoutListingIt_AndTheNextOneSucceeds(bool withIndex)
    {
        using var images = new CrashImages();
        var bound = TimeSpan.FromMinutes(2);
        var options = FasterTestOptions.Small(images.Path) with { IndexCheckpointLogBytes = withIndex ? 0 : 1L << 30 };
        await using var store = await FasterFeatureStore.OpenAsync(options);
        await store.UpsertUserProfileAsync(1, Profile(1));
        await store.CheckpointAsync().WaitAsync(bound);
        var listed = CheckpointManifest.TryRead(images.Path)!.Checkpoints[0].Token;

        var attempted = new ConcurrentQueue<string>(); // written from whichever thread moves FASTER's checkpoint on
        // With the index, only the index checkpoint's metadata fails: its log checkpoint's metadata is written, and the
        // checkpoint must still fail.
        store.CheckpointManagerForTests.BeforeWrite = path =>
        {
            attempted.Enqueue(path);
            if (!withIndex || path.Contains(CheckpointManifest.IndexRoot, StringComparison.Ordinal))
                throw new IOException("No space left on device (injected)");
        };
        await store.UpsertUserProfileAsync(2, Profile(2));
        var error = await Assert.ThrowsAsync<IOException>(() => store.CheckpointAsync().WaitAsync(bound));
        Assert.Contains("checkpoint metadata", error.Message);
        Assert.Contains("No space left on device (injected)", error.Message);
        Assert.NotEmpty(attempted);
        Assert.Equal(FeatureStoreHealthStatus.Degraded, store.Health.Status);
        Assert.Equal(listed, CheckpointManifest.TryRead(images.Path)!.Checkpoints[0].Token);
        Assert.Contains(attempted, p => p.Contains(CheckpointManifest.LogRoot, StringComparison.Ordinal));
        Assert.Equal(withIndex, attempted.Any(p => p.Contains(CheckpointManifest.IndexRoot, StringComparison.Ordinal)));
        int indexCheckpoints = store.IndexCheckpoints;

        store.CheckpointManagerForTests.BeforeWrite = null;
        await store.UpsertUserProfileAsync(3, Profile(3));
        await store.CheckpointAsync().WaitAsync(bound);
        Assert.Equal(FeatureStoreHealthStatus.Healthy, store.Health.Status);
        var latest = CheckpointManifest.TryRead(images.Path)!.Checkpoints[0];
        Assert.NotEqual(listed, latest.Token);
        // A failed index checkpoint was not counted, and the next one takes the index again (none names the failed one).
        Assert.Equal(withIndex ? indexCheckpoints + 1 : indexCheckpoints, store.IndexCheckpoints);
        Assert.NotEqual(Path.GetFileName(Path.GetDirectoryName(attempted.First())!), latest.IndexCheckpoint.ToString());
        // The failed checkpoint's folder went with the cleanup of the one that succeeded.
        string failedFolder = Path.GetFileName(Path.GetDirectoryName(attempted.First())!);
        foreach (string root in new[] { CheckpointManifest.LogRoot, CheckpointManifest.IndexRoot })
            Assert.False(Directory.Exists(Path.Combine(images.Path, "kv", "checkpoints", root, failedFolder)), $"{root}/{failedFolder} left behind");

        string image = images.Take();
        await using var recovered = await FasterFeatureStore.OpenAsync(options with { DataDirectory = image });
        Assert.Equal(latest.Token, recovered.RecoveredCheckpoint);
        for (long u = 1; u <= 3; u++)
            Assert.Equal(Profile(u), await recovered.GetUserProfileAsync(u));
    }

    [Fact]
    public async Task FailedPeriodicCheckpoint_IsReported_AndClearedByALaterPeriodicSuccess()
    {
        using var dir = new TempDirectory();
        var reports = new ConcurrentQueue<FeatureStoreHealth>();
        var options = FasterTestOptions.Small(dir.Path) with { CheckpointInterval = TimeSpan.FromMilliseconds(20), HealthChanged = reports.Enqueue };
        await using var store = await FasterFeatureStore.OpenAsync(options);
        await store.UpsertUserProfileAsync(1, Profile(1));

        using (new BlockedManifest(dir.Path))
        {
            await WaitFor(() => store.Health.ConsecutiveCheckpointFailures >= 2, "two periodic checkpoints to fail");
            var degraded = store.Health;
            Assert.Equal(FeatureStoreHealthStatus.Degraded, degraded.Status);
            Assert.IsAssignableFrom<IOException>(degraded.LastCheckpointError);
            Assert.Contains(reports, r => r.Status == FeatureStoreHealthStatus.Degraded && r.LastCheckpointError is not null);
        }

        // The report follows the published health: wait for the report, then both agree.
        await WaitFor(() => reports.LastOrDefault() is { Status: FeatureStoreHealthStatus.Healthy }, "a periodic checkpoint to succeed again");
        var healed = store.Health;
        Assert.Equal(FeatureStoreHealthStatus.Healthy, healed.Status);
        Assert.True(healed.LastSuccessfulCheckpoint >= healed.LastCheckpointFailure, "the success came after the failure");
        Assert.True(reports.TryPeek(out var firstReport) && firstReport.Status == FeatureStoreHealthStatus.Degraded);
    }

    [Fact]
    public async Task FailedFinalCheckpoint_StillReleasesTheStore_AndTheNextOpenReplaysTheLog()
    {
        using var dir = new TempDirectory();
        var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(dir.Path));
        await store.UpsertUserProfileAsync(1, Profile(1));
        Assert.NotEmpty(FilesOpenUnder(dir.Path));
        using (new BrokenCheckpointFolder(dir.Path))
            await Assert.ThrowsAnyAsync<IOException>(async () => await store.DisposeAsync());
        Assert.Empty(FilesOpenUnder(dir.Path)); // the logs and the KV were closed all the same

        await using var reopened = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(dir.Path));
        Assert.Equal(1, reopened.ReplayedAtOpen); // the write after the open's checkpoint, from the log
        Assert.Equal(Profile(1), await reopened.GetUserProfileAsync(1));
    }

    /// <summary>Files this process holds open under <paramref name="folder"/> (Linux: the links in /proc/self/fd).</summary>
    private static List<string> FilesOpenUnder(string folder)
    {
        var open = new List<string>();
        foreach (var fd in new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos())
        {
            string? target = null;
            try { target = fd.LinkTarget; } catch (IOException) { } // a descriptor closed while listing
            if (target is not null && target.StartsWith(folder + "/", StringComparison.Ordinal)) open.Add(target);
        }
        return open;
    }

    /// <summary>Polls a condition the timer will make true; the deadline only stops a broken build from hanging.</summary>
    private static async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"still waiting for {what} after 60 s");
            await Task.Delay(10);
        }
    }
}
