using FASTER.core;
using RecSys.Engine.Features.Codecs;
using RecSys.Engine.Features.Records;
using KvSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByteAndMemory, long, FASTER.core.SpanByteFunctions<long>>;

namespace RecSys.Engine.Features.Faster;

public sealed partial class FasterFeatureStore
{
    /// <summary>Decodes a live payload (envelope stripped).</summary>
    private delegate T PayloadDecoder<T>(ReadOnlySpan<byte> payload);

    public ValueTask<UserProfile?> GetUserProfileAsync(long userId, CancellationToken cancellationToken = default) =>
        new(ReadOne(RecordKind.UserProfile, userId, 0, static p => UserProfileCodec.Decode(p)));

    public ValueTask GetUserProfilesAsync(ReadOnlyMemory<long> userIds, Memory<UserProfile?> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < userIds.Length) throw new ArgumentException($"results holds {results.Length}, fewer than the {userIds.Length} ids", nameof(results));
        ReadMany(RecordKind.UserProfile, userIds.Span, 0, results.Span, static p => UserProfileCodec.Decode(p), null);
        return ValueTask.CompletedTask;
    }

    public ValueTask<float[]?> GetCfVectorAsync(long userId, CancellationToken cancellationToken = default) =>
        new(ReadOne(RecordKind.UserCfVector, userId, 0, static p => CfVectorCodec.Decode(p)));

    public ValueTask<ItemMetadata?> GetItemAsync(long itemId, CancellationToken cancellationToken = default) =>
        new(ReadOne(RecordKind.Item, itemId, 0, static p => ItemMetadataCodec.Decode(p)));

    public ValueTask<HistoryEvent[]> GetRecentHistoryAsync(long userId, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var all = ReadOne(RecordKind.UserHistory, userId, 0, static p => HistoryCodec.Decode(p));
        return new(all is null ? [] : HistoryCodec.NewestFirst(all, max));
    }

    public ValueTask GetItemsAsync(ReadOnlyMemory<long> itemIds, Memory<ItemMetadata?> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < itemIds.Length) throw new ArgumentException($"results holds {results.Length}, fewer than the {itemIds.Length} ids", nameof(results));
        ReadMany(RecordKind.Item, itemIds.Span, 0, results.Span, static p => ItemMetadataCodec.Decode(p), null);
        return ValueTask.CompletedTask;
    }

    public ValueTask GetItemCountersAsync(ReadOnlyMemory<long> itemIds, int segment, long nowMs, Memory<double> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < itemIds.Length) throw new ArgumentException($"results holds {results.Length}, fewer than the {itemIds.Length} ids", nameof(results));
        // Pooled: the ranking path reads a few hundred counters per request and should not allocate for them.
        var rented = System.Buffers.ArrayPool<DecayedCounter>.Shared.Rent(itemIds.Length);
        try
        {
            var counters = rented.AsSpan(0, itemIds.Length);
            var kind = segment < 0 ? RecordKind.ItemCounter : RecordKind.ItemSegmentCounter;
            ReadMany(kind, itemIds.Span, Math.Max(segment, 0), counters, static p => DecayedCounterCodec.Decode(p), default(DecayedCounter));
            var r = results.Span;
            for (int i = 0; i < counters.Length; i++) r[i] = counters[i].ValueAt(nowMs, _halfLifeMs);
        }
        finally { System.Buffers.ArrayPool<DecayedCounter>.Shared.Return(rented); }
        return ValueTask.CompletedTask;
    }

    private T? ReadOne<T>(RecordKind kind, long id, int segment, PayloadDecoder<T> decode) where T : class
    {
        Span<long> ids = [id];
        var result = new T?[1];
        ReadMany(kind, ids, segment, result.AsSpan(), decode!, null);
        return result[0];
    }

    /// <summary>
    /// The ranking hot path: issue every read on one session, decode the ones served from memory at once, then
    /// complete the evicted ones together (their disk reads overlap) and decode those. The read's context is the
    /// index into the results.
    /// </summary>
    private unsafe void ReadMany<T>(RecordKind kind, ReadOnlySpan<long> ids, int segment, Span<T> results, PayloadDecoder<T> decode, T missing)
    {
        var rs = RentSession();
        try
        {
            int pending = IssueReads(rs, kind, ids, segment, results, decode, missing);
            if (pending == 0) return;
            rs.Session.CompletePendingWithOutputs(out var completed, wait: true);
            using (completed)
            {
                while (completed.Next())
                {
                    ref var c = ref completed.Current;
                    results[(int)c.Context] = Decode(c.Status, ref c.Output, decode, missing);
                }
            }
        }
        finally { ReturnSession(rs); }
    }

    /// <summary>Reads whose buckets and records are prefetched together before they run (their misses overlap).</summary>
    private const int PrefetchGroup = 32;

    /// <summary>
    /// Issues every read under one epoch protection (FASTER's unsafe context) instead of one per read, decoding
    /// the values served from memory at once; returns how many went pending (evicted, read from disk). The epoch
    /// is released before the caller waits on the disk, so a slow batch never holds back checkpoints or flushes.
    /// Reads go in groups of <see cref="PrefetchGroup"/>: first the group's hash buckets and records are
    /// prefetched (<see cref="IndexPrefetcher"/>), then the reads run against a warm cache. A read served from
    /// memory is decoded at once, so the next read reuses its output slot; only a pending read keeps its slot
    /// (FASTER completes into it later), so an in-memory batch touches one slot, not 500.
    /// </summary>
    private unsafe int IssueReads<T>(ReadSession rs, RecordKind kind, ReadOnlySpan<long> ids, int segment, Span<T> results, PayloadDecoder<T> decode, T missing)
    {
        var session = rs.Session.UnsafeContext;
        byte* slots = rs.Slots(ids.Length);
        byte* kp = stackalloc byte[FeatureKey.Length];
        var keySpan = new Span<byte>(kp, FeatureKey.Length);
        var prefetcher = _prefetcher;
        bool prefetch = prefetcher is { Enabled: true } && ids.Length > 1;
        long* hashes = stackalloc long[PrefetchGroup];
        int pending = 0;
        session.BeginUnsafe();
        try
        {
            long head = _kv.Log.HeadAddress;
            for (int g = 0; g < ids.Length; g += PrefetchGroup)
            {
                int n = Math.Min(PrefetchGroup, ids.Length - g);
                if (prefetch)
                {
                    for (int i = 0; i < n; i++)
                    {
                        FeatureKey.Write(keySpan, kind, ids[g + i], segment);
                        var k = SpanByte.FromPointer(kp, FeatureKey.Length);
                        hashes[i] = IndexPrefetcher.Hash(ref k);
                        prefetcher!.PrefetchBucket(hashes[i]);
                    }
                    for (int i = 0; i < n; i++) prefetcher!.PrefetchRecord(hashes[i], head);
                }
                for (int i = g; i < g + n; i++)
                {
                    FeatureKey.Write(keySpan, kind, ids[i], segment);
                    var key = SpanByte.FromPointer(kp, FeatureKey.Length);
                    var output = new SpanByteAndMemory(SpanByte.FromPointer(slots + (long)pending * ReadSession.SlotBytes, ReadSession.SlotBytes));
                    var status = session.Read(ref key, ref output, i, 0);
                    if (status.IsPending) { pending++; continue; }
                    results[i] = Decode(status, ref output, decode, missing);
                }
            }
        }
        finally { session.EndUnsafe(); }
        return pending;
    }

    private static T Decode<T>(Status status, ref SpanByteAndMemory output, PayloadDecoder<T> decode, T missing)
    {
        if (!status.Found) { output.Memory?.Dispose(); return missing; }
        if (output.IsSpanByte)
        {
            var stored = output.SpanByte.AsReadOnlySpan();
            return StoredValue.IsLive(stored) ? decode(StoredValue.Payload(stored)) : missing;
        }
        using var owner = output.Memory;
        var heap = owner!.Memory.Span[..output.Length];
        return StoredValue.IsLive(heap) ? decode(StoredValue.Payload(heap)) : missing;
    }
}
