using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// Hierarchical navigable small world graph (Malkov &amp; Yashunin), laid out like hnswlib but in chunks so
/// that growing never moves memory a concurrent reader may be looking at.
/// <code>
///   node i lives in chunk i >> 16, slot i &amp; 0xFFFF; per chunk (native memory, never moved or freed while open):
///     vectors  [slot * stride floats]         64-byte aligned rows (cosine: normalised); after Load, the mapped file
///     bf16     [slot * stride16 ushorts]      only with BFloat16Traversal: the rows rounded to bfloat16, 64-byte aligned
///     links0   [slot * (2M + 1) ints]         [count | 2M neighbour ids]   level 0, fixed stride
///     meta     [slot] int                     level (bits 0-7) | deleted (bit 8)
///     labels   [slot] long                    external id
///     upper    [slot] int*                    null, or level * (M + 1) ints: [count | M ids] per level 1..level
///   tables:   one object holding the chunk pointer arrays, replaced (never mutated) when a chunk is added
///   entry:    (entry node &lt;&lt; 32 | max level) in one long, swapped under a lock only when a node tops the graph
/// </code>
/// Readers take no lock: a link list is written ids first, count last, so a reader sees a consistent prefix
/// (perhaps a list one update old, which only costs a little recall). Writers (Add / Remove) are serialised
/// among themselves; inside one Add, nodes are inserted in parallel with striped spin locks per link list.
/// Memory is freed only by Dispose, so Dispose must not race with searches (the owner swaps indexes first).
/// A chunk is allocated whole (64K nodes: rows + (2M + 1) ints + 20 bytes each) but committed as it is written;
/// its rows, bf16 rows and level-0 lists sit on 2 MiB transparent huge pages on Linux (<see cref="LargePageMemory"/>:
/// at 1M x 96 that put our QPS from 1.09-1.16x to 1.36-1.37x hnswlib's at ef 64-128, bench/results/hnsw.md), so a
/// tiny index commits up to 2 MiB per array.
/// </summary>
public sealed unsafe partial class HnswIndex : IVectorIndex
{
    internal const int ChunkShift = 16;
    internal const int ChunkSize = 1 << ChunkShift;
    internal const int ChunkMask = ChunkSize - 1;
    private const int DeletedFlag = 1 << 8;
    private const int LevelMask = 0xFF;
    private const int MaxLevel = 31;
    private const int LockStripes = 4096;
    private const int LockPadInts = 16; // one stripe per 64-byte line: no false sharing between stripes

    private readonly int _m;
    private readonly int _m0;
    private readonly int _links0Stride;   // ints per level-0 list: count + 2M
    private readonly int _upperStride;    // ints per upper-level list: count + M
    private readonly double _levelMult;
    private readonly object _writeLock = new();
    private readonly object _entryLock = new();
    private readonly int[] _stripes = new int[LockStripes * LockPadInts];
    private NodeTables _tables;
    private long _entry = PackEntry(-1, -1);
    private int _nodeCount;   // nodes with storage (live + deleted), published after a batch is linked
    private long _liveCount;
    private int _deletedCount; // tombstones: while there are any, searches admit only live nodes
    private long _upperInts;  // ints held by upper-level lists (memory report, save)
    private MappedVectorFile? _mapped;
    private int _mappedChunks; // chunks [0, _mappedChunks) of vectors point into _mapped
    private Dictionary<long, int>? _ordinalOf; // external id -> node; built on the first write after Load
    private bool _disposed;

