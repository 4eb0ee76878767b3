using RecSys.Engine.Features.Codecs;
using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Faster;

public sealed partial class FasterFeatureStore
{
    /// <summary>
    /// Applies one write-ahead log entry to the KV. The same code runs for live writes (applier thread) and for
    /// replay at open (single thread, before the applier starts), so replay is exercised by every write.
    /// <paramref name="replaying"/>: blind upserts then check the stored LSN first (live writes are always newer).
    /// </summary>
    private void Apply(long lsn, ReadOnlySpan<byte> entry, bool replaying)
    {
        var record = WalRecord.Decode(entry, lsn);
        var s = _applySession;
        switch (record.Op)
        {
            case WalOp.UpsertProfile:
                Put(RecordKind.UserProfile, record.Id, 0, lsn, StoredValue.Live, record.Body, replaying);
                break;
            case WalOp.UpsertCfVector:
                Put(RecordKind.UserCfVector, record.Id, 0, lsn, StoredValue.Live, record.Body, replaying);
                break;
            case WalOp.UpsertItem:
                Put(RecordKind.Item, record.Id, 0, lsn, StoredValue.Live, record.Body, replaying);
                break;
            case WalOp.DeleteUser:
                Put(RecordKind.UserProfile, record.Id, 0, lsn, StoredValue.Tombstone, default, replaying);
                Put(RecordKind.UserHistory, record.Id, 0, lsn, StoredValue.Tombstone, default, replaying);
                Put(RecordKind.UserSeen, record.Id, 0, lsn, StoredValue.Tombstone, default, replaying);
                Put(RecordKind.UserCfVector, record.Id, 0, lsn, StoredValue.Tombstone, default, replaying);
                break;
            case WalOp.MarkItemDeleted:
                if (TryReadRaw(s, RecordKind.Item, record.Id, 0, out var owner, out int len))
                {
                    using (owner)
                    {
                        var stored = owner!.Memory.Span[..len];
                        if (StoredValue.Lsn(stored) < lsn && StoredValue.IsLive(stored))
                            UpsertRaw(s, RecordKind.Item, record.Id, 0,
                                StoredValue.Create(lsn, StoredValue.Live, ItemMetadataCodec.WithDeleted(StoredValue.Payload(stored))));
                    }
                }
                break;
            case WalOp.Event:
                ApplyEvent(record.ToEvent(), lsn);
                break;
        }
    }

    private void Put(RecordKind kind, long id, int segment, long lsn, byte state, ReadOnlySpan<byte> payload, bool replaying)
    {
        if (replaying && StoredLsn(kind, id, segment) >= lsn) return;
        UpsertRaw(_applySession, kind, id, segment, StoredValue.Create(lsn, state, payload));
    }

    private long StoredLsn(RecordKind kind, long id, int segment)
    {
        if (!TryReadRaw(_applySession, kind, id, segment, out var owner, out int len)) return -1;
        using (owner) return StoredValue.Lsn(owner!.Memory.Span[..len]);
    }

    /// <summary>History insert and counter updates are read-modify-write; each key is skipped when it already holds this entry.</summary>
    private void ApplyEvent(UserEvent e, long lsn)
    {
        var s = _applySession;
        HistoryEvent[] history = [];
        bool apply = true;
        if (TryReadRaw(s, RecordKind.UserHistory, e.UserId, 0, out var owner, out int len))
        {
            using (owner)
            {
                var stored = owner!.Memory.Span[..len];
                apply = StoredValue.Lsn(stored) < lsn;
                if (apply && StoredValue.IsLive(stored)) history = HistoryCodec.Decode(StoredValue.Payload(stored));
            }
        }
        if (apply)
        {
            var dropped = t_dropped ??= [];
            dropped.Clear();
            history = HistoryCodec.Insert(history, e.ToHistoryEvent(), _options.HistoryCapacity, _options.ImpressionCapacity, dropped);
            // The seen set first: a crash between the two writes then leaves an item in both, never in neither (replay
            // skips each key that already holds this entry).
            if (dropped.Count > 0 && _options.SeenCapacity > 0)
                AddToSeen(e.UserId, dropped, lsn);
            UpsertRaw(s, RecordKind.UserHistory, e.UserId, 0, StoredValue.Create(lsn, StoredValue.Live, HistoryCodec.Encode(history)));
        }

        AddToCounter(RecordKind.ItemCounter, e.ItemId, 0, e, lsn);
        if (e.Segment >= 0) AddToCounter(RecordKind.ItemSegmentCounter, e.ItemId, e.Segment, e, lsn);
    }

    [ThreadStatic] private static List<long>? t_dropped;

    private void AddToSeen(long userId, List<long> items, long lsn)
    {
        var s = _applySession;
        long[] seen = [];
        if (TryReadRaw(s, RecordKind.UserSeen, userId, 0, out var owner, out int len))
        {
            using (owner)
            {
                var stored = owner!.Memory.Span[..len];
                if (StoredValue.Lsn(stored) >= lsn) return;
                if (StoredValue.IsLive(stored)) seen = SeenSetCodec.Decode(StoredValue.Payload(stored));
            }
        }
        if (SeenSetCodec.Add(seen, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(items), _options.SeenCapacity) is { } grown)
            UpsertRaw(s, RecordKind.UserSeen, userId, 0, StoredValue.Create(lsn, StoredValue.Live, SeenSetCodec.Encode(grown)));
    }

    private void AddToCounter(RecordKind kind, long itemId, int segment, in UserEvent e, long lsn)
    {
        var s = _applySession;
        var counter = default(DecayedCounter);
        if (TryReadRaw(s, kind, itemId, segment, out var owner, out int len))
        {
            using (owner)
            {
                var stored = owner!.Memory.Span[..len];
                if (StoredValue.Lsn(stored) >= lsn) return;
                counter = DecayedCounterCodec.Decode(StoredValue.Payload(stored));
            }
        }
        counter = counter.Add(e.Value, e.TimestampMs, _halfLifeMs);
        UpsertRaw(s, kind, itemId, segment, StoredValue.Create(lsn, StoredValue.Live, DecayedCounterCodec.Encode(counter)));
    }
}
