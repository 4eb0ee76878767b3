using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// A power loss right after a checkpoint: FASTER writes a checkpoint's files with their data synced (write-through)
/// but never syncs a directory, so unless the store does, the folders the new manifest names may not be on the disk
/// after a reboot. The <see cref="PowerLossSimulator"/> models exactly that (FASTER's files written through, names
/// durable only once their directory is synced); the store's seam <c>SyncCheckpointFolders = false</c> is the store
/// without its syncs (the manifest's own rename still durable, as DurableFile makes it).
/// </summary>
public sealed class CheckpointPowerLossTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _image = new();

    public void Dispose()
    {
        _dir.Dispose();
        _image.Dispose();
    }

    private static UserProfile Profile(long u) => new() { AgeBucket = (byte)(u % 9), Country = "SE", Segment = (int)(u % 4) };

    private static async Task WriteUsers(FasterFeatureStore store, long from, long to)
    {
        for (long u = from; u < to; u++)
        {
            await store.UpsertUserProfileAsync(u, Profile(u));
            await store.AppendEventAsync(new UserEvent(u, 5000 + u, EventType.Click, 1, 1_700_000_000_000 + u));
        }
    }

    /// <summary>Copies the data directory as the reboot finds it (the store that wrote it stays open meanwhile, as power loss leaves it).</summary>
    private void CopyTo(string target)
    {
        foreach (string f in Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(target, Path.GetRelativePath(_dir.Path, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the store's folder syncs skipped: the store as it was before them
    public async Task After_a_power_loss_the_new_checkpoint_is_there_with_every_write_or_the_open_is_refused(bool syncFolders)
    {
        Guid latest;
        await using (var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path) with { SyncCheckpointFolders = syncFolders }))
        {
            await WriteUsers(store, 0, 50);
            using var power = new PowerLossSimulator(_dir.Path, writeThroughFiles: true);
            await WriteUsers(store, 50, 100);
            await store.CheckpointAsync();
            latest = CheckpointManifest.TryRead(_dir.Path)!.Checkpoints[0].Token;
            power.Crash();
            CopyTo(_image.Path);
        }

        if (!syncFolders)
        {
            // The manifest names a checkpoint whose folder never reached the disk: a clear refusal, never a silent loss.
            var e = await Assert.ThrowsAsync<FeatureStoreCorruptedException>(() => FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_image.Path)));
            Assert.Contains(latest.ToString(), e.Message);
            return;
        }
        await using var reopened = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_image.Path));
        Assert.Equal(latest, reopened.RecoveredCheckpoint);
        var ids = Enumerable.Range(0, 100).Select(i => (long)i).ToArray();
        var profiles = new UserProfile?[100];
        await reopened.GetUserProfilesAsync(ids, profiles);
        for (int u = 0; u < 100; u++)
        {
            Assert.Equal(Profile(u), profiles[u]);
            Assert.Equal(5000 + u, Assert.Single(await reopened.GetRecentHistoryAsync(u, 10)).ItemId);
        }
    }
}
