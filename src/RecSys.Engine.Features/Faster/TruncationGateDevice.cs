using FASTER.core;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// The KV log device, with deletion of log segments held back until checkpoints.json no longer needs them.
///
/// FASTER deletes the segments below the log's begin address by itself at the end of every checkpoint, before
/// <c>TakeFullCheckpointAsync</c> returns, so before this store has recorded that checkpoint in its manifest. After
/// a compaction (which moves the begin address) that would delete records the manifest's checkpoints still need:
/// a crash right then reopens the previous checkpoint, and the fallback checkpoint (RecoverFromPreviousCheckpoint)
/// needs them for good. So every truncation request from FASTER is clamped to <see cref="Allowed"/>, which the store
/// raises (<see cref="Allow"/>) only after a manifest naming no checkpoint below that address is on disk.
/// Everything else is passed through.
/// </summary>
internal sealed class TruncationGateDevice(IDevice inner) : IDevice
{
    private long _allowed;

    /// <summary>Segments wholly below this logical address may be deleted.</summary>
    public long Allowed => Volatile.Read(ref _allowed);

    /// <summary>Raises the bound (never lowers it) and deletes the segments wholly below it.</summary>
    public void Allow(long address)
    {
        long current;
        do
        {
            current = Volatile.Read(ref _allowed);
            if (address <= current) return;
        } while (Interlocked.CompareExchange(ref _allowed, address, current) != current);
        inner.TruncateUntilAddress(address);
    }

    private int AllowedSegment => inner.SegmentSize > 0 ? (int)(Allowed / inner.SegmentSize) : 0;

    public uint SectorSize => inner.SectorSize;

    public string FileName => inner.FileName;

    public long Capacity => inner.Capacity;

    public long SegmentSize => inner.SegmentSize;

    public int StartSegment => inner.StartSegment;

    public int EndSegment => inner.EndSegment;

    public int ThrottleLimit { get => inner.ThrottleLimit; set => inner.ThrottleLimit = value; }

    public void Initialize(long segmentSize, LightEpoch epoch = null!, bool omitSegmentIdFromFilename = false) =>
        inner.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);

    public bool TryComplete() => inner.TryComplete();

    public bool Throttle() => inner.Throttle();

    public void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context) =>
        inner.WriteAsync(sourceAddress, segmentId, destinationAddress, numBytesToWrite, callback, context);

    public void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context) =>
        inner.ReadAsync(segmentId, sourceAddress, destinationAddress, readLength, callback, context);

    public void WriteAsync(IntPtr alignedSourceAddress, ulong alignedDestinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context) =>
        inner.WriteAsync(alignedSourceAddress, alignedDestinationAddress, numBytesToWrite, callback, context);

    public void ReadAsync(ulong alignedSourceAddress, IntPtr alignedDestinationAddress, uint aligned_read_length, DeviceIOCompletionCallback callback, object context) =>
        inner.ReadAsync(alignedSourceAddress, alignedDestinationAddress, aligned_read_length, callback, context);

    public void TruncateUntilAddressAsync(long toAddress, AsyncCallback callback, IAsyncResult result) =>
        inner.TruncateUntilAddressAsync(Math.Min(toAddress, Allowed), callback, result);

    public void TruncateUntilAddress(long toAddress) => inner.TruncateUntilAddress(Math.Min(toAddress, Allowed));

    public void TruncateUntilSegmentAsync(int toSegment, AsyncCallback callback, IAsyncResult result) =>
        inner.TruncateUntilSegmentAsync(Math.Min(toSegment, AllowedSegment), callback, result);

    public void TruncateUntilSegment(int toSegment) => inner.TruncateUntilSegment(Math.Min(toSegment, AllowedSegment));

    public void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
    {
        if (segment < AllowedSegment) inner.RemoveSegmentAsync(segment, callback, result);
        else callback(result);
    }

    public void RemoveSegment(int segment)
    {
        if (segment < AllowedSegment) inner.RemoveSegment(segment);
    }

    public long GetFileSize(int segment) => inner.GetFileSize(segment);

    public void Reset() => inner.Reset();

    public void Dispose() => inner.Dispose();
}
