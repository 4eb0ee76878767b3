using System.Buffers;
using FASTER.core;
using RecSys.Engine.Features.Codecs;
using RecSys.Engine.Features.Records;
using KvSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByteAndMemory, long, FASTER.core.SpanByteFunctions<long>>;

namespace RecSys.Engine.Features.Faster;

public sealed partial class FasterFeatureStore
{
    /// <summary>Decodes a live payload (envelope stripped).</summary>
    private delegate T PayloadDecoder<T>(ReadOnlySpan<byte> payload);

    private static readonly PayloadDecoder<UserProfile?> DecodeProfile = static p => UserProfileCodec.Decode(p);
    private static readonly PayloadDecoder<float[]?> DecodeCfVector = static p => CfVectorCodec.Decode(p);
    private static readonly PayloadDecoder<ItemMetadata?> DecodeItem = static p => ItemMetadataCodec.Decode(p);
    private static readonly PayloadDecoder<HistoryEvent[]?> DecodeWholeHistory = static p => HistoryCodec.DecodeNewestFirst(p, int.MaxValue);
    private static readonly PayloadDecoder<long[]?> DecodeSeen = static p => SeenSetCodec.Decode(p);
    private static readonly PayloadDecoder<DecayedCounter> DecodeCounter = static p => DecayedCounterCodec.Decode(p);

    /// <summary>
    /// Test seam: runs after a read went to disk and before it is completed (on the applier, or on the reading
    /// thread), so a test can move the log's begin address in between.
    /// </summary>
    internal Action? ReadWentPending { get; set; }

    public ValueTask<UserProfile?> GetUserProfileAsync(long userId, CancellationToken cancellationToken = default) =>
        ReadOne(RecordKind.UserProfile, userId, DecodeProfile);

