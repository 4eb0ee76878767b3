using KvSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByteAndMemory, long, FASTER.core.SpanByteFunctions<long>>;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// A pooled FASTER session plus a pinned output buffer cut into fixed slots, one per read of a batch: FASTER copies
/// each value straight into its slot (no per-read allocation), and reads that go pending (evicted records) complete
/// into their own slot too. Slots hold an item record or a CF vector of up to ~250 dimensions; a value larger than a slot falls back to pooled heap memory.
/// </summary>
internal sealed unsafe class ReadSession(KvSession session) : IDisposable
{
    public const int SlotBytes = 1024;

    private byte[] _buffer = [];

    public KvSession Session { get; } = session;

    /// <summary>The KV log's begin address when the reads now pending on this session were issued.</summary>
    public long IssuedAtBegin { get; set; }

    /// <summary>Slot base pointer for <paramref name="slots"/> reads; stable until the next call (the array is pinned).</summary>
    public byte* Slots(int slots)
    {
        if (_buffer.Length < slots * SlotBytes)
            _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(slots, 64) * SlotBytes, pinned: true);
        return (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_buffer));
    }

    public void Dispose() => Session.Dispose();
}
