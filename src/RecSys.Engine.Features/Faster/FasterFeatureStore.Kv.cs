using System.Buffers;
using FASTER.core;
using KvSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByteAndMemory, long, FASTER.core.SpanByteFunctions<long>>;

namespace RecSys.Engine.Features.Faster;

public sealed partial class FasterFeatureStore
{
    /// <summary>
    /// Reads one value (envelope included). A read of an evicted record goes pending and is completed here,
    /// synchronously, so callers see one code path whether the record was in memory or on disk. Only the write side
    /// calls this (the applier thread, a dedicated thread, and replay at open, before serving starts), so the wait
    /// never holds a pool thread; the serving reads complete asynchronously (<see cref="CompleteReadsAsync{T}"/>).
    /// A read from disk that comes back "not found" after the log's begin address moved is read again
    /// (<see cref="BeginMovedUnder"/>): every caller here writes a new value from what it read, and a record taken
    /// for missing loses everything it held.
    /// </summary>
    private unsafe bool TryReadRaw(KvSession session, RecordKind kind, long id, int segment, out IMemoryOwner<byte>? owner, out int length)
    {
        byte* kp = stackalloc byte[FeatureKey.Length];
        FeatureKey.Write(new Span<byte>(kp, FeatureKey.Length), kind, id, segment);
        var key = SpanByte.FromPointer(kp, FeatureKey.Length);
        while (true)
        {
            long begin = _kv.Log.BeginAddress;
            var output = default(SpanByteAndMemory);
            var status = session.Read(ref key, ref output, 0L, 0);
            bool fromDisk = status.IsPending;
            if (fromDisk)
            {
                ReadWentPending?.Invoke();
                session.CompletePendingWithOutputs(out var completed, wait: true);
                using (completed)
                {
                    while (completed.Next())
                    {
                        status = completed.Current.Status;
                        output = completed.Current.Output;
                    }
                }
            }
            if (status.Found)
            {
                owner = output.Memory;
                length = output.Length;
                return true;
            }
            output.Memory?.Dispose();
            if (fromDisk && BeginMovedUnder(begin)) continue;
            owner = null;
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// Whether the KV log's begin address moved since <paramref name="begin"/> was read, i.e. a compaction finished
    /// meanwhile. FASTER 2.6.5 completes a read that went to disk as "not found" when the address it read is below the
    /// begin address by then, though the compaction copied the record to the tail first: the record exists, and a
    /// second read finds the copy (CompactionReadRaceTests). Nothing else moves the begin address.
    /// </summary>
    private bool BeginMovedUnder(long begin) => _kv.Log.BeginAddress != begin;

    /// <summary>Waits synchronously for an upsert that goes pending; like <see cref="TryReadRaw"/> it runs on the write side only.</summary>
    private static unsafe void UpsertRaw(KvSession session, RecordKind kind, long id, int segment, byte[] value)
    {
        byte* kp = stackalloc byte[FeatureKey.Length];
        FeatureKey.Write(new Span<byte>(kp, FeatureKey.Length), kind, id, segment);
        var key = SpanByte.FromPointer(kp, FeatureKey.Length);
        fixed (byte* vp = value)
        {
            var v = SpanByte.FromPointer(vp, value.Length);
            var status = session.Upsert(ref key, ref v);
            if (status.IsPending) session.CompletePending(wait: true);
        }
    }
}
