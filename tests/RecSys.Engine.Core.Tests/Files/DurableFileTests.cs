using System.Text;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Files;

public sealed class DurableFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Commit_replaces_the_file_and_leaves_no_temporary()
    {
        string path = _dir.File("a.bin");
        File.WriteAllBytes(path, [9, 9, 9, 9, 9]);
        using (var file = DurableFile.Create(path))
        {
            Assert.Equal(path + ".tmp", file.TempPath);
            file.Stream.Write([1, 2, 3]);
            Assert.Equal([9, 9, 9, 9, 9], File.ReadAllBytes(path)); // nothing visible before Commit
            file.Commit();
            Assert.Throws<ObjectDisposedException>(() => file.Stream);
        }
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Without_commit_the_old_file_stays_and_the_temporary_goes()
    {
        string path = _dir.File("a.bin");
        File.WriteAllBytes(path, [7]);
        void WriteHalfAndFail()
        {
            using var file = DurableFile.Create(path);
            file.Stream.Write([1, 2, 3]);
            throw new InvalidOperationException("the writer failed half way");
        }
        Assert.Throws<InvalidOperationException>(WriteHalfAndFail);
        Assert.Equal([7], File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void WriteAllLines_writes_what_File_WriteAllLines_writes()
    {
        string[] lines = ["u1", "", "ünïcode", "a|b|c"];
        File.WriteAllLines(_dir.File("expected.txt"), lines);
        DurableFile.WriteAllLines(_dir.File("actual.txt"), lines);
        Assert.Equal(File.ReadAllBytes(_dir.File("expected.txt")), File.ReadAllBytes(_dir.File("actual.txt")));
        DurableFile.WriteAllBytes(_dir.File("bytes.bin"), Encoding.UTF8.GetBytes("x"));
        Assert.Equal("x", File.ReadAllText(_dir.File("bytes.bin")));
    }

    [Fact]
    public void CreateDirectory_makes_every_new_level_survive_a_power_loss()
    {
        string deep = Path.Combine(_dir.Path, "a", "b", "c");
        using (var power = new PowerLossSimulator(_dir.Path))
        {
            DurableFile.CreateDirectory(deep + Path.DirectorySeparatorChar);
            DurableFile.WriteAllBytes(Path.Combine(deep, "f"), [1, 2]);
            power.Crash();
        }
        Assert.Equal([1, 2], File.ReadAllBytes(Path.Combine(deep, "f")));

        string other = Path.Combine(_dir.Path, "x", "y");
        using (var power = new PowerLossSimulator(_dir.Path, syncDirectories: false))
        {
            DurableFile.CreateDirectory(other);
            DurableFile.WriteAllBytes(Path.Combine(other, "f"), [1, 2]);
            power.Crash();
        }
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "x")));
    }

    [Fact]
    public void A_file_written_outside_the_helper_is_lost_in_the_simulated_power_loss()
    {
        // The simulator's own premise: data nobody fsynced is gone, so a format that bypasses DurableFile fails its test.
        File.WriteAllBytes(_dir.File("old"), [1]);
        using (var power = new PowerLossSimulator(_dir.Path))
        {
            File.WriteAllBytes(_dir.File("plain"), [2]);
            File.WriteAllBytes(_dir.File("old"), [3]);
            DurableFile.WriteAllBytes(_dir.File("durable"), [4]);
            Assert.Equal(1, power.FileSyncs);
            Assert.Equal(1, power.DirectorySyncs);
            power.Crash();
        }
        // "plain" was created before the directory fsync, so its name survived but its data never reached the disk.
        Assert.Empty(File.ReadAllBytes(_dir.File("plain")));
        Assert.Equal([1], File.ReadAllBytes(_dir.File("old")));
        Assert.Equal([4], File.ReadAllBytes(_dir.File("durable")));
    }

    [Fact]
    public void The_directory_fsync_reaches_the_operating_system()
    {
        if (!OperatingSystem.IsLinux())
            return; // elsewhere it is a documented no-op
        OperatingSystemFileSystem.Instance.SyncDirectory(_dir.Path);
        string missing = _dir.File("missing");
        var e = Assert.Throws<IOException>(() => OperatingSystemFileSystem.Instance.SyncDirectory(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("No such file", e.Message);
    }
}
