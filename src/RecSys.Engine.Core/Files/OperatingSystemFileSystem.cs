using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Files;

/// <summary>
/// The real file system. Files are fsynced through FileStream.Flush(true); directories through the libc calls
/// below, because .NET has no API for it (a SafeFileHandle refuses to open a directory) and Core may not depend on
/// the native-interop project. LibraryImport is part of the runtime, not a package.
/// </summary>
internal sealed partial class OperatingSystemFileSystem : IDurableFileSystem
{
    public static readonly OperatingSystemFileSystem Instance = new();

    private const int EINVAL = 22;

    private OperatingSystemFileSystem()
    {
    }

    public FileStream Create(string path, int bufferSize) =>
        new(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize);

    public void FlushToDisk(FileStream stream) => stream.Flush(flushToDisk: true);

    public void Move(string source, string destination) => File.Move(source, destination, overwrite: true);

    public void Delete(string path) => File.Delete(path);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    /// <summary>
    /// Linux (ext4, xfs): a rename or a new file is only in the directory's in-memory copy until the directory itself
    /// is fsynced; after a power loss the old entry (or none) can come back even though the file's data was synced.
    /// Elsewhere a no-op: Windows cannot open a directory for flushing and journals NTFS metadata itself, and macOS
    /// needs F_FULLFSYNC rather than fsync for real durability, which no other code here does either.
    /// </summary>
    public void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        // opendir / dirfd rather than open(2): open is variadic in C, and calling a variadic function through a
        // fixed signature is not portable across ABIs.
        nint dir = OpenDirectory(directory);
        if (dir == 0)
            throw new IOException($"{directory}: cannot open the directory to fsync it ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
        try
        {
            if (FileSync(DirectoryDescriptor(dir)) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                // EINVAL: this file system cannot sync a directory (some network and FUSE ones); nothing more to do.
                if (errno != EINVAL)
                    throw new IOException($"{directory}: fsync of the directory failed ({Marshal.GetPInvokeErrorMessage(errno)})");
            }
        }
        finally
        {
            CloseDirectory(dir);
        }
    }

    [LibraryImport("libc", EntryPoint = "opendir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint OpenDirectory(string name);

    [LibraryImport("libc", EntryPoint = "dirfd")]
    private static partial int DirectoryDescriptor(nint dir);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int fd);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDirectory(nint dir);
}
