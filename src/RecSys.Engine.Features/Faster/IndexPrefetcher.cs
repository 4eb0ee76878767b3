using System.Reflection;
using System.Runtime.Intrinsics.X86;
using FASTER.core;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// Software prefetch for a batch of reads. A FASTER read costs about three cache misses (hash bucket, record, output),
/// each ~150-200 ns on this VM, and FASTER's read path is too long for the CPU to overlap the next read's misses with
/// the current one. FASTER exposes no prefetch, so this finds the hash table and the log's page table once through
/// reflection (Microsoft.FASTER.Core 2.6.5 internals: FasterBase.state / resizeInfo, InternalHashTable.tableAligned,
/// VariableLengthBlittableAllocator.nativePointers) and, for a group of keys, first prefetches their buckets, then
/// reads each bucket's entry for the key's tag and prefetches the record it points to; the reads that follow then hit
/// the cache, and the misses of a whole group overlap.
///
/// Hints only: a prefetch never faults and never changes what a read returns, so a wrong or stale address costs
/// nothing but the miss. If the internals are not found (another FASTER version), <see cref="Enabled"/> is false and
/// reads run unchanged. The loads this does make (bucket words, the page table) are of memory FASTER keeps for the
/// store's lifetime: the index is never resized (its size is fixed by the options) and the page table is a pinned
/// array; callers hold epoch protection, so no page is freed under a record prefetch.
/// </summary>
internal sealed unsafe class IndexPrefetcher
{
    private const int TagShift = 48;          // Constants.kTagShift
    private const long TagMask = 0x3FFF;      // Constants.kTagMask (14 bits)
    private const int HashTagShift = 50;      // Constants.kHashTagShift
    private const long AddressMask = (1L << 48) - 1;
    private const long ReadCacheBit = 1L << 47;
    private const int EntriesPerBucket = 7;   // entry 7 links an overflow bucket

    private readonly long* _table;
    private readonly long _sizeMask;
    private readonly long* _pagePointers;
    private readonly int _pageBits;
    private readonly long _pageMask;
    private readonly long _bufferMask;

    public bool Enabled { get; }

    public IndexPrefetcher(FasterKV<SpanByte, SpanByte> kv)
    {
        if (!Sse.IsSupported) return;
        try
        {
            const BindingFlags Any = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
            var baseType = typeof(FasterBase);
            var states = (Array)baseType.GetField("state", Any)!.GetValue(kv)!;
            object resize = baseType.GetField("resizeInfo", Any)!.GetValue(kv)!;
            int version = (int)resize.GetType().GetField("version")!.GetValue(resize)!;
            object table = states.GetValue(version)!;
            var tableType = table.GetType();
            _table = (long*)Pointer.Unbox(tableType.GetField("tableAligned")!.GetValue(table)!);
            _sizeMask = (long)tableType.GetField("size_mask")!.GetValue(table)!;

            object hlog = kv.GetType().GetField("hlog", Any)!.GetValue(kv)!;
            var hlogType = hlog.GetType();
            _pagePointers = (long*)Pointer.Unbox(hlogType.GetField("nativePointers", Any)!.GetValue(hlog)!);
            var allocatorBase = hlogType.BaseType!;
            _pageBits = (int)allocatorBase.GetField("LogPageSizeBits", Any)!.GetValue(hlog)!;
            _pageMask = (int)allocatorBase.GetField("PageSizeMask", Any)!.GetValue(hlog)!;
            _bufferMask = (int)allocatorBase.GetField("BufferSize", Any)!.GetValue(hlog)! - 1;
            Enabled = _table != null && _pagePointers != null && _sizeMask == kv.IndexSize - 1;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidCastException or ArgumentException or TargetException or FieldAccessException)
        {
            Enabled = false;
        }
    }

    /// <summary>FASTER's hash of a key (the same function its index uses).</summary>
    public static long Hash(ref SpanByte key) => SpanByteComparer.StaticGetHashCode64(ref key);

    public void PrefetchBucket(long hash) => Sse.Prefetch0(_table + (hash & _sizeMask) * 8);

    /// <summary>Prefetches the newest in-memory record of the bucket entry whose tag matches (its first two lines).</summary>
    public void PrefetchRecord(long hash, long headAddress)
    {
        long* bucket = _table + (hash & _sizeMask) * 8;
        long tag = (long)((ulong)hash >> HashTagShift);
        for (int e = 0; e < EntriesPerBucket; e++)
        {
            long word = bucket[e];
            if (((word >> TagShift) & TagMask) != tag || word == 0) continue;
            long address = word & AddressMask;
            if ((address & ReadCacheBit) != 0 || address < headAddress) return;
            byte* p = (byte*)_pagePointers[(address >> _pageBits) & _bufferMask] + (address & _pageMask);
            Sse.Prefetch0(p);
            Sse.Prefetch0(p + 64);
            return;
        }
    }
}
