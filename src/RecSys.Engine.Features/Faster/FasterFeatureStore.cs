using RecSys.Engine.Core.Files;
using System.Collections.Concurrent;
using FASTER.core;
using KvSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByteAndMemory, long, FASTER.core.SpanByteFunctions<long>>;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// The embedded feature store: FASTER KV for the records, a FasterLog write-ahead log for durability.
///
/// <code>
///   write ──► WAL enqueue (ordered) ──► group commit (every CommitInterval) ──► apply to KV ──► acknowledge
///   read  ──► pooled KV session ──► memory, or disk when the record was evicted (larger than memory)
///   checkpoint (periodic, on dispose): compact the KV log first if it outgrew LogCompactionThresholdBytes;
///              replayFrom = first unapplied WAL address; KV fold-over checkpoint of the hybrid log (the pages
///              appended since the last one are flushed), with an index checkpoint only when the log grew
///              IndexCheckpointLogBytes since the last one; checkpoints.json (tokens, replayFrom, KV begin address, file
///              hashes); WAL truncated to the previous checkpoint; KV log files deleted only
///              below the lowest begin address the manifest lists (TruncationGateDevice)
///   batch read: one epoch for the batch, hash buckets and records prefetched 32 reads at a time (IndexPrefetcher)
///   open: verify + recover the latest checkpoint, replay WAL entries from its replayFrom (idempotent: every
///         value carries the address of the last entry applied to it), then checkpoint
/// </code>
///
/// Only committed entries are applied, by one applier thread in log order; so the KV never holds a write the
/// log could lose, and a crash loses nothing that was acknowledged.
/// </summary>
public sealed partial class FasterFeatureStore : IFeatureStore
{
    private readonly FasterFeatureStoreOptions _options;
    private readonly double _halfLifeMs;
    private readonly string _checkpointDirectory;
    private readonly TruncationGateDevice _kvDevice;
    private readonly SynchronousMetadataCheckpointManager _checkpointManager;
    private readonly FasterKV<SpanByte, SpanByte> _kv;
    private readonly IDevice _walDevice;
    private readonly DeviceLogCommitCheckpointManager _walCommitManager;
    private readonly FasterLog _wal;
    private readonly SpanByteFunctions<long> _functions = new();
    private readonly ConcurrentBag<ReadSession> _readSessions = [];
    private readonly KvSession _applySession;
    private CheckpointManifest? _manifest;

    /// <summary>Set once recovery is done (recovery may rebuild the hash table it points into); null: no prefetching.</summary>
    private IndexPrefetcher? _prefetcher;

    /// <summary>Where a FasterLog that was never truncated begins (its first page keeps a 64-byte header).</summary>
    private const long FreshLogBeginAddress = 64;