    public HnswIndex(int dimension, DistanceMetric metric, HnswOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!Enum.IsDefined(metric))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric");
        options ??= new HnswOptions();
        options.Validate();
        Dimension = dimension;
        Metric = metric;
        Options = options;
        _m = options.M;
        _m0 = 2 * options.M;
        _links0Stride = _m0 + 1;
        _upperStride = _m + 1;
        _levelMult = 1 / Math.Log(_m);
        RowStrideFloats = VectorFileHeader.StrideFor(dimension, VectorElementType.Float32) / sizeof(float);
        Bf16StrideUShorts = options.BFloat16Traversal ? (dimension + 31) & ~31 : 0;
        _tables = new NodeTables(4);
        _ordinalOf = new Dictionary<long, int>();
    }

    public string Kind => "hnsw";

    public int Dimension { get; }

    public DistanceMetric Metric { get; }

    public HnswOptions Options { get; }

    /// <summary>Live items (deleted ones excluded).</summary>
    public long Count => Volatile.Read(ref _liveCount);

    /// <summary>Nodes in the graph, tombstones included.</summary>
    public int NodeCount => Volatile.Read(ref _nodeCount);

    internal int RowStrideFloats { get; }

    /// <summary>ushorts per bfloat16 row (64-byte multiple); 0 without <see cref="HnswOptions.BFloat16Traversal"/>.</summary>
    internal int Bf16StrideUShorts { get; }

    /// <summary>Vectors (with padding), level-0 lists, meta, label and upper pointer per node, plus upper lists.</summary>
    public long MemoryBytes
    {
        get
        {
            long n = NodeCount;
            long perNode = (long)RowStrideFloats * sizeof(float) + (long)Bf16StrideUShorts * sizeof(ushort)
                + _links0Stride * sizeof(int) + sizeof(int) + sizeof(long) + sizeof(nint);
            return n * perNode + Volatile.Read(ref _upperInts) * sizeof(int);
        }
    }

    /// <summary>The highest level of the graph (-1 when empty).</summary>
    public int TopLevel => UnpackLevel(Volatile.Read(ref _entry));

    /// <summary>True when <paramref name="id"/> is a live item of the index.</summary>
    public bool Contains(long id)
    {
        lock (_writeLock)
        {
            EnsureIdMap();
            return _ordinalOf!.ContainsKey(id);
        }
    }

    // ---- node accessors: tiny, inlined, and the only place that knows the chunked layout ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float* VectorOf(NodeTables t, int node) =>
        (float*)t.VectorsPtr[node >> ChunkShift] + (nint)(node & ChunkMask) * RowStrideFloats;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ushort* Bf16Of(NodeTables t, int node) =>
        (ushort*)t.Bf16Ptr[node >> ChunkShift] + (nint)(node & ChunkMask) * Bf16StrideUShorts;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int* Links0Of(NodeTables t, int node) =>
        (int*)t.Links0Ptr[node >> ChunkShift] + (nint)(node & ChunkMask) * _links0Stride;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int* MetaOf(NodeTables t, int node) => (int*)t.Meta[node >> ChunkShift] + (node & ChunkMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long* LabelOf(NodeTables t, int node) => (long*)t.Labels[node >> ChunkShift] + (node & ChunkMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint* UpperSlotOf(NodeTables t, int node) => (nint*)t.Upper[node >> ChunkShift] + (node & ChunkMask);

    /// <summary>The list of <paramref name="node"/> at <paramref name="level"/>: [count | ids].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int* LinksOf(NodeTables t, int node, int level) =>
        level == 0 ? Links0Of(t, node) : (int*)*UpperSlotOf(t, node) + (long)(level - 1) * _upperStride;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDeleted(NodeTables t, int node) => (Volatile.Read(ref *MetaOf(t, node)) & DeletedFlag) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LevelOf(NodeTables t, int node) => *MetaOf(t, node) & LevelMask;

    private int MaxLinks(int level) => level == 0 ? _m0 : _m;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long PackEntry(int node, int level) => ((long)node << 32) | (uint)level;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int UnpackNode(long entry) => (int)(entry >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int UnpackLevel(long entry) => (int)(uint)entry;

    // ---- striped spin locks over link lists (build and repair only; readers never take them) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void LockNode(int node)
    {
        ref int word = ref _stripes[(node & (LockStripes - 1)) * LockPadInts];
        if (Interlocked.CompareExchange(ref word, 1, 0) == 0)
            return;
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref word, 1, 0) != 0)
            spin.SpinOnce(sleep1Threshold: -1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UnlockNode(int node) => Volatile.Write(ref _stripes[(node & (LockStripes - 1)) * LockPadInts], 0);

    // ---- storage growth ----

    /// <summary>Makes room for nodes [0, nodeCount): allocates chunks and publishes a new table object.</summary>
    private void EnsureCapacity(int nodeCount)
    {
        var t = _tables;
        int needChunks = (int)(((long)nodeCount + ChunkMask) >> ChunkShift);
        // A chunk whose vectors live in the read-only mapping cannot take new rows: copy the partial last one.
        if (_mappedChunks > 0 && nodeCount > _nodeCount && (_nodeCount >> ChunkShift) < _mappedChunks && (_nodeCount & ChunkMask) != 0)
            CopyMappedChunk(_nodeCount >> ChunkShift);
        if (needChunks <= t.Chunks)
            return;
        var grown = t.Grow(Math.Max(needChunks, t.Capacity));
        for (int c = t.Chunks; c < needChunks; c++)
            AllocateChunk(grown, c, vectors: null);
        grown.Chunks = needChunks;
        Volatile.Write(ref _tables, grown);
    }

    private nuint VectorChunkBytes => (nuint)ChunkSize * (nuint)RowStrideFloats * sizeof(float);

    private nuint Bf16ChunkBytes => (nuint)ChunkSize * (nuint)Bf16StrideUShorts * sizeof(ushort);

    private nuint Links0ChunkBytes => (nuint)ChunkSize * (nuint)_links0Stride * sizeof(int);

    private void AllocateChunk(NodeTables t, int c, float* vectors)
    {
        // The three arrays a search reads per neighbour (rows, bf16 rows, level-0 lists) on huge pages where the OS
        // allows (LargePageMemory says why); pages are committed as rows are written, so a small index does not
        // pay for the whole chunk up front.
        if (vectors == null)
            vectors = (float*)LargePageMemory.Allocate(VectorChunkBytes);
        t.Vectors[c] = (nint)vectors;
        if (Bf16StrideUShorts > 0)
            t.Bf16[c] = (nint)LargePageMemory.Allocate(Bf16ChunkBytes);
        t.Links0[c] = (nint)LargePageMemory.Allocate(Links0ChunkBytes);
        t.Meta[c] = (nint)NativeMemory.AllocZeroed(ChunkSize, sizeof(int));
        t.Labels[c] = (nint)NativeMemory.AllocZeroed(ChunkSize, sizeof(long));
        t.Upper[c] = (nint)NativeMemory.AllocZeroed(ChunkSize, (nuint)sizeof(nint));
    }

    /// <summary>Replaces a mapped vector chunk by an owned copy (same contents, so readers see no change).</summary>
    private void CopyMappedChunk(int c)
    {
        var t = _tables;
        nuint vecBytes = VectorChunkBytes;
        var owned = (float*)LargePageMemory.Allocate(vecBytes);
        long rows = Math.Min(ChunkSize, _nodeCount - ((long)c << ChunkShift));
        Buffer.MemoryCopy((void*)t.Vectors[c], owned, (long)vecBytes, rows * RowStrideFloats * sizeof(float));
        Volatile.Write(ref t.Vectors[c], (nint)owned);
        _mappedChunks = c; // chunks from c on are owned now (only the last mapped chunk can be partial)
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
                return;
            _disposed = true;
            var t = _tables;
            int nodes = _nodeCount;
            for (int c = 0; c < t.Chunks; c++)
            {
                int inChunk = (int)Math.Min(ChunkSize, Math.Max(0, nodes - ((long)c << ChunkShift)));
                var upper = (nint*)t.Upper[c];
                for (int s = 0; s < inChunk; s++)
                {
                    if (upper[s] != 0)
                        NativeMemory.Free((void*)upper[s]);
                }
                if (c >= _mappedChunks)
                    LargePageMemory.Free((void*)t.Vectors[c], VectorChunkBytes);
                if (t.Bf16[c] != 0)
                    LargePageMemory.Free((void*)t.Bf16[c], Bf16ChunkBytes);
                LargePageMemory.Free((void*)t.Links0[c], Links0ChunkBytes);
                NativeMemory.Free((void*)t.Meta[c]);
                NativeMemory.Free((void*)t.Labels[c]);
                NativeMemory.Free((void*)t.Upper[c]);
            }
            _tables = new NodeTables(1);
            _mapped?.Dispose();
            _mapped = null;
        }
    }

    /// <summary>
    /// Chunk pointer arrays; a new instance is published when chunks are added, so readers never see a torn table.
    /// The two the search loop reads per neighbour live on the pinned heap and are read through raw pointers
    /// (no bounds check, no array header hop).
    /// </summary>
    private sealed class NodeTables
    {
        public readonly nint[] Vectors;
        public readonly nint[] Bf16;
        public readonly nint[] Links0;
        public readonly nint[] Meta;
        public readonly nint[] Labels;
        public readonly nint[] Upper;
        public readonly nint* VectorsPtr;
        public readonly nint* Bf16Ptr;
        public readonly nint* Links0Ptr;
        public int Chunks;

        public NodeTables(int capacity)
        {
            Vectors = GC.AllocateArray<nint>(capacity, pinned: true);
            Bf16 = GC.AllocateArray<nint>(capacity, pinned: true);
            Links0 = GC.AllocateArray<nint>(capacity, pinned: true);
            Meta = new nint[capacity];
            Labels = new nint[capacity];
            Upper = new nint[capacity];
            VectorsPtr = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Vectors));
            Bf16Ptr = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Bf16));
            Links0Ptr = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Links0));
        }

        public int Capacity => Vectors.Length;

        public NodeTables Grow(int atLeast)
        {
            var g = new NodeTables(Math.Max(atLeast, Capacity * 2)) { Chunks = Chunks };
            Vectors.AsSpan().CopyTo(g.Vectors);
            Bf16.AsSpan().CopyTo(g.Bf16);
            Links0.AsSpan().CopyTo(g.Links0);
            Meta.AsSpan().CopyTo(g.Meta);
            Labels.AsSpan().CopyTo(g.Labels);
            Upper.AsSpan().CopyTo(g.Upper);
            return g;
        }
    }
}
