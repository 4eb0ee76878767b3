using RecSys.Engine.Features;
using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>
/// A real store (FASTER, Garnet) with a test's hands on it: every call goes to <paramref name="inner"/> unchanged, the
/// item-counter reads are recorded (how many ids each asked for), so a test can tell one batch read from one read per
/// candidate, the next item upsert or counter read can be made to fail, as a store that is down would, and CF vector writes can be held back. Not a mock: what the
/// pipeline reads and writes is what the real store answers and keeps.
/// </summary>
internal sealed class InstrumentedStore(IFeatureStore inner) : IFeatureStore
{
    private readonly List<int> _counterReads = [];

    /// <summary>The id count of each GetItemCountersAsync call so far, in call order.</summary>
    public IReadOnlyList<int> CounterReads
    {
        get
        {
            lock (_counterReads)
                return [.. _counterReads];
        }
    }

    public int HistoryCapacity => inner.HistoryCapacity;

    public int ImpressionCapacity => inner.ImpressionCapacity;

    public int SeenCapacity => inner.SeenCapacity;

    /// <summary>Set: the next GetItemCountersAsync throws this instead of reading (once).</summary>
    public Exception? FailNextCounterRead { get; set; }

    public ValueTask GetItemCountersAsync(ReadOnlyMemory<long> itemIds, int segment, long nowMs, Memory<double> results, CancellationToken cancellationToken = default)
    {
        if (FailNextCounterRead is { } failure)
        {
            FailNextCounterRead = null;
            return ValueTask.FromException(failure);
        }
        lock (_counterReads)
            _counterReads.Add(itemIds.Length);
        return inner.GetItemCountersAsync(itemIds, segment, nowMs, results, cancellationToken);
    }

    public ValueTask UpsertUserProfileAsync(long userId, UserProfile profile, CancellationToken cancellationToken = default) => inner.UpsertUserProfileAsync(userId, profile, cancellationToken);

    public ValueTask<UserProfile?> GetUserProfileAsync(long userId, CancellationToken cancellationToken = default) => inner.GetUserProfileAsync(userId, cancellationToken);

    public ValueTask GetUserProfilesAsync(ReadOnlyMemory<long> userIds, Memory<UserProfile?> results, CancellationToken cancellationToken = default) => inner.GetUserProfilesAsync(userIds, results, cancellationToken);

    public ValueTask AppendEventAsync(UserEvent userEvent, CancellationToken cancellationToken = default) => inner.AppendEventAsync(userEvent, cancellationToken);

    public ValueTask AppendEventsAsync(ReadOnlyMemory<UserEvent> events, CancellationToken cancellationToken = default) => inner.AppendEventsAsync(events, cancellationToken);

    public ValueTask<HistoryEvent[]> GetRecentHistoryAsync(long userId, int max, CancellationToken cancellationToken = default) => inner.GetRecentHistoryAsync(userId, max, cancellationToken);

    public ValueTask<long[]> GetOlderSeenItemsAsync(long userId, CancellationToken cancellationToken = default) => inner.GetOlderSeenItemsAsync(userId, cancellationToken);

    /// <summary>Set: awaited before each CF vector write goes to the store (a test holds a write back with it).</summary>
    public Func<long, Task>? BeforeCfVectorWrite { get; set; }

    public async ValueTask UpsertCfVectorAsync(long userId, ReadOnlyMemory<float> vector, CancellationToken cancellationToken = default)
    {
        if (BeforeCfVectorWrite is { } hold)
            await hold(userId);
        await inner.UpsertCfVectorAsync(userId, vector, cancellationToken);
    }

    /// <summary>Set: the next GetCfVectorAsync throws this instead of reading (once).</summary>
    public Exception? FailNextCfVectorRead { get; set; }

    public ValueTask<float[]?> GetCfVectorAsync(long userId, CancellationToken cancellationToken = default)
    {
        if (FailNextCfVectorRead is { } failure)
        {
            FailNextCfVectorRead = null;
            return ValueTask.FromException<float[]?>(failure);
        }
        return inner.GetCfVectorAsync(userId, cancellationToken);
    }

    public ValueTask DeleteUserAsync(long userId, CancellationToken cancellationToken = default) => inner.DeleteUserAsync(userId, cancellationToken);

    /// <summary>Set: the next UpsertItemAsync throws this instead of writing (once).</summary>
    public Exception? FailNextItemUpsert { get; set; }

    /// <summary>Set: called with the id before each UpsertItemAsync.</summary>
    public Action<long>? BeforeItemUpsert { get; set; }

    public ValueTask UpsertItemAsync(long itemId, ItemMetadata item, CancellationToken cancellationToken = default)
    {
        BeforeItemUpsert?.Invoke(itemId);
        if (FailNextItemUpsert is { } failure)
        {
            FailNextItemUpsert = null;
            return ValueTask.FromException(failure);
        }
        return inner.UpsertItemAsync(itemId, item, cancellationToken);
    }

    public ValueTask<ItemMetadata?> GetItemAsync(long itemId, CancellationToken cancellationToken = default) => inner.GetItemAsync(itemId, cancellationToken);

    public ValueTask GetItemsAsync(ReadOnlyMemory<long> itemIds, Memory<ItemMetadata?> results, CancellationToken cancellationToken = default) => inner.GetItemsAsync(itemIds, results, cancellationToken);

    public ValueTask MarkItemDeletedAsync(long itemId, CancellationToken cancellationToken = default) => inner.MarkItemDeletedAsync(itemId, cancellationToken);

    public ValueTask<long> BulkUpsertUsersAsync(IEnumerable<KeyValuePair<long, UserProfile>> users, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        inner.BulkUpsertUsersAsync(users, progress, cancellationToken);

    public ValueTask<long> BulkUpsertItemsAsync(IEnumerable<KeyValuePair<long, ItemMetadata>> items, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        inner.BulkUpsertItemsAsync(items, progress, cancellationToken);

    /// <summary>The inner store belongs to whoever made it (the harness disposes it).</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