    public ValueTask GetUserProfilesAsync(ReadOnlyMemory<long> userIds, Memory<UserProfile?> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < userIds.Length) throw new ArgumentException($"results holds {results.Length}, fewer than the {userIds.Length} ids", nameof(results));
        return ReadMany(RecordKind.UserProfile, userIds.Span, 0, results, DecodeProfile, null);
    }

    public ValueTask<float[]?> GetCfVectorAsync(long userId, CancellationToken cancellationToken = default) =>
        ReadOne(RecordKind.UserCfVector, userId, DecodeCfVector);

    public ValueTask<ItemMetadata?> GetItemAsync(long itemId, CancellationToken cancellationToken = default) =>
        ReadOne(RecordKind.Item, itemId, DecodeItem);

    public ValueTask<HistoryEvent[]> GetRecentHistoryAsync(long userId, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        // The pipeline reads the whole history: that decoder is cached; a bounded read allocates its own.
        var read = ReadOne(RecordKind.UserHistory, userId, max == int.MaxValue ? DecodeWholeHistory : p => HistoryCodec.DecodeNewestFirst(p, max));
        return read.IsCompletedSuccessfully ? new(read.Result ?? []) : OrEmptyAsync(read);
    }

    public ValueTask<long[]> GetOlderSeenItemsAsync(long userId, CancellationToken cancellationToken = default)
    {
        var read = ReadOne(RecordKind.UserSeen, userId, DecodeSeen);
        return read.IsCompletedSuccessfully ? new(read.Result ?? []) : OrEmptyAsync(read);
    }

    private static async ValueTask<T[]> OrEmptyAsync<T>(ValueTask<T[]?> read) => await read.ConfigureAwait(false) ?? [];

    public ValueTask GetItemsAsync(ReadOnlyMemory<long> itemIds, Memory<ItemMetadata?> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < itemIds.Length) throw new ArgumentException($"results holds {results.Length}, fewer than the {itemIds.Length} ids", nameof(results));
        return ReadMany(RecordKind.Item, itemIds.Span, 0, results, DecodeItem, null);
    }

    public ValueTask GetItemCountersAsync(ReadOnlyMemory<long> itemIds, int segment, long nowMs, Memory<double> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < itemIds.Length) throw new ArgumentException($"results holds {results.Length}, fewer than the {itemIds.Length} ids", nameof(results));
        // Pooled: the ranking path reads a few hundred counters per request and should not allocate for them. The
        // array goes back only after the last read completed into it (after the await when reads went to disk).
        var rented = ArrayPool<DecayedCounter>.Shared.Rent(itemIds.Length);
        var counters = rented.AsMemory(0, itemIds.Length);
        var kind = segment < 0 ? RecordKind.ItemCounter : RecordKind.ItemSegmentCounter;
        ReadSession? held;
        try { held = BeginReads(kind, itemIds.Span, Math.Max(segment, 0), counters.Span, DecodeCounter, default); }
        catch { ArrayPool<DecayedCounter>.Shared.Return(rented); throw; }
        if (held is not null) return DecayAfterDiskAsync(held, rented, counters, results, nowMs);
        Decay(counters.Span, results.Span, nowMs);
        ArrayPool<DecayedCounter>.Shared.Return(rented);
        return ValueTask.CompletedTask;
    }

    private async ValueTask DecayAfterDiskAsync(ReadSession held, DecayedCounter[] rented, Memory<DecayedCounter> counters, Memory<double> results, long nowMs)
    {
        try
        {
            await CompleteReadsAsync(held, counters, DecodeCounter, default).ConfigureAwait(false);
            Decay(counters.Span, results.Span, nowMs);
        }
        finally { ArrayPool<DecayedCounter>.Shared.Return(rented); }
    }

    private void Decay(ReadOnlySpan<DecayedCounter> counters, Span<double> results, long nowMs)
    {
        for (int i = 0; i < counters.Length; i++) results[i] = counters[i].ValueAt(nowMs, _halfLifeMs);
    }

    /// <summary>
    /// One read. From memory it completes synchronously and allocates nothing of its own (the result slot is a local);
    /// only a read that went to disk allocates its one-element result array and an async completion.
    /// </summary>
    private ValueTask<T?> ReadOne<T>(RecordKind kind, long id, PayloadDecoder<T?> decode) where T : class
    {
        T? value = null;
        var held = BeginReads(kind, new ReadOnlySpan<long>(in id), 0, new Span<T?>(ref value), decode, null);
        return held is null ? new(value) : CompleteOneAsync(held, decode);

        async ValueTask<T?> CompleteOneAsync(ReadSession held, PayloadDecoder<T?> decode)
        {
            var result = new T?[1];
            await CompleteReadsAsync(held, result, decode, null).ConfigureAwait(false);
            return result[0];
        }
    }

    /// <summary>
    /// The ranking hot path: issue every read on one session, decode the ones served from memory at once, then
    /// complete the evicted ones together (their disk reads overlap) and decode those. The read's context is the
    /// index into the results. When nothing went to disk this completes synchronously, with no state machine.
    /// </summary>
    private ValueTask ReadMany<T>(RecordKind kind, ReadOnlySpan<long> ids, int segment, Memory<T> results, PayloadDecoder<T> decode, T missing)
    {
        var held = BeginReads(kind, ids, segment, results.Span, decode, missing);
        return held is null ? ValueTask.CompletedTask : CompleteReadsAsync(held, results, decode, missing);
    }

    /// <summary>
    /// Rents a session and issues the reads (<see cref="IssueReads{T}"/>). Null when every read was served from
    /// memory (the session is back in the pool); otherwise the session, still held, with reads pending on it: the
    /// caller must hand it to <see cref="CompleteReadsAsync{T}"/>, which completes them into its output slots and
    /// returns it.
    /// </summary>
    private ReadSession? BeginReads<T>(RecordKind kind, ReadOnlySpan<long> ids, int segment, Span<T> results, PayloadDecoder<T> decode, T missing)
    {
        var rs = RentSession();
        int pending = 0;
        try
        {
            IssueReads(rs, kind, ids, segment, results, decode, missing, ref pending);
        }
        catch
        {
            // A decode failed (a damaged record) after some reads went pending: they complete in the background, and
            // only then does the session go back, so the next renter never receives this batch's completions.
            if (pending == 0) ReturnSession(rs);
            else _ = DrainThenReturnAsync(rs);
            throw;
        }
        if (pending > 0) return rs;
        ReturnSession(rs);
        return null;
    }

    /// <summary>
    /// Completes the reads that went to disk without holding a thread: a pool thread that waited here synchronously
    /// (CompletePendingWithOutputs with wait: true) waited for FASTER's device I/O, whose completion itself runs on
    /// the pool; under a burst of such reads the pool starved (bench/results/slo-overload.md, case a2). No epoch is
    /// held across the await (FASTER takes it itself while it completes), and no cancellation token is passed: a
    /// completion abandoned half way would leave reads pending on a pooled session.
    /// </summary>
    private async ValueTask CompleteReadsAsync<T>(ReadSession held, Memory<T> results, PayloadDecoder<T> decode, T missing)
    {
        // Whether the session has no reads pending, so that it may go straight back to the pool.
        bool idle = false;
        try
        {
            ReadWentPending?.Invoke();
            while (true)
            {
                List<(long Index, byte[] Key)>? again = null;
                var completed = await held.Session.CompletePendingWithOutputsAsync().ConfigureAwait(false);
                idle = true;
                using (completed)
                {
                    var r = results.Span;
                    while (completed.Next())
                    {
                        ref var c = ref completed.Current;
                        // Not found after a compaction moved the begin address: maybe a copy at the tail (BeginMovedUnder).
                        if (!c.Status.Found && BeginMovedUnder(held.IssuedAtBegin))
                        {
                            c.Output.Memory?.Dispose();
                            (again ??= []).Add((c.Context, c.Key.ToByteArray()));
                            continue;
                        }
                        r[(int)c.Context] = Decode(c.Status, ref c.Output, decode, missing);
                    }
                }
                if (again is null) return;
                int went = 0;
                try { ReadAgain(held, again, results.Span, decode, missing, ref went); }
                finally { idle = went == 0; }
                if (idle) return;
            }
        }
        finally
        {
            // A decode that threw with reads still pending: they complete in the background, and only then does the
            // session go back, so the next renter never receives this batch's completions.
            if (idle) ReturnSession(held);
            else _ = DrainThenReturnAsync(held);
        }
    }

    /// <summary>
    /// Issues the reads of <paramref name="again"/> once more on the held session (its slots are free: every earlier
    /// completion was decoded), decoding those served from memory; counts in <paramref name="went"/> those that went
    /// to disk again (as they go, so a caller whose decode threw knows reads are pending).
    /// </summary>
    private unsafe void ReadAgain<T>(ReadSession held, List<(long Index, byte[] Key)> again, Span<T> results, PayloadDecoder<T> decode, T missing, ref int went)
    {
        held.IssuedAtBegin = _kv.Log.BeginAddress;
        byte* slots = held.Slots(again.Count);
        foreach (var (index, keyBytes) in again)
        {
            fixed (byte* kp = keyBytes)
            {
                var key = SpanByte.FromPointer(kp, keyBytes.Length);
                long begin = held.IssuedAtBegin;
                while (true)
                {
                    var output = new SpanByteAndMemory(SpanByte.FromPointer(slots + (long)went * ReadSession.SlotBytes, ReadSession.SlotBytes));
                    var status = held.Session.Read(ref key, ref output, index, 0);
                    if (status.IsPending) { went++; break; }
                    if (!status.Found && BeginMovedUnder(begin)) { output.Memory?.Dispose(); begin = _kv.Log.BeginAddress; continue; }
                    results[(int)index] = Decode(status, ref output, decode, missing);
                    break;
                }
            }
        }
    }

    private async Task DrainThenReturnAsync(ReadSession held)
    {
        try
        {
            await held.Session.CompletePendingAsync().ConfigureAwait(false);
            ReturnSession(held);
        }
        catch (Exception)
        {
            // The store is being disposed under it, or FASTER failed the reads: drop the session rather than pool one
            // whose state is unknown.
        }
    }

    /// <summary>Reads whose buckets and records are prefetched together before they run (their misses overlap).</summary>
    private const int PrefetchGroup = 32;

    /// <summary>
    /// Issues every read under one epoch protection (FASTER's unsafe context) instead of one per read, decoding
    /// the values served from memory at once; counts in <paramref name="pending"/> the reads that went pending
    /// (evicted, read from disk; counted as they go, so a caller that catches a decode failure knows). The epoch
    /// is released before the caller waits on the disk, so a slow batch never holds back checkpoints or flushes.
    /// Reads go in groups of <see cref="PrefetchGroup"/>: first the group's hash buckets and records are
    /// prefetched (<see cref="IndexPrefetcher"/>), then the reads run against a warm cache. A read served from
    /// memory is decoded at once, so the next read reuses its output slot; only a pending read keeps its slot
    /// (FASTER completes into it later), so an in-memory batch touches one slot, not 500.
    /// </summary>
    private unsafe void IssueReads<T>(ReadSession rs, RecordKind kind, ReadOnlySpan<long> ids, int segment, Span<T> results, PayloadDecoder<T> decode, T missing, ref int pending)
    {
        var session = rs.Session.UnsafeContext;
        byte* slots = rs.Slots(ids.Length);
        byte* kp = stackalloc byte[FeatureKey.Length];
        var keySpan = new Span<byte>(kp, FeatureKey.Length);
        var prefetcher = _prefetcher;
        bool prefetch = prefetcher is { Enabled: true } && ids.Length > 1;
        long* hashes = stackalloc long[PrefetchGroup];
        int went = 0; // counted here and published on every exit: the caller needs it also when a decode throws
        session.BeginUnsafe();
        try
        {
            rs.IssuedAtBegin = _kv.Log.BeginAddress;
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
                    // The batch's begin address as the baseline: the hot path reads the current one only on a miss.
                    long begin = rs.IssuedAtBegin;
                    while (true)
                    {
                        var output = new SpanByteAndMemory(SpanByte.FromPointer(slots + (long)went * ReadSession.SlotBytes, ReadSession.SlotBytes));
                        var status = session.Read(ref key, ref output, i, 0);
                        if (status.IsPending) { went++; break; }
                        // Served from memory but not found while a compaction moved the begin address: read again (BeginMovedUnder).
                        if (!status.Found && BeginMovedUnder(begin)) { output.Memory?.Dispose(); begin = _kv.Log.BeginAddress; continue; }
                        results[i] = Decode(status, ref output, decode, missing);
                        break;
                    }
                }
            }
        }
        finally
        {
            session.EndUnsafe();
            pending = went;
        }
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