    private FasterFeatureStore(FasterFeatureStoreOptions options)
    {
        _options = options;
        _halfLifeMs = options.CounterHalfLife.TotalMilliseconds;
        DurableFile.CreateDirectory(options.DataDirectory); // each new folder's entry synced in its parent (power loss)
        string kvDir = Path.Combine(options.DataDirectory, "kv");
        _checkpointDirectory = Path.Combine(kvDir, "checkpoints");
        string walDir = Path.Combine(options.DataDirectory, "wal");
        DurableFile.CreateDirectory(walDir);

        try
        {
            // A device whose I/O holds threads of its own, not the pool's (IoThreadFileDevice), and a commit manager
            // that writes each commit file on the thread that asks for it (InlineFileDeviceFactory); the same files as
            // FASTER's own device and manager.
            _walDevice = new IoThreadFileDevice(Path.Combine(walDir, "wal.log"), readThreads: 2, writeThreads: 2, threadName: "WAL I/O", syncNewFiles: true);
            _walCommitManager = NewWalCommitManager(walDir);
            _wal = new FasterLog(WalSettings(walDir, _walDevice, _walCommitManager));
        }
        catch (Exception e) when (e is not FeatureStoreCorruptedException)
        {
            // The device's I/O threads end with it.
            _walCommitManager?.Dispose();
            _walDevice?.Dispose();
            throw new FeatureStoreCorruptedException(
                $"write-ahead log under {walDir} could not be recovered ({e.GetType().Name}: {e.Message}). " +
                "Acknowledged writes after the last checkpoint live only there; restore the folder from a backup " +
                "(README, section Durability).", e);
        }

        // The manifest decides what the KV directory means. Without one, whatever is there comes from a run that
        // crashed before its first manifest was written, and the state is rebuilt from the whole log, which is
        // complete as long as it was never truncated (truncation only ever follows a manifest write).
        try
        {
            _manifest = CheckpointManifest.TryRead(options.DataDirectory);
            if (_manifest is null && _wal.BeginAddress > FreshLogBeginAddress)
                throw new FeatureStoreCorruptedException(
                    $"{Path.Combine(options.DataDirectory, CheckpointManifest.FileName)} is missing but the write-ahead log was already truncated " +
                    $"(it begins at address {_wal.BeginAddress}): the older writes live only in the checkpoints the manifest described, so starting " +
                    "from the log alone would lose them. Restore checkpoints.json from a backup, or the whole directory (README, section Durability).");
        }
        catch
        {
            _wal.Dispose();
            _walCommitManager.Dispose();
            _walDevice.Dispose();
            throw;
        }
        long recordedSegmentBytes = _manifest is null ? options.LogSegmentBytes
            : _manifest.KvSegmentBytes == 0 ? FasterFeatureStoreOptions.DefaultLogSegmentBytes : _manifest.KvSegmentBytes;
        if (recordedSegmentBytes != options.LogSegmentBytes)
        {
            _wal.Dispose();
            _walCommitManager.Dispose();
            _walDevice.Dispose();
            throw new ArgumentException(
                $"the store under {options.DataDirectory} was created with LogSegmentBytes = {recordedSegmentBytes}; it cannot be reopened with {options.LogSegmentBytes} " +
                "(the KV log files are addressed by segment)", nameof(options));
        }
        if (_manifest is null && Directory.Exists(kvDir)) Directory.Delete(kvDir, recursive: true);
        DurableFile.CreateDirectory(kvDir);

        // Segment deletion waits for the manifest (TruncationGateDevice); until the first checkpoint of this instance
        // is recorded, nothing is deleted.
        // Reads a request waits for run on eight threads, page flushes on four (IoThreadFileDevice: never the pool's).
        _kvDevice = new TruncationGateDevice(new IoThreadFileDevice(Path.Combine(kvDir, "hlog.log"), readThreads: 8, writeThreads: 4, threadName: "KV log I/O", syncNewFiles: true));
        try
        {
            // FASTER's manager for the folder, but the metadata commit is a plain synchronous write (see the type's remarks).
            _checkpointManager = new SynchronousMetadataCheckpointManager(_checkpointDirectory);
            _kv = new FasterKV<SpanByte, SpanByte>(
                options.IndexBuckets,
                new LogSettings { LogDevice = _kvDevice, PageSizeBits = options.PageSizeBits, MemorySizeBits = options.MemorySizeBits, SegmentSizeBits = options.LogSegmentSizeBits },
                new CheckpointSettings { CheckpointManager = _checkpointManager, RemoveOutdated = false });
        }
        catch
        {
            // The devices' I/O threads end with them.
            _checkpointManager?.Dispose();
            _kvDevice.Dispose();
            _wal.Dispose();
            _walCommitManager.Dispose();
            _walDevice.Dispose();
            throw;
        }
        _applySession = NewSession();
    }

    /// <summary>The write-ahead log's settings (the tests open logs with them too, on smaller pages).</summary>
    internal static FasterLogSettings WalSettings(string walDir, IDevice device, ILogCommitManager? commitManager, int pageSizeBits = 20, int memorySizeBits = 24) => new()
    {
        LogDevice = device,
        LogCommitManager = commitManager,
        LogCommitDir = walDir,
        LogChecksum = LogChecksumType.PerEntry,
        FastCommitMode = true,
        PageSizeBits = pageSizeBits,
        MemorySizeBits = memorySizeBits,
    };

    /// <summary>
    /// The write-ahead log's commit manager: FASTER's, with its files written inline (<see cref="InlineFileDeviceFactory"/>).
    /// It still writes a commit file at every commit, as FASTER's default does. Throttled (FASTER's
    /// <c>fastCommitThrottleFreq</c>) recovery would start from an older commit file and find the later commits by
    /// scanning for their records, and that scan ends quietly at a damaged entry: replay then stops short of
    /// acknowledged writes instead of refusing to open (tried: CheckpointRecoveryTests'
    /// DamagedWriteAheadLog_DuringReplay test fails with a throttle of 1,000).
    /// </summary>
    internal static DeviceLogCommitCheckpointManager NewWalCommitManager(string walDir) =>
        new(new InlineFileDeviceFactory(), new DefaultCheckpointNamingScheme(walDir), removeOutdated: true);

