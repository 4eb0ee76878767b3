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
    /// A read that comes back "not found" after the log's begin address moved is read again
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
            if (status.IsPending)
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
            if (BeginMovedUnder(begin)) continue;
            owner = null;
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// Whether the KV log's begin address moved since <paramref name="begin"/> was read (before the read was issued),
    /// i.e. a compaction finished meanwhile. FASTER 2.6.5 answers "not found" for a record whose address is below the
    /// begin address when it looks, though the compaction copied the live record to the tail before moving it: a read
    /// that went to disk and completes after the move (CompactionReadRaceTests), and also a read served from memory
    /// that loaded the hash entry before the copy and compared after the move (FASTER moves the begin address without
    /// waiting for other threads' epochs). A second read finds the copy. Only compaction moves the begin address, one
    /// at a time under the checkpoint gate, so the re-reads end; a key that is really missing costs one more read.
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
