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
    /// </summary>
    private static unsafe bool TryReadRaw(KvSession session, RecordKind kind, long id, int segment, out IMemoryOwner<byte>? owner, out int length)
    {
        byte* kp = stackalloc byte[FeatureKey.Length];
        FeatureKey.Write(new Span<byte>(kp, FeatureKey.Length), kind, id, segment);
        var key = SpanByte.FromPointer(kp, FeatureKey.Length);
        var output = default(SpanByteAndMemory);
        var status = session.Read(ref key, ref output, 0L, 0);
        if (status.IsPending)
        {
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
        if (!status.Found)
        {
            output.Memory?.Dispose();
            owner = null;
            length = 0;
            return false;
        }
        owner = output.Memory;
        length = output.Length;
        return true;
    }

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
