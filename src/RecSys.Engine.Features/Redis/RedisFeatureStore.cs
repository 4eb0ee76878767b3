using RecSys.Engine.Features.Codecs;
using RecSys.Engine.Features.Records;
using StackExchange.Redis;

namespace RecSys.Engine.Features.Redis;

/// <summary>
/// The feature store over the Redis protocol (Garnet or Redis, standalone or cluster), for deployments past one
/// machine. Values use the same versioned binary codecs as the FASTER backend. Read-modify-writes (history,
/// counters, soft delete) are optimistic single-key transactions (WATCH / compare / MULTI-EXEC, retried), so they
/// are cluster-safe and never lose a concurrent update. Batch reads are pipelined, one GET per key, so they work
/// across cluster slots.
///
/// Durability is the server's: a write completes when the server acknowledged it; whether that survives a server
/// crash depends on its persistence settings (Garnet --aof with a commit frequency of 0, Redis appendfsync always).
/// </summary>
public sealed class RedisFeatureStore : IFeatureStore
{
    private readonly RedisFeatureStoreOptions _options;
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly RedisKeys _keys;
    private readonly double _halfLifeMs;

    private RedisFeatureStore(RedisFeatureStoreOptions options, ConnectionMultiplexer connection)
    {
        _options = options;
        _connection = connection;
        _db = connection.GetDatabase();
        _keys = new RedisKeys(options.KeyPrefix);
        _halfLifeMs = options.CounterHalfLife.TotalMilliseconds;
    }

    public static async Task<RedisFeatureStore> ConnectAsync(RedisFeatureStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (string.IsNullOrWhiteSpace(options.Configuration)) throw new ArgumentException("Configuration is required", nameof(options));
        var connection = await ConnectionMultiplexer.ConnectAsync(options.Configuration).ConfigureAwait(false);
        return new RedisFeatureStore(options, connection);
    }

    public int HistoryCapacity => _options.HistoryCapacity;

    public int ImpressionCapacity => _options.ImpressionCapacity;

    public int SeenCapacity => _options.SeenCapacity;

    public async ValueTask UpsertUserProfileAsync(long userId, UserProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        await _db.StringSetAsync(_keys.Profile(userId), UserProfileCodec.Encode(profile)).ConfigureAwait(false);
    }

    public async ValueTask<UserProfile?> GetUserProfileAsync(long userId, CancellationToken cancellationToken = default)
    {
        using var lease = await _db.StringGetLeaseAsync(_keys.Profile(userId)).ConfigureAwait(false);
        return lease is null ? null : UserProfileCodec.Decode(lease.Span);
    }

