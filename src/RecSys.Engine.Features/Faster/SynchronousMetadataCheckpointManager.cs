using System.Buffers.Binary;
using FASTER.core;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// FASTER's own checkpoint manager for a checkpoint folder (what <c>CheckpointSettings.CheckpointDir</c> builds),
/// except that the two small metadata files a checkpoint commits (the log checkpoint's and the index checkpoint's
/// info.dat) are written and fsynced on the calling thread, in the same bytes at the same paths.
/// <para>
/// Why: FASTER 2.6.5 writes them through a device whose every write (and the fsync after it) is a task on the thread
/// pool, and waits for that task synchronously, on whichever thread moves the checkpoint's state machine on: often a
/// pool thread itself (a request's read, or the checkpoint's own continuation). With the pool's other threads busy or
/// blocked, the write waited for the pool to add a thread, which past its minimum (one per core) takes about half a
/// second, and the checkpoint stayed in that transition ("leaving WAIT_FLUSH" in its report line) meanwhile. On the
/// 1M catalog under writes, two cores: most checkpoints 0.6-1 s in FASTER and a median of 1,305 refused calls in three
/// minutes before; 9-99 ms (that transition at most 18 ms) and a median of 88 (seven runs, 0-522) after
/// (bench/results/checkpoint-metadata-2026-12-07). The hash index's device is one with an I/O thread of its own, for
/// the same reason (<see cref="GetIndexDevice"/>). Everything else (reads at recovery, the snapshot and delta devices,
/// purges) is FASTER's manager unchanged, and the files are the same, so stores written before and after this open alike.
/// </para>
/// </summary>
internal sealed class SynchronousMetadataCheckpointManager : ICheckpointManager
{
    /// <summary>FASTER's device files carry their segment number; metadata files are one segment, the first.</summary>
    private const string SegmentSuffix = ".0";

    /// <summary>The devices' sector: FASTER pads metadata writes to it with zeros, and reads whole sectors back.</summary>
    private const int SectorBytes = 512;

    private readonly DefaultCheckpointNamingScheme _naming;
    private readonly DeviceLogCommitCheckpointManager _inner;

    public SynchronousMetadataCheckpointManager(string checkpointDirectory)
    {
        // As FASTER 2.6.5 builds its manager for CheckpointSettings.CheckpointDir (full path, local files, keep old ones).
        _naming = new DefaultCheckpointNamingScheme(new DirectoryInfo(checkpointDirectory).FullName);
        _inner = new DeviceLogCommitCheckpointManager(new LocalStorageNamedDeviceFactory(), _naming, removeOutdated: false);
    }

    /// <summary>
    /// Metadata writes that failed, by checkpoint token (a full checkpoint's index and log share one). A failure is
    /// recorded, not thrown: the commit runs inside FASTER's state machine, on whichever thread moves it on (a
    /// request's read, or the store's applier), and an exception there leaves FASTER between two phases for good, every
    /// later checkpoint refused. FASTER's own manager only logged a failed write and went on as if written; the store
    /// instead asks for the token's failure once FASTER returns (<see cref="TakeFailure"/>) and fails that checkpoint,
    /// so it never lists one whose metadata is not on disk. Keyed by token, so a failure of a checkpoint whose caller
    /// stopped waiting (cancelled) is never charged to the next one.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, Exception> _failures = new();

    /// <summary>The first failed metadata write of checkpoint <paramref name="token"/>, removed; null when its writes succeeded.</summary>
    public Exception? TakeFailure(Guid token) => _failures.TryRemove(token, out var failure) ? failure : null;

    /// <summary>Test seam: runs before each metadata write, with the file's path; an exception it throws fails that write.</summary>
    internal Action<string>? BeforeWrite { get; set; }

    public void CommitLogCheckpoint(Guid logToken, byte[] commitMetadata) =>
        WriteMetadata(logToken, _naming.LogCheckpointMetadata(logToken), commitMetadata);

    public void CommitIndexCheckpoint(Guid indexToken, byte[] commitMetadata) =>
        WriteMetadata(indexToken, _naming.IndexCheckpointMetadata(indexToken), commitMetadata);

