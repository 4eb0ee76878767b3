using RecSys.Engine.Core.Files;
using FASTER.core;

namespace RecSys.Engine.Features.Faster;

public sealed partial class FasterFeatureStore
{
    private readonly SemaphoreSlim _checkpointGate = new(1, 1);

    /// <summary>
    /// Log size (tail - begin) right after the last compaction that ran; the next one waits for twice this. Kept in
    /// checkpoints.json, so a restart continues the schedule instead of compacting the whole log at its first
    /// checkpoint (a baseline of 0) or never again (a baseline of the size at open, garbage included, raised at every
    /// restart). A manifest from before it was recorded: the size at open, at most the larger of the threshold and
    /// the memory budget.
    /// </summary>
    private long _sizeAfterCompaction;

    private void InitialiseCompactionBaseline()
    {
        long atOpen = _kv.Log.TailAddress - _kv.Log.BeginAddress;
        _sizeAfterCompaction = _manifest?.LogSizeAfterCompaction is > 0 and var recorded
            ? recorded
            : Math.Min(atOpen, Math.Max(_options.LogCompactionThresholdBytes, _options.MemoryBudgetBytes));
    }

    private FeatureStoreHealth _health = new();

    /// <summary>The folders under kv/checkpoints FASTER writes a checkpoint into, one sub-folder per checkpoint token.</summary>
    private static readonly string[] CheckpointRoots = [CheckpointManifest.IndexRoot, CheckpointManifest.LogRoot];

    /// <summary>
    /// Checkpoint outcomes as a health state the server can report: Degraded from the first failed checkpoint (a
    /// periodic one has nobody to throw to) until one succeeds again. Each change is also passed to
    /// <see cref="FasterFeatureStoreOptions.HealthChanged"/>, the place to log it.
    /// </summary>
    public FeatureStoreHealth Health => Volatile.Read(ref _health);

    /// <summary>Compactions run by this instance (diagnostics and tests).</summary>
    public int Compactions { get; private set; }

    /// <summary>Bytes of KV log files on disk now (kv/hlog.log.*), for diagnostics and tests.</summary>
    public long LogBytesOnDisk =>
        new DirectoryInfo(Path.Combine(_options.DataDirectory, "kv")).EnumerateFiles("hlog.log*").Sum(f => f.Length);

    /// <summary>Begin address of the KV log: records below it were compacted away.</summary>
    public long LogBeginAddress => _kv.Log.BeginAddress;

    private bool CompactionDue()
    {
        long threshold = _options.LogCompactionThresholdBytes;
        if (threshold == 0) return false;
        long size = _kv.Log.TailAddress - _kv.Log.BeginAddress;
        // Only what is on disk can be compacted (CompactLog): a log that fits in memory is not due, whatever its size.
        bool onDisk = Math.Min(_kv.Log.SafeReadOnlyAddress, _kv.Log.HeadAddress) > _kv.Log.BeginAddress;
        return onDisk && size > threshold && size > 2 * _sizeAfterCompaction;
    }

    /// <summary>
    /// Copies the live records of the log's on-disk part to the tail and moves the begin address past that part
    /// (FASTER's lookup compaction: a record is live when the hash chain still leads to it). Only up to the head
    /// address: fold-over checkpoints make nearly all of the in-memory log read-only, and compacting that too would
    /// copy the whole hot set at every compaction and move the head address past it (evicting it) for no disk freed.
    /// Writers keep running:
    /// FASTER copies a record only if no newer version of its key was written meanwhile. Values are copied as they
    /// are, envelope and LSN included, so replay after a crash treats a copy exactly like the original.
    /// Readers keep running too, but a read that looked up a record's old address before the move may be told "not
    /// found": every read path of this store reads again when the begin address moved under it (BeginMovedUnder).
    /// Nothing is deleted here: the begin address moves in memory only, and the files below it are released by
    /// <see cref="TruncationGateDevice"/> once the manifest no longer lists a checkpoint that begins below it.
    /// </summary>
    private void CompactLog()
    {
        long until = Math.Min(_kv.Log.SafeReadOnlyAddress, _kv.Log.HeadAddress);
        if (until > _kv.Log.BeginAddress)
        {
            using var session = NewSession();
            session.Compact(until, CompactionType.Lookup);
            Compactions++;
            // The last index checkpoint now starts below the begin address: FASTER would ignore it at recovery and
            // rebuild the index from the whole log, so the next checkpoint takes a new one (also if this one fails).
            _indexCheckpointNeeded = true;
            _sizeAfterCompaction = _kv.Log.TailAddress - _kv.Log.BeginAddress;
        }
    }

    /// <summary>Test seam: the checkpoint manager FASTER writes its metadata through (to inject a failed write).</summary>
    internal SynchronousMetadataCheckpointManager CheckpointManagerForTests => _checkpointManager;

    /// <summary>Test seam: compacts the log now, without a checkpoint (one may be impossible while a read is pending).</summary>
    internal void CompactLogNow()
    {
        _checkpointGate.Wait();
        try { CompactLog(); }
        finally { _checkpointGate.Release(); }
    }

