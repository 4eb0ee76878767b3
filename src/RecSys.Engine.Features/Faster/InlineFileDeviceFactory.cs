using FASTER.core;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// FASTER's local-file device factory for a commit manager, except that its devices run each I/O on the calling thread
/// (<see cref="IoThreadFileDevice"/> with no threads).
///
/// Why: <c>DeviceLogCommitCheckpointManager</c> writes every commit's file through a new device and then waits on a
/// semaphore for the write's callback. With FASTER's managed device that write is a thread-pool task, and the thread
/// that waits is FASTER's serial commit worker, itself a pool task (FasterLog runs it with <c>Task.Run</c>): one pool
/// thread blocked until the pool finds another, the pattern of the checkpoint metadata's stall
/// (bench/results/checkpoint-metadata-2026-12-07). The commit is acknowledged before its file is written (fast-commit
/// mode), but the next commit's worker waits for this one. Written inline, the file is on disk (O_SYNC) when the device
/// returns and the semaphore is already released; the worker still needs one pool thread, briefly. Listing and
/// deleting are FASTER's own.
/// </summary>
internal sealed class InlineFileDeviceFactory : INamedDeviceFactory
{
    private readonly LocalStorageNamedDeviceFactory _faster = new();
    private string _baseName = "";

    public void Initialize(string baseName)
    {
        _baseName = baseName;
        _faster.Initialize(baseName);
    }

    public IDevice Get(FileDescriptor fileInfo) =>
        new IoThreadFileDevice(Path.Combine(_baseName, fileInfo.directoryName, fileInfo.fileName), readThreads: 0, writeThreads: 0, threadName: "commit metadata");

    public void Delete(FileDescriptor fileInfo) => _faster.Delete(fileInfo);

    public IEnumerable<FileDescriptor> ListContents(string path) => _faster.ListContents(path);
}