    /// <summary>Opens (creating, recovering and replaying as needed) the store under <see cref="FasterFeatureStoreOptions.DataDirectory"/>.</summary>
    public static async Task<FasterFeatureStore> OpenAsync(FasterFeatureStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var store = new FasterFeatureStore(options);
        try
        {
            bool mustCheckpoint = store.RecoverKv();
            store._lastCheckpointTail = store._kv.Log.TailAddress;
            long replayed = store.ReplayLog();
            store.InitialiseCompactionBaseline();
            if (options.PrefetchReads) store._prefetcher = new IndexPrefetcher(store._kv);
            store.StartBackgroundWork();
            if (mustCheckpoint || replayed > 0 || store._manifest is null)
                await store.CheckpointAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public int HistoryCapacity => _options.HistoryCapacity;

    public int ImpressionCapacity => _options.ImpressionCapacity;

    public int SeenCapacity => _options.SeenCapacity;

    /// <summary>Logical size in bytes of the KV log (every record version since the start, in memory or on disk; for diagnostics).</summary>
    public long LogTailAddress => _kv.Log.TailAddress;

    /// <summary>Whether batch reads prefetch (asked for in the options and FASTER's internals were found).</summary>
    public bool PrefetchingReads => _prefetcher is { Enabled: true };

    /// <summary>Entries replayed from the write-ahead log when this instance opened.</summary>
    public long ReplayedAtOpen { get; private set; }

    /// <summary>The checkpoint this instance recovered from (Guid.Empty for a new store).</summary>
    public Guid RecoveredCheckpoint { get; private set; }

    private KvSession NewSession() => _kv.For(_functions).NewSession<SpanByteFunctions<long>>();

    private ReadSession RentSession() => _readSessions.TryTake(out var s) ? s : new ReadSession(NewSession());

    private void ReturnSession(ReadSession s) => _readSessions.Add(s);

    /// <summary>
    /// Verifies and recovers the newest usable checkpoint; true when the manifest must be rewritten. A damaged latest
    /// checkpoint is an error unless <see cref="FasterFeatureStoreOptions.RecoverFromPreviousCheckpoint"/>; then, in
    /// order: the latest checkpoint's log part with the index rebuilt from the log (when only its index checkpoint is
    /// damaged: that one may be shared with the previous entry), the previous checkpoint, the previous checkpoint's
    /// log part with the index rebuilt.
    /// </summary>
    private bool RecoverKv()
    {
        if (_manifest is null) return false;
        var latest = _manifest.Checkpoints[0];
        string? problem = CheckpointManifest.Verify(latest, _checkpointDirectory);
        if (problem is null) { Recover(latest, withIndex: true); return false; }

        bool latestLogIntact = CheckpointManifest.VerifyLogPart(latest, _checkpointDirectory) is null;
        if (!_options.RecoverFromPreviousCheckpoint)
        {
            string hint = latestLogIntact
                ? $"Only its index checkpoint is damaged: reopen with FasterFeatureStoreOptions.RecoverFromPreviousCheckpoint = true to " +
                  $"recover it with the hash index rebuilt from the KV log (slower; nothing is lost). See README, section Durability."
                : CheckpointManifest.RecoveryHint(_options.DataDirectory);
            throw new FeatureStoreCorruptedException($"latest checkpoint {latest.Token} is unusable: {problem}. {hint}");
        }
        _indexCheckpointNeeded = true; // whatever recovers below, the next checkpoint must not name a damaged index
        if (latestLogIntact)
        {
            Recover(latest, withIndex: false);
            _manifest = _manifest with { Checkpoints = [latest] };
            return true;
        }
        if (_manifest.Checkpoints.Count < 2)
            throw new FeatureStoreCorruptedException(
                $"latest checkpoint {latest.Token} is unusable ({problem}) and there is no previous checkpoint to fall back to. " +
                $"Restore {_options.DataDirectory} from a backup or re-run the bulk load (README, section Durability).");
        var previous = _manifest.Checkpoints[1];
        string? previousProblem = CheckpointManifest.Verify(previous, _checkpointDirectory);
        string? previousLogProblem = previousProblem is null ? null : CheckpointManifest.VerifyLogPart(previous, _checkpointDirectory);
        if (previousLogProblem is not null)
            throw new FeatureStoreCorruptedException(
                $"latest checkpoint {latest.Token} is unusable ({problem}) and so is the previous one ({previousLogProblem}). " +
                $"Restore {_options.DataDirectory} from a backup or re-run the bulk load (README, section Durability).");
        Recover(previous, withIndex: previousProblem is null);
        _manifest = _manifest with { Checkpoints = [previous] };
        return true;
    }

    /// <summary>Set when recovery could not use an index checkpoint the manifest names: the next checkpoint takes a new one.</summary>
    private bool _indexCheckpointNeeded;

    /// <summary>
    /// Recovers the entry's hybrid-log checkpoint with its index checkpoint, or with none (<paramref name="withIndex"/>
    /// false: FASTER rebuilds the hash index from the whole log, from the checkpoint's begin address; slower, loses nothing).
    /// </summary>
    private void Recover(CheckpointEntry entry, bool withIndex)
    {
        if (entry.ReplayFrom < _wal.BeginAddress)
            throw new FeatureStoreCorruptedException(
                $"checkpoint {entry.Token} needs the write-ahead log from address {entry.ReplayFrom}, but the log begins at {_wal.BeginAddress}. " +
                $"Restore {_options.DataDirectory} from a backup (README, section Durability).");
        try
        {
            _kv.Recover(withIndex ? entry.IndexCheckpoint : Guid.Empty, entry.Token);
        }
        catch (Exception e)
        {
            throw new FeatureStoreCorruptedException(
                $"FASTER could not recover checkpoint {entry.Token} from {_checkpointDirectory} ({e.GetType().Name}: {e.Message}). " +
                CheckpointManifest.RecoveryHint(_options.DataDirectory), e);
        }
        RecoveredCheckpoint = entry.Token;
        RecoveredWithIndex = withIndex;
    }

    /// <summary>
    /// Whether the recovery at open asked FASTER for an index checkpoint (false: the index was rebuilt from the whole
    /// log, or nothing was recovered). FASTER itself still ignores an index checkpoint that starts below the log's begin
    /// address and rebuilds from the log; the store takes a new index checkpoint at every compaction so that does not arise.
    /// </summary>
    public bool RecoveredWithIndex { get; private set; }

    /// <summary>Applies every committed log entry from the checkpoint's replay address on; returns how many were applied.</summary>
    private long ReplayLog()
    {
        long from = _manifest?.Checkpoints[0].ReplayFrom ?? _wal.BeginAddress;
        long end = _wal.TailAddress;
        long count = 0;
        if (from >= end) return 0;
        try
        {
            using var iter = _wal.Scan(from, end);
            while (true)
            {
                if (!iter.GetNext(out byte[] entry, out int length, out long address))
                {
                    if (iter.NextAddress >= end || !iter.WaitAsync().AsTask().GetAwaiter().GetResult()) break;
                    continue;
                }
                Apply(address, entry.AsSpan(0, length), replaying: true);
                count++;
            }
            // A scan that stops short of the committed tail would silently drop acknowledged writes: refuse.
            if (iter.NextAddress < end)
                throw new FeatureStoreCorruptedException(
                    $"write-ahead log replay stopped at address {iter.NextAddress}, before the committed tail {end}: entries in between are unreadable. " +
                    $"Restore {Path.Combine(_options.DataDirectory, "wal")} from a backup (README, section Durability).");
        }
        catch (Exception e) when (e is not FeatureStoreCorruptedException)
        {
            throw new FeatureStoreCorruptedException(
                $"replaying the write-ahead log under {Path.Combine(_options.DataDirectory, "wal")} from address {from} failed after {count} entries " +
                $"({e.GetType().Name}: {e.Message}). Restore the folder from a backup (README, section Durability).", e);
        }
        ReplayedAtOpen = count;
        return count;
    }

    /// <summary>
    /// Drains the writes, takes a last checkpoint and releases everything. If that checkpoint fails, everything is
    /// still released and its error is thrown afterwards: nothing acknowledged is lost (the next open replays the
    /// write-ahead log), and the files are free for that open.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            bool wasRunning = await StopBackgroundWorkAsync().ConfigureAwait(false);
            if (wasRunning)
                await CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // Hold the gate for good: a periodic checkpoint that started before the timer stopped finishes first,
            // and none can start on disposed FASTER objects afterwards.
            await _checkpointGate.WaitAsync().ConfigureAwait(false);
            _applySession.Dispose();
            while (_readSessions.TryTake(out var s)) s.Dispose();
            // Each device first: it runs the I/O still queued (a page flush of a checkpoint that failed) while FASTER's
            // pages are still there, then FASTER frees them (its Dispose does no I/O).
            _kvDevice.Dispose();
            _kv.Dispose();
            _checkpointManager.Dispose();
            _walDevice.Dispose();
            _wal.Dispose();
            _walCommitManager.Dispose();
            _writeSignal.Dispose();
        }
    }
}