    /// <summary>
    /// The bytes FASTER's manager writes: the metadata's length (int32, little-endian), the metadata, zeros to the next
    /// sector; then fsync, as FASTER's managed device does after every write on Linux.
    /// </summary>
    private void WriteMetadata(Guid token, FileDescriptor file, byte[] metadata)
    {
        try
        {
            string directory = Path.Combine(_naming.BaseName(), file.directoryName);
            string path = Path.Combine(directory, file.fileName + SegmentSuffix);
            BeforeWrite?.Invoke(path);
            Directory.CreateDirectory(directory);
            var bytes = new byte[(sizeof(int) + metadata.Length + SectorBytes - 1) / SectorBytes * SectorBytes];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, metadata.Length);
            metadata.CopyTo(bytes, sizeof(int));
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e)
        {
            _failures.TryAdd(token, new IOException($"writing FASTER's checkpoint metadata {file.directoryName}/{file.fileName} failed: {e.Message}", e));
        }
    }

    /// <summary>Not used by this store (fold-over and snapshot checkpoints only); FASTER's own path.</summary>
    public void CommitLogIncrementalCheckpoint(Guid logToken, long version, byte[] commitMetadata, DeltaLog deltaLog) =>
        _inner.CommitLogIncrementalCheckpoint(logToken, version, commitMetadata, deltaLog);

    public void InitializeIndexCheckpoint(Guid indexToken) => _inner.InitializeIndexCheckpoint(indexToken);
    public void InitializeLogCheckpoint(Guid logToken) => _inner.InitializeLogCheckpoint(logToken);
    public void CheckpointVersionShift(long oldVersion, long newVersion) => _inner.CheckpointVersionShift(oldVersion, newVersion);
    public byte[] GetIndexCheckpointMetadata(Guid indexToken) => _inner.GetIndexCheckpointMetadata(indexToken);
    public byte[] GetLogCheckpointMetadata(Guid logToken, DeltaLog deltaLog, bool scanDelta, long recoverTo) =>
        _inner.GetLogCheckpointMetadata(logToken, deltaLog, scanDelta, recoverTo);
    public IEnumerable<Guid> GetIndexCheckpointTokens() => _inner.GetIndexCheckpointTokens();
    public IEnumerable<Guid> GetLogCheckpointTokens() => _inner.GetLogCheckpointTokens();
    /// <summary>
    /// The hash index's file (ht.dat) on an <see cref="IoThreadFileDevice"/> with one write thread of its own (reads,
    /// at recovery only, on the calling thread), instead of FASTER's managed device: an index checkpoint writes the whole
    /// table (64 B a bucket: 256 MiB at 4M buckets) in one write, which on FASTER's device held a pool thread for as long
    /// as the disk took to sync it, while requests queued behind it. FASTER disposes the device when the checkpoint (or
    /// the recovery) is done, which ends the thread once its write is through. The same file, offsets and open options
    /// as FASTER's device, so an index written by either recovers with the other.
    /// </summary>
    public IDevice GetIndexDevice(Guid indexToken)
    {
        if (UseFasterIndexDevice)
            return _inner.GetIndexDevice(indexToken);
        var file = _naming.HashTable(indexToken);
        var device = new IoThreadFileDevice(Path.Combine(_naming.BaseName(), file.directoryName, file.fileName), readThreads: 0, writeThreads: 1, threadName: "KV index checkpoint");
        lock (_indexDevices)
        {
            // FASTER disposes the device when its checkpoint (or recovery) is done, but not when a checkpoint fails
            // inside it: those are disposed here at the latest, with the manager, so their threads do not outlive the store.
            _indexDevices.RemoveAll(d => d.IsDisposed);
            _indexDevices.Add(device);
        }
        return device;
    }

    private readonly List<IoThreadFileDevice> _indexDevices = [];

    /// <summary>Test seam: FASTER's own device for the hash index, as before (to show both read each other's files).</summary>
    internal bool UseFasterIndexDevice { get; init; }
    public IDevice GetSnapshotLogDevice(Guid token) => _inner.GetSnapshotLogDevice(token);
    public IDevice GetSnapshotObjectLogDevice(Guid token) => _inner.GetSnapshotObjectLogDevice(token);
    public IDevice GetDeltaLogDevice(Guid token) => _inner.GetDeltaLogDevice(token);
    public void Purge(Guid token) => _inner.Purge(token);
    public void PurgeAll() => _inner.PurgeAll();
    public void OnRecovery(Guid indexToken, Guid logToken) => _inner.OnRecovery(indexToken, logToken);
    public void Dispose()
    {
        lock (_indexDevices)
        {
            foreach (var device in _indexDevices) device.Dispose(); // idempotent: most are disposed already
            _indexDevices.Clear();
        }
        _inner.Dispose();
    }
}