    /// <summary>
    /// Takes a KV checkpoint and records it in checkpoints.json with the log address replay must start from.
    /// The log is then truncated only up to the previous checkpoint's replay address, so the previous checkpoint
    /// stays a complete fallback (RecoverFromPreviousCheckpoint).
    /// </summary>
    public Task CheckpointAsync(CancellationToken cancellationToken = default) => CheckpointAsync(forceCompaction: false, cancellationToken);

    /// <summary>
    /// Compacts the KV log now (whatever its size) and takes a checkpoint. The log files below the new begin address
    /// are deleted at the next checkpoint, once no checkpoint listed in checkpoints.json needs them.
    /// </summary>
    public Task CompactAsync(CancellationToken cancellationToken = default) => CheckpointAsync(forceCompaction: true, cancellationToken);

    /// <summary>The KV log's tail at this instance's last checkpoint, or after recovery (before replay), for <see cref="FeatureStoreCheckpointReport"/>.</summary>
    private long _lastCheckpointTail;

    /// <summary>Index checkpoints taken by this instance (diagnostics and tests).</summary>
    public int IndexCheckpoints { get; private set; }

    /// <summary>
    /// Makes the names of a checkpoint's files durable before the manifest points at them: FASTER creates its folders
    /// (cpr-checkpoints/TOKEN, index-checkpoints/TOKEN) and files with their data synced but never syncs a directory,
    /// so after a power loss the manifest could name a checkpoint whose folder never reached the disk. Each folder of
    /// the entry's files is synced, and every folder above it up to kv/ (whose entries are also the KV log's segment
    /// files). A few directory fsyncs a checkpoint; the ones of an earlier index it reuses again too (harmless).
    /// </summary>
    private void SyncFolders(CheckpointEntry entry)
    {
        string kvDir = Path.GetDirectoryName(_checkpointDirectory)!;
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in entry.Files)
        {
            for (string? folder = Path.GetDirectoryName(Path.Combine(_checkpointDirectory, file.Path));
                 folder is not null && folder.Length >= kvDir.Length;
                 folder = Path.GetDirectoryName(folder))
            {
                if (!folders.Add(folder)) break; // this one and those above it are in already
            }
        }
        foreach (string folder in folders.Reverse()) // deepest first: a folder's entry after what is in it
            DurableFile.SyncDirectory(folder);
    }

    /// <summary>Whether the next checkpoint must include the hash index (<see cref="FasterFeatureStoreOptions.IndexCheckpointLogBytes"/>).</summary>
    private bool IndexCheckpointDue()
    {
        if (_manifest is null || _indexCheckpointNeeded || _options.IndexCheckpointLogBytes == 0) return true;
        var latest = _manifest.Checkpoints[0];
        // Unknown (a format-1 manifest): take it now rather than guess how much log recovery would read.
        if (latest.IndexTailAddress == 0) return true;
        return _kv.Log.TailAddress - latest.IndexTailAddress >= _options.IndexCheckpointLogBytes;
    }

    private async Task CheckpointAsync(bool forceCompaction, CancellationToken cancellationToken)
    {
        await _checkpointGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            ProbeCheckpointFolders();
            // Compaction only ever runs here, under the gate, so the begin address read below is the one the
            // checkpoint records, and the files it frees are released by the same manifest logic as the WAL.
            int compactionsBefore = Compactions;
            if (forceCompaction || CompactionDue()) CompactLog();
            long kvBegin = _kv.Log.BeginAddress;
            // Every entry below replayFrom is committed and applied, so the checkpoint below contains it; entries
            // at or above it may be in the checkpoint too, which replay tolerates (per-key LSN check).
            long replayFrom;
            lock (_enqueueLock) replayFrom = _pending.TryPeek(out var head) ? head.Address : _wal.TailAddress;

            // Fold-over: the log's pages up to the tail are flushed to the log files (only those appended since the
            // last checkpoint are written) and become read-only; no snapshot copy of the in-memory log. The index is
            // checkpointed only when due; otherwise this checkpoint recovers with the last index checkpoint, and
            // recovery rebuilds the index from the log above it (the begin address, if compaction moved it past).
            bool withIndex = IndexCheckpointDue();
            long tail = _kv.Log.TailAddress;
            long fasterStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var trace = CheckpointPhaseTrace.Start(_kv);
            bool success;
            Guid token;
            string phases;
            try
            {
                (success, token) = withIndex
                    ? await _kv.TakeFullCheckpointAsync(CheckpointType.FoldOver, cancellationToken).ConfigureAwait(false)
                    : await _kv.TakeHybridLogCheckpointAsync(CheckpointType.FoldOver, tryIncremental: false, cancellationToken).ConfigureAwait(false);
            }
            finally { phases = trace.Stop(); }
            // Ours are serialised by the gate, so a refusal means FASTER's state machine never came back to rest.
            if (!success)
                throw new InvalidOperationException(
                    "FASTER declined the checkpoint: its checkpoint state machine is not at rest, which after a checkpoint that failed " +
                    "inside FASTER lasts until the store is reopened (acknowledged writes are safe in the write-ahead log)");
            // FASTER finished, but a metadata file it committed may not be on disk: not listed, not a checkpoint (its
            // folder goes with the next one's cleanup); the write-ahead log is not truncated, so nothing is lost.
            if (_checkpointManager.TakeFailure(token) is { } metadataFailure)
                throw metadataFailure;
            var fasterTime = System.Diagnostics.Stopwatch.GetElapsedTime(fasterStarted);
            if (withIndex) IndexCheckpoints++;

            var previous = _manifest?.Checkpoints[0];
            var entry = withIndex
                ? CheckpointManifest.Describe(token, token, tail, replayFrom, kvBegin, _checkpointDirectory, null)
                : CheckpointManifest.Describe(token, previous!.IndexCheckpoint, previous.IndexTailAddress, replayFrom, kvBegin, _checkpointDirectory, previous);
            var kept = new List<CheckpointEntry> { entry };
            if (previous is not null) kept.Add(previous);
            var manifest = new CheckpointManifest { Checkpoints = kept, KvSegmentBytes = _options.LogSegmentBytes, LogSizeAfterCompaction = _sizeAfterCompaction };
            if (_options.SyncCheckpointFolders) SyncFolders(entry);
            manifest.WriteAtomically(_options.DataDirectory);
            // Only once a manifest names the new index may the next checkpoint be incremental on it.
            if (withIndex) _indexCheckpointNeeded = false;
            // Only now may KV log files go: every checkpoint a crash or a fallback could reopen is at or above this.
            _kvDevice.Allow(manifest.SafeTruncationAddress);
            _manifest = manifest;
            DeleteUnlistedCheckpoints(kept);

            long truncateTo = kept[^1].ReplayFrom;
            if (truncateTo > _wal.BeginAddress)
            {
                _wal.TruncateUntil(truncateTo);
                // The truncation becomes durable with a commit; nothing is lost if a crash beats it (only more replay).
                await _wal.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            RecordCheckpointOutcome(null);
            var report = new FeatureStoreCheckpointReport(token, withIndex, Compactions > compactionsBefore,
                tail - _lastCheckpointTail, fasterTime, System.Diagnostics.Stopwatch.GetElapsedTime(started), phases);
            _lastCheckpointTail = tail;
            // A logging hook must not turn a checkpoint into a failure.
            try { _options.CheckpointCompleted?.Invoke(report); }
            catch (Exception) { }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RecordCheckpointOutcome(e);
            throw;
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    /// <summary>
    /// Deletes every checkpoint folder the manifest does not list: those of checkpoints it no longer keeps, index
    /// checkpoints no kept entry recovers with, and orphans (a checkpoint FASTER finished but a crash kept out of the
    /// manifest).
    /// </summary>
    private void DeleteUnlistedCheckpoints(List<CheckpointEntry> kept)
    {
        var listed = new Dictionary<string, HashSet<Guid>>
        {
            [CheckpointManifest.IndexRoot] = [.. kept.Select(k => k.IndexCheckpoint)],
            [CheckpointManifest.LogRoot] = [.. kept.Select(k => k.Token)],
        };
        foreach (var (root, tokens) in listed)
        {
            string dir = Path.Combine(_checkpointDirectory, root);
            if (!Directory.Exists(dir)) continue;
            foreach (string folder in Directory.EnumerateDirectories(dir))
                if (Guid.TryParse(Path.GetFileName(folder), out var g) && !tokens.Contains(g))
                    Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Creates and deletes a file in each folder FASTER is about to write to. FASTER 2.6.5 throws from inside its
    /// checkpoint state machine when it cannot create a checkpoint file, and that state machine then never comes back
    /// to rest: every later checkpoint of the instance is declined (seen here with the folder replaced by a file). A
    /// failure caught here leaves FASTER untouched, so the next checkpoint succeeds once the disk is fixed.
    /// </summary>
    private void ProbeCheckpointFolders()
    {
        foreach (string root in CheckpointRoots)
        {
            string folder = Path.Combine(_checkpointDirectory, root);
            Directory.CreateDirectory(folder);
            using (new FileStream(Path.Combine(folder, ".write-probe"), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
    }

    /// <summary>Publishes the new health (under the checkpoint gate, so outcomes never race) and reports failures and recoveries.</summary>
    private void RecordCheckpointOutcome(Exception? error)
    {
        var before = _health;
        var now = DateTimeOffset.UtcNow;
        var after = error is null
            ? before with { ConsecutiveCheckpointFailures = 0, LastSuccessfulCheckpoint = now }
            : before with { ConsecutiveCheckpointFailures = before.ConsecutiveCheckpointFailures + 1, LastCheckpointError = error, LastCheckpointFailure = now };
        Volatile.Write(ref _health, after);
        if (_options.HealthChanged is not { } report || (error is null && before.Status == after.Status)) return;
        // A logging hook must not turn a checkpoint into a failure, nor a failure into a different one.
        try { report(after); }
        catch (Exception) { }
    }
}