    public async ValueTask GetUserProfilesAsync(ReadOnlyMemory<long> userIds, Memory<UserProfile?> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < userIds.Length) throw new ArgumentException($"results holds {results.Length}, fewer than the {userIds.Length} ids", nameof(results));
        var values = await PipelinedGetAsync(userIds, id => _keys.Profile(id)).ConfigureAwait(false);
        var r = results.Span;
        for (int i = 0; i < values.Length; i++) r[i] = values[i].IsNull ? null : UserProfileCodec.Decode(values[i]);
    }

    public async ValueTask AppendEventAsync(UserEvent e, CancellationToken cancellationToken = default)
    {
        var he = e.ToHistoryEvent();
        var history = UpdateHistoryAsync(e.UserId, he);
        var counter = AddToCounterAsync(_keys.Counter(e.ItemId, -1), e);
        var segment = e.Segment >= 0 ? AddToCounterAsync(_keys.Counter(e.ItemId, e.Segment), e) : Task.CompletedTask;
        await Task.WhenAll(history, counter, segment).ConfigureAwait(false);
    }

    public async ValueTask AppendEventsAsync(ReadOnlyMemory<UserEvent> events, CancellationToken cancellationToken = default)
    {
        // In order per user (history is order-sensitive for equal timestamps): events are applied one after another.
        for (int i = 0; i < events.Length; i++) await AppendEventAsync(events.Span[i], cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<HistoryEvent[]> GetRecentHistoryAsync(long userId, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        using var lease = await _db.StringGetLeaseAsync(_keys.History(userId)).ConfigureAwait(false);
        return lease is null ? [] : HistoryCodec.DecodeNewestFirst(lease.Span, max);
    }

    public async ValueTask UpsertCfVectorAsync(long userId, ReadOnlyMemory<float> vector, CancellationToken cancellationToken = default) =>
        await _db.StringSetAsync(_keys.CfVector(userId), CfVectorCodec.Encode(vector.Span)).ConfigureAwait(false);

    public async ValueTask<float[]?> GetCfVectorAsync(long userId, CancellationToken cancellationToken = default)
    {
        using var lease = await _db.StringGetLeaseAsync(_keys.CfVector(userId)).ConfigureAwait(false);
        return lease is null ? null : CfVectorCodec.Decode(lease.Span);
    }

    public async ValueTask<long[]> GetOlderSeenItemsAsync(long userId, CancellationToken cancellationToken = default)
    {
        using var lease = await _db.StringGetLeaseAsync(_keys.Seen(userId)).ConfigureAwait(false);
        return lease is null ? [] : SeenSetCodec.Decode(lease.Span);
    }

    public async ValueTask DeleteUserAsync(long userId, CancellationToken cancellationToken = default) =>
        await _db.KeyDeleteAsync([_keys.Profile(userId), _keys.History(userId), _keys.CfVector(userId), _keys.Seen(userId)]).ConfigureAwait(false);

    public async ValueTask UpsertItemAsync(long itemId, ItemMetadata item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        await _db.StringSetAsync(_keys.Item(itemId), ItemMetadataCodec.Encode(item)).ConfigureAwait(false);
    }

    public async ValueTask<ItemMetadata?> GetItemAsync(long itemId, CancellationToken cancellationToken = default)
    {
        using var lease = await _db.StringGetLeaseAsync(_keys.Item(itemId)).ConfigureAwait(false);
        return lease is null ? null : ItemMetadataCodec.Decode(lease.Span);
    }

    public async ValueTask GetItemsAsync(ReadOnlyMemory<long> itemIds, Memory<ItemMetadata?> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < itemIds.Length) throw new ArgumentException($"results holds {results.Length}, fewer than the {itemIds.Length} ids", nameof(results));
        var values = await PipelinedGetAsync(itemIds, id => _keys.Item(id)).ConfigureAwait(false);
        var r = results.Span;
        for (int i = 0; i < values.Length; i++) r[i] = values[i].IsNull ? null : ItemMetadataCodec.Decode(values[i]);
    }

    public async ValueTask MarkItemDeletedAsync(long itemId, CancellationToken cancellationToken = default) =>
        await UpdateAsync(_keys.Item(itemId), old => ItemMetadataCodec.WithDeleted(old), createIfMissing: false).ConfigureAwait(false);

    public async ValueTask GetItemCountersAsync(ReadOnlyMemory<long> itemIds, int segment, long nowMs, Memory<double> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < itemIds.Length) throw new ArgumentException($"results holds {results.Length}, fewer than the {itemIds.Length} ids", nameof(results));
        var values = await PipelinedGetAsync(itemIds, id => _keys.Counter(id, segment)).ConfigureAwait(false);
        var r = results.Span;
        for (int i = 0; i < values.Length; i++)
            r[i] = values[i].IsNull ? 0 : DecayedCounterCodec.Decode(values[i]).ValueAt(nowMs, _halfLifeMs);
    }

    public ValueTask<long> BulkUpsertUsersAsync(IEnumerable<KeyValuePair<long, UserProfile>> users, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        BulkAsync(users, kv => (_keys.Profile(kv.Key), UserProfileCodec.Encode(kv.Value)), progress, cancellationToken);

    public ValueTask<long> BulkUpsertItemsAsync(IEnumerable<KeyValuePair<long, ItemMetadata>> items, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        BulkAsync(items, kv => (_keys.Item(kv.Key), ItemMetadataCodec.Encode(kv.Value)), progress, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask<long> BulkAsync<T>(IEnumerable<T> source, Func<T, (RedisKey Key, byte[] Value)> encode, IProgress<long>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        long written = 0;
        var tasks = new List<Task>(_options.BulkChunkSize);
        var batch = _db.CreateBatch();
        foreach (var item in source)
        {
            ct.ThrowIfCancellationRequested();
            var (key, value) = encode(item);
            tasks.Add(batch.StringSetAsync(key, value));
            if (tasks.Count < _options.BulkChunkSize) continue;
            batch.Execute();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            written += tasks.Count;
            progress?.Report(written);
            tasks.Clear();
            batch = _db.CreateBatch();
        }
        if (tasks.Count > 0)
        {
            batch.Execute();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            written += tasks.Count;
            progress?.Report(written);
        }
        return written;
    }

    /// <summary>One GET per key in one batch: a single flush to each node, cluster-safe (no cross-slot MGET).</summary>
    private async Task<RedisValue[]> PipelinedGetAsync(ReadOnlyMemory<long> ids, Func<long, RedisKey> key)
    {
        var batch = _db.CreateBatch();
        var tasks = new Task<RedisValue>[ids.Length];
        for (int i = 0; i < tasks.Length; i++) tasks[i] = batch.StringGetAsync(key(ids.Span[i]));
        batch.Execute();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private Task AddToCounterAsync(RedisKey key, UserEvent e) =>
        UpdateAsync(key, old => DecayedCounterCodec.Encode((old.IsNull ? default : DecayedCounterCodec.Decode(old)).Add(e.Value, e.TimestampMs, _halfLifeMs)), createIfMissing: true);

    /// <summary>
    /// The history insert, and the items of the interactions it drops added to the seen set, in one transaction on the
    /// user's slot, so an item dropped from the history is never missing from both. It commits only if both keys are
    /// still what was read (retried on conflict). The history condition alone is not enough: a late event (older than
    /// everything a full history keeps) is dropped at once, leaving the history's bytes as they were while the set grows.
    /// </summary>
    private Task UpdateHistoryAsync(long userId, HistoryEvent e)
    {
        RedisKey historyKey = _keys.History(userId), seenKey = _keys.Seen(userId);
        var dropped = new List<long>();
        return OptimisticAsync(historyKey, async tran =>
        {
            var old = await _db.StringGetAsync(historyKey).ConfigureAwait(false);
            dropped.Clear();
            var history = HistoryCodec.Insert(old.IsNull ? [] : HistoryCodec.Decode(old), e, _options.HistoryCapacity, _options.ImpressionCapacity, dropped);
            tran.AddCondition(old.IsNull ? Condition.KeyNotExists(historyKey) : Condition.StringEqual(historyKey, old));
            _ = tran.StringSetAsync(historyKey, HistoryCodec.Encode(history));
            if (dropped.Count > 0 && _options.SeenCapacity > 0)
            {
                var oldSeen = await _db.StringGetAsync(seenKey).ConfigureAwait(false);
                tran.AddCondition(oldSeen.IsNull ? Condition.KeyNotExists(seenKey) : Condition.StringEqual(seenKey, oldSeen));
                if (SeenSetCodec.Add(oldSeen.IsNull ? [] : SeenSetCodec.Decode(oldSeen), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dropped), _options.SeenCapacity) is { } grown)
                    _ = tran.StringSetAsync(seenKey, SeenSetCodec.Encode(grown));
            }
            return true;
        });
    }

    /// <summary>
    /// Optimistic read-modify-write of one key: read, compute, write only if the key still holds what was read
    /// (or is still missing); retried on conflict.
    /// </summary>
    private Task UpdateAsync(RedisKey key, Func<RedisValue, byte[]> update, bool createIfMissing) =>
        OptimisticAsync(key, async tran =>
        {
            var old = await _db.StringGetAsync(key).ConfigureAwait(false);
            if (old.IsNull && !createIfMissing)
                return false;
            tran.AddCondition(old.IsNull ? Condition.KeyNotExists(key) : Condition.StringEqual(key, old));
            _ = tran.StringSetAsync(key, update(old));
            return true;
        });

    /// <summary>
    /// The optimistic retry loop: <paramref name="prepare"/> reads what it needs and fills a fresh transaction with its
    /// conditions and writes (false: nothing to write, done); the transaction commits only if every condition still
    /// holds, else the whole attempt is made again, up to MaxRetries times.
    /// </summary>
    private async Task OptimisticAsync(RedisKey key, Func<ITransaction, Task<bool>> prepare)
    {
        for (int attempt = 0; attempt < _options.MaxRetries; attempt++)
        {
            var tran = _db.CreateTransaction();
            if (!await prepare(tran).ConfigureAwait(false))
                return;
            if (await tran.ExecuteAsync().ConfigureAwait(false))
                return;
        }
        throw new TimeoutException($"read-modify-write of {key} lost {_options.MaxRetries} races in a row");
    }
}
