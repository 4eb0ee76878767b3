using RecSys.Engine.Features.Faster;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// checkpoints.json across a simulated power loss: the manifest written last is the one a restart reads. With the
/// file fsync dropped it comes back empty (reported as corruption), with the directory fsync dropped the previous
/// manifest comes back: the two ways a missing fsync loses a checkpoint that was reported done.
/// </summary>
public sealed class CheckpointManifestTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CheckpointManifest Manifest(long replayFrom) => new()
    {
        Checkpoints = [new CheckpointEntry(new Guid(1, 2, 3, [4, 5, 6, 7, 8, 9, 10, 11]), replayFrom, [new CheckpointFile("cpr-checkpoints/x/info.dat", 10, "AB")], 64)],
        KvSegmentBytes = 1 << 20,
    };

    private long ReplayFromAfterPowerLoss(bool syncFiles, bool syncDirectories)
    {
        Manifest(replayFrom: 1).WriteAtomically(_dir.Path);
        using (var power = new PowerLossSimulator(_dir.Path, syncFiles, syncDirectories))
        {
            Manifest(replayFrom: 2).WriteAtomically(_dir.Path);
            power.Crash();
        }
        var entry = Assert.Single(CheckpointManifest.TryRead(_dir.Path)!.Checkpoints);
        Assert.Equal("cpr-checkpoints/x/info.dat", Assert.Single(entry.Files).Path);
        return entry.ReplayFrom;
    }

    [Fact]
    public void The_manifest_written_last_survives_a_power_loss() =>
        Assert.Equal(2, ReplayFromAfterPowerLoss(syncFiles: true, syncDirectories: true));

    [Fact]
    public void Without_the_directory_fsync_the_previous_manifest_comes_back() =>
        Assert.Equal(1, ReplayFromAfterPowerLoss(syncFiles: true, syncDirectories: false));

    [Fact]
    public void Without_the_file_fsync_the_manifest_comes_back_empty_and_is_reported()
    {
        var e = Assert.Throws<FeatureStoreCorruptedException>(() => ReplayFromAfterPowerLoss(syncFiles: false, syncDirectories: true));
        Assert.Contains(CheckpointManifest.FileName, e.Message);
    }
}
