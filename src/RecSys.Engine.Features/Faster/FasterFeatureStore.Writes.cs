using System.Collections.Concurrent;
using RecSys.Engine.Features.Codecs;
using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Faster;

public sealed partial class FasterFeatureStore
{
    /// <summary>A log entry waiting for its commit; <see cref="Done"/> is set only on the last entry of a call.</summary>
    private readonly record struct PendingWrite(long Address, byte[] Entry, TaskCompletionSource? Done);

    private readonly object _enqueueLock = new();
    private readonly ConcurrentQueue<PendingWrite> _pending = new();
    private readonly ManualResetEventSlim _writeSignal = new(false);
    private Thread? _applier;
    private volatile bool _stopping;
    private bool _closed;
    private Timer? _checkpointTimer;

    public ValueTask UpsertUserProfileAsync(long userId, UserProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Write(WalRecord.Encode(WalOp.UpsertProfile, userId, UserProfileCodec.Encode(profile)), cancellationToken);
    }

    public ValueTask AppendEventAsync(UserEvent userEvent, CancellationToken cancellationToken = default) =>
        Write(WalRecord.EncodeEvent(userEvent), cancellationToken);

    public ValueTask AppendEventsAsync(ReadOnlyMemory<UserEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.IsEmpty) return ValueTask.CompletedTask;
        var entries = new byte[events.Length][];
        for (int i = 0; i < entries.Length; i++) entries[i] = WalRecord.EncodeEvent(events.Span[i]);
        return new ValueTask(WriteMany(entries).WaitAsync(cancellationToken));
    }

    public ValueTask UpsertCfVectorAsync(long userId, ReadOnlyMemory<float> vector, CancellationToken cancellationToken = default) =>
        Write(WalRecord.Encode(WalOp.UpsertCfVector, userId, CfVectorCodec.Encode(vector.Span)), cancellationToken);

    public ValueTask DeleteUserAsync(long userId, CancellationToken cancellationToken = default) =>
        Write(WalRecord.Encode(WalOp.DeleteUser, userId, default), cancellationToken);

    public ValueTask UpsertItemAsync(long itemId, ItemMetadata item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Write(WalRecord.Encode(WalOp.UpsertItem, itemId, ItemMetadataCodec.Encode(item)), cancellationToken);
    }

    public ValueTask MarkItemDeletedAsync(long itemId, CancellationToken cancellationToken = default) =>
        Write(WalRecord.Encode(WalOp.MarkItemDeleted, itemId, default), cancellationToken);

    public ValueTask<long> BulkUpsertUsersAsync(IEnumerable<KeyValuePair<long, UserProfile>> users, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        Bulk(users, kv => WalRecord.Encode(WalOp.UpsertProfile, kv.Key, UserProfileCodec.Encode(kv.Value)), progress, cancellationToken);

    public ValueTask<long> BulkUpsertItemsAsync(IEnumerable<KeyValuePair<long, ItemMetadata>> items, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        Bulk(items, kv => WalRecord.Encode(WalOp.UpsertItem, kv.Key, ItemMetadataCodec.Encode(kv.Value)), progress, cancellationToken);

    /// <summary>
    /// Chunks of <see cref="FeatureStoreSettings.BulkChunkSize"/> entries, each acknowledged by one commit; the next
    /// chunk is encoded while the previous one commits, so the log device and the encoder overlap.
    /// </summary>
    private async ValueTask<long> Bulk<T>(IEnumerable<T> source, Func<T, byte[]> encode, IProgress<long>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        long written = 0;
        Task? inFlight = null;
        long inFlightCount = 0;
        var chunk = new List<byte[]>(_options.BulkChunkSize);
        foreach (var item in source)
        {
            ct.ThrowIfCancellationRequested();
            chunk.Add(encode(item));
            if (chunk.Count < _options.BulkChunkSize) continue;
            if (inFlight is not null) { await inFlight.ConfigureAwait(false); written += inFlightCount; progress?.Report(written); }
            inFlight = WriteMany(chunk);
            inFlightCount = chunk.Count;
            chunk = new List<byte[]>(_options.BulkChunkSize);
        }
        if (inFlight is not null) { await inFlight.ConfigureAwait(false); written += inFlightCount; progress?.Report(written); }
        if (chunk.Count > 0) { await WriteMany(chunk).ConfigureAwait(false); written += chunk.Count; progress?.Report(written); }
        return written;
    }

    /// <summary>
    /// Refuses a log entry the KV could not hold, before the log takes it. The log accepts entries up to about its page
    /// size, the KV a little less (its record header), and an entry between the two was committed, then refused when
    /// applied: the caller was told, but the committed entry failed every replay after a crash, and the store could not
    /// be opened. Half a page is far above any record (a full history is about 4 KiB) and fits both with room to spare.
    /// </summary>
    private ArgumentException? TooLarge(byte[] entry)
    {
        int max = MaxEntryBytes;
        return entry.Length <= max ? null
            : new ArgumentException($"a store record of {entry.Length:N0} bytes; the store takes at most {max:N0} per record (half its {1 << _options.PageSizeBits:N0}-byte page)", "value");
    }

    private int MaxEntryBytes => 1 << (_options.PageSizeBits - 1);

    /// <summary>
    /// Cancellation stops the wait, not the write: once enqueued, an entry may still commit and be applied.
    /// </summary>
    private ValueTask Write(byte[] entry, CancellationToken ct)
    {
        if (TooLarge(entry) is { } refused)
            return ValueTask.FromException(refused);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_enqueueLock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            long address = _wal.Enqueue(entry);
            _pending.Enqueue(new PendingWrite(address, entry, done));
        }
        _writeSignal.Set();
        return new ValueTask(ct.CanBeCanceled ? done.Task.WaitAsync(ct) : done.Task);
    }

    private Task WriteMany(IReadOnlyList<byte[]> entries)
    {
        for (int i = 0; i < entries.Count; i++)
        {
            if (TooLarge(entries[i]) is { } refused)
                return Task.FromException(refused); // none of the chunk is written
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_enqueueLock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            for (int i = 0; i < entries.Count; i++)
            {
                long address = _wal.Enqueue(entries[i]);
                _pending.Enqueue(new PendingWrite(address, entries[i], i == entries.Count - 1 ? done : null));
            }
        }
        _writeSignal.Set();
        return done.Task;
    }

    private void StartBackgroundWork()
    {
        _applier = new Thread(ApplierLoop) { IsBackground = true, Name = "FeatureStore WAL commit+apply" };
        _applier.Start();
        if (_options.CheckpointInterval > TimeSpan.Zero)
            _checkpointTimer = new Timer(_ => _ = PeriodicCheckpointAsync(), null, _options.CheckpointInterval, _options.CheckpointInterval);
    }

    private async Task PeriodicCheckpointAsync()
    {
        if (_stopping || Volatile.Read(ref _closed)) return;
        // Nobody awaits the timer: CheckpointAsync has already put a failure in Health and reported it through
        // HealthChanged, and the next tick tries again.
        try { await CheckpointAsync(CancellationToken.None).ConfigureAwait(false); }
        catch (Exception) { }
    }

    /// <summary>
    /// Group commit: wake on the first write, wait the commit window so others can join, commit the log once,
    /// then apply every committed entry in log order and acknowledge. Entries are applied only after their
    /// commit, so the KV (and any checkpoint of it) never holds a write the log could still lose.
    /// </summary>
    private void ApplierLoop()
    {
        int windowMs = (int)Math.Ceiling(_options.CommitInterval.TotalMilliseconds);
        while (true)
        {
            if (!_stopping) _writeSignal.Wait();
            if (windowMs > 0 && !_stopping) Thread.Sleep(windowMs);
            _writeSignal.Reset();
            // Read the tail after the reset: a writer whose Set came before the reset enqueued before it too.
            long tail = _wal.TailAddress;
            Exception? commitError = null;
            try
            {
                if (tail > _wal.CommittedUntilAddress)
                {
                    _wal.Commit(spinWait: true);
                    _wal.WaitForCommit(tail);
                }
            }
            catch (Exception e) { commitError = e; }

            long committed = _wal.CommittedUntilAddress;
            while (_pending.TryPeek(out var w) && (w.Address < committed || commitError is not null))
            {
                if (commitError is not null)
                {
                    w.Done?.TrySetException(new IOException("write-ahead log commit failed; the write is not acknowledged", commitError));
                }
                else
                {
                    try
                    {
                        Apply(w.Address, w.Entry, replaying: false);
                        w.Done?.TrySetResult();
                    }
                    catch (Exception e) { w.Done?.TrySetException(e); }
                }
                _pending.TryDequeue(out _);
            }
            if (_stopping && _pending.IsEmpty) return;
        }
    }

    /// <summary>Stops taking writes, drains the queue (commit + apply); false when the store never started.</summary>
    private async Task<bool> StopBackgroundWorkAsync()
    {
        if (_checkpointTimer is not null) await _checkpointTimer.DisposeAsync().ConfigureAwait(false);
        lock (_enqueueLock) _closed = true;
        if (_applier is null) return false;
        _stopping = true;
        _writeSignal.Set();
        await Task.Run(() => _applier.Join()).ConfigureAwait(false);
        return true;
    }
}
