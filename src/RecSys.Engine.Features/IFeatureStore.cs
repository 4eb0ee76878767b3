using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features;

/// <summary>
/// What the request path reads and RecordEvents writes: user profile, bounded recent history, the user's CF
/// vector, item metadata and time-decayed trending counters.
///
/// Writes complete only once they are durable by the backend's promise (FASTER: committed to the write-ahead
/// log; Redis protocol: acknowledged by the server). Batch reads are the ranking hot path: one call for a few
/// hundred items, results written into the caller's buffer in the order of the ids.
/// </summary>
public interface IFeatureStore : IAsyncDisposable
{
    /// <summary>How many interactions (events other than impressions) a user's history keeps (oldest dropped first).</summary>
    int HistoryCapacity { get; }

    /// <summary>How many impressions a user's history keeps per surface code, besides its interactions (oldest dropped first).</summary>
    int ImpressionCapacity { get; }

    ValueTask UpsertUserProfileAsync(long userId, UserProfile profile, CancellationToken cancellationToken = default);

    ValueTask<UserProfile?> GetUserProfileAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>results[i] = profile of userIds[i], or null when unknown (batch form, for scans and bulk checks).</summary>
    ValueTask GetUserProfilesAsync(ReadOnlyMemory<long> userIds, Memory<UserProfile?> results, CancellationToken cancellationToken = default);

    /// <summary>Appends to the user's history and adds <see cref="UserEvent.Value"/> to the item (and item x segment) counters.</summary>
    ValueTask AppendEventAsync(UserEvent userEvent, CancellationToken cancellationToken = default);

    /// <summary>Several events, acknowledged together (one commit on the FASTER backend).</summary>
    ValueTask AppendEventsAsync(ReadOnlyMemory<UserEvent> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// Newest first, at most <paramref name="max"/> events, interactions and impressions interleaved by time; empty for an
    /// unknown user. Everything kept is at most <see cref="HistoryCapacity"/> interactions and <see cref="ImpressionCapacity"/>
    /// impressions per surface.
    /// </summary>
    ValueTask<HistoryEvent[]> GetRecentHistoryAsync(long userId, int max, CancellationToken cancellationToken = default);

    /// <summary>At most this many items are kept in <see cref="GetOlderSeenItemsAsync"/>'s set per user; 0 = none.</summary>
    int SeenCapacity { get; }

    /// <summary>
    /// The items of the user's interactions that have fallen out of the bounded history (distinct, ascending, at most
    /// <see cref="SeenCapacity"/>): with the history, everything the user is known to have seen. Empty for a user whose
    /// history never overflowed, or an unknown one.
    /// </summary>
    ValueTask<long[]> GetOlderSeenItemsAsync(long userId, CancellationToken cancellationToken = default);

    ValueTask UpsertCfVectorAsync(long userId, ReadOnlyMemory<float> vector, CancellationToken cancellationToken = default);

    ValueTask<float[]?> GetCfVectorAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>Removes the user's profile, history (with its older seen items) and CF vector.</summary>
    ValueTask DeleteUserAsync(long userId, CancellationToken cancellationToken = default);

    ValueTask UpsertItemAsync(long itemId, ItemMetadata item, CancellationToken cancellationToken = default);

    ValueTask<ItemMetadata?> GetItemAsync(long itemId, CancellationToken cancellationToken = default);

    /// <summary>results[i] = metadata of itemIds[i], or null when unknown. <paramref name="results"/> must be at least as long as the ids.</summary>
    ValueTask GetItemsAsync(ReadOnlyMemory<long> itemIds, Memory<ItemMetadata?> results, CancellationToken cancellationToken = default);

    /// <summary>Soft delete: the item stays readable with <see cref="ItemMetadata.Deleted"/> set, so filters can drop it. No-op for an unknown item.</summary>
    ValueTask MarkItemDeletedAsync(long itemId, CancellationToken cancellationToken = default);

    /// <summary>
    /// results[i] = the decayed counter of itemIds[i] as of <paramref name="nowMs"/>: per item when
    /// <paramref name="segment"/> is negative, else per item x segment; 0 when there were no events.
    /// </summary>
    ValueTask GetItemCountersAsync(ReadOnlyMemory<long> itemIds, int segment, long nowMs, Memory<double> results, CancellationToken cancellationToken = default);

    /// <summary>Bulk load; returns how many were written. Everything is durable when the call returns; progress reports the running count.</summary>
    ValueTask<long> BulkUpsertUsersAsync(IEnumerable<KeyValuePair<long, UserProfile>> users, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Bulk load of items, as <see cref="BulkUpsertUsersAsync"/>.</summary>
    ValueTask<long> BulkUpsertItemsAsync(IEnumerable<KeyValuePair<long, ItemMetadata>> items, IProgress<long>? progress = null, CancellationToken cancellationToken = default);
}
