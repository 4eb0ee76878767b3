using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// On disk an HNSW index is a directory:
/// <code>
///   vectors.rsv   RecSys vector file, node order (cosine rows already normalised); memory-mapped on load
///   ids.bin       node -> external id (IdFile)
///   graph.bin     128-byte header, then the payload, all little-endian int32:
///                   level-0 lists   nodes x (2M + 1)   [count | ids]
///                   meta            nodes              level | deleted bit
///                   upper lists     for each node with level > 0, in node order: level x (M + 1)
///   index.json    {"kind":"hnsw","version":1,"dimension","metric","count" = nodes}, written last
/// graph.bin header:
///   0 magic "RSYSHNSW"  8 version  12 dimension  16 metric  20 M  24 ef construction  28 ef search
///   32 nodes (int64)  40 live (int64)  48 entry node  52 top level  56 upper ints (int64)  64 seed
///   72 flags (bit 0: keep pruned, bit 1: bfloat16 traversal; the bf16 rows themselves are rebuilt on load)  76..120 zero  120 checksum (FNV-1a over the payload's 32-bit words)
/// </code>
/// Load maps the vectors and reads the graph straight into its chunks: no rebuild, no distance computed.
/// Any disagreement between the files (dimension, metric, count, size, checksum) is an InvalidDataException
/// naming the file and what disagrees.
/// </summary>
public sealed unsafe partial class HnswIndex
{
    public const string VectorsFileName = "vectors.rsv";
    public const string IdsFileName = "ids.bin";
    public const string GraphFileName = "graph.bin";
    public const string ManifestFileName = "index.json";
    private const int FormatVersion = 1;
    private static readonly BinaryFileFormat GraphFormat = new("HNSW graph file", "RSYSHNSW"u8, FormatVersion, headerSize: 128);

    public void Save(string directory)
    {
        ThrowIfDisposed();
        DurableFile.CreateDirectory(directory);
        lock (_writeLock)
        {
            ThrowIfDisposed();
            var t = _tables;
            int nodes = _nodeCount;
            using (var writer = new VectorFileWriter(Path.Combine(directory, VectorsFileName), Dimension, Metric))
            {
                for (int node = 0; node < nodes; node++)
                    writer.Append(new ReadOnlySpan<float>(VectorOf(t, node), Dimension));
                writer.Complete();
            }
            var labels = new long[nodes];
            for (int node = 0; node < nodes; node++)
                labels[node] = *LabelOf(t, node);
            IdFile.Write(Path.Combine(directory, IdsFileName), labels);
            WriteGraph(Path.Combine(directory, GraphFileName), t, nodes);
            IndexManifest.Write(Path.Combine(directory, ManifestFileName), Kind, FormatVersion, Dimension, Metric, nodes);
        }
    }

    private void WriteGraph(string path, NodeTables t, int nodes)
    {
        ulong checksum = ChecksumSeed;
        long upperInts = 0;
        using var file = DurableFile.Create(path);
        var fs = file.Stream;
        Span<byte> h = stackalloc byte[GraphFormat.HeaderSize];
        fs.Write(h); // placeholder until the checksum is known
        for (int c = 0; c * (long)ChunkSize < nodes; c++)
        {
            int inChunk = Math.Min(ChunkSize, nodes - c * ChunkSize);
            WriteInts(fs, (int*)t.Links0[c], (long)inChunk * _links0Stride, ref checksum);
        }
        for (int c = 0; c * (long)ChunkSize < nodes; c++)
        {
            int inChunk = Math.Min(ChunkSize, nodes - c * ChunkSize);
            WriteInts(fs, (int*)t.Meta[c], inChunk, ref checksum);
        }
        for (int node = 0; node < nodes; node++)
        {
            int level = LevelOf(t, node);
            if (level == 0)
                continue;
            long ints = (long)level * _upperStride;
            WriteInts(fs, (int*)*UpperSlotOf(t, node), ints, ref checksum);
            upperInts += ints;
        }

        GraphFormat.WriteHeader(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[12..], Dimension);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], (int)Metric);
        BinaryPrimitives.WriteInt32LittleEndian(h[20..], _m);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], Options.EfConstruction);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], Options.EfSearch);
        BinaryPrimitives.WriteInt64LittleEndian(h[32..], nodes);
        BinaryPrimitives.WriteInt64LittleEndian(h[40..], _liveCount);
        BinaryPrimitives.WriteInt32LittleEndian(h[48..], UnpackNode(_entry));
        BinaryPrimitives.WriteInt32LittleEndian(h[52..], UnpackLevel(_entry));
        BinaryPrimitives.WriteInt64LittleEndian(h[56..], upperInts);
        BinaryPrimitives.WriteUInt64LittleEndian(h[64..], Options.Seed);
        BinaryPrimitives.WriteInt32LittleEndian(h[72..], (Options.KeepPrunedConnections ? 1 : 0) | (Options.BFloat16Traversal ? 2 : 0));
        BinaryPrimitives.WriteUInt64LittleEndian(h[120..], checksum);
        fs.Position = 0;
        fs.Write(h);
        file.Commit();
    }

    private const ulong ChecksumSeed = 0xCBF29CE484222325UL;

    private static void WriteInts(Stream fs, int* p, long count, ref ulong checksum)
    {
        var span = new ReadOnlySpan<int>(p, checked((int)count));
        checksum = Checksum(span, checksum);
        fs.Write(MemoryMarshal.AsBytes(span));
    }

    private static ulong Checksum(ReadOnlySpan<int> words, ulong h)
    {
        foreach (int w in words)
            h = (h ^ (uint)w) * 0x100000001B3UL;
        return h;
    }

    /// <summary>
    /// Opens a saved index: maps the vectors (no copy), reads the graph into memory. Build settings (M, ef
    /// construction, seed) come from the file; <paramref name="options"/> replaces the search-time ones
    /// (EfSearch, ExactFilterThreshold, BuildThreads, BFloat16Traversal; without options, the saved ones apply).
    /// To change one search setting and keep the other saved ones, use the overload that takes a function.
    /// With BFloat16Traversal the bf16 rows are computed from the mapped rows here, which reads the whole vector
    /// file once. <paramref name="onMapped"/> sees the mapping first,
    /// the place to madvise or mlock it (RecSys.Engine.Native).
    /// </summary>
    public static HnswIndex Load(string directory, HnswOptions? options = null, Action<MappedVectorFile>? onMapped = null) =>
        LoadCore(directory, options is null ? null : _ => options, onMapped);

    /// <summary>
    /// Opens a saved index with search-time settings derived from the saved ones: <paramref name="searchOptions"/>
    /// gets the options the file was saved with (its EfSearch and BFloat16Traversal included) and returns those to
    /// search with, e.g. <c>saved => saved with { BFloat16Traversal = true }</c> keeps each graph's own EfSearch.
    /// Build settings (M, ef construction, seed, pruned connections) stay the file's whatever it returns.
    /// </summary>
    public static HnswIndex Load(string directory, Func<HnswOptions, HnswOptions> searchOptions, Action<MappedVectorFile>? onMapped = null)
    {
        ArgumentNullException.ThrowIfNull(searchOptions);
        return LoadCore(directory, searchOptions, onMapped);
    }

    private static HnswIndex LoadCore(string directory, Func<HnswOptions, HnswOptions>? searchOptions, Action<MappedVectorFile>? onMapped)
    {
        var manifest = IndexManifest.Read(Path.Combine(directory, ManifestFileName), expectedKind: "hnsw", FormatVersion);
        string graphPath = Path.GetFullPath(Path.Combine(directory, GraphFileName));
        Span<byte> h = stackalloc byte[GraphFormat.HeaderSize];
        using var fs = GraphFormat.OpenRead(graphPath, h);
        int dim = BinaryPrimitives.ReadInt32LittleEndian(h[12..]);
        var metric = (DistanceMetric)BinaryPrimitives.ReadInt32LittleEndian(h[16..]);
        int m = BinaryPrimitives.ReadInt32LittleEndian(h[20..]);
        int efc = BinaryPrimitives.ReadInt32LittleEndian(h[24..]);
        int efs = BinaryPrimitives.ReadInt32LittleEndian(h[28..]);
        long nodes = BinaryPrimitives.ReadInt64LittleEndian(h[32..]);
        long live = BinaryPrimitives.ReadInt64LittleEndian(h[40..]);
        int entry = BinaryPrimitives.ReadInt32LittleEndian(h[48..]);
        int top = BinaryPrimitives.ReadInt32LittleEndian(h[52..]);
        long upperInts = BinaryPrimitives.ReadInt64LittleEndian(h[56..]);
        ulong seed = BinaryPrimitives.ReadUInt64LittleEndian(h[64..]);
        int flags = BinaryPrimitives.ReadInt32LittleEndian(h[72..]);
        ulong expectedChecksum = BinaryPrimitives.ReadUInt64LittleEndian(h[120..]);

        if (dim != manifest.Dimension)
            throw new InvalidDataException($"{graphPath}: dimension {dim}, but the manifest says {manifest.Dimension}");
        if (metric != manifest.Metric)
            throw new InvalidDataException($"{graphPath}: metric {metric}, but the manifest says {manifest.Metric}");
        if (nodes != manifest.Count)
            throw new InvalidDataException($"{graphPath}: holds {nodes} nodes, but the manifest says {manifest.Count} (an interrupted save?)");
        if (m < 2 || m > 256 || nodes < 0 || nodes > int.MaxValue - ChunkSize || live < 0 || live > nodes || upperInts < 0 || top < -1 || top > MaxLevel
            || entry < -1 || entry >= nodes || (nodes > 0) != (entry >= 0))
            throw new InvalidDataException($"{graphPath}: header fields out of range (M={m}, nodes={nodes}, live={live}, entry={entry}, top level={top})");
        if ((flags & ~3) != 0)
            throw new InvalidDataException($"{graphPath}: unknown flags 0x{flags:X} (a newer format?)");
        GraphFormat.RequireLength(graphPath, fs.Length, GraphFormat.HeaderSize + (nodes * (2L * m + 1) + nodes + upperInts) * sizeof(int),
            $"{nodes} nodes with M={m} and {upperInts} upper-level ints");

        var saved = new HnswOptions { M = m, EfConstruction = efc, Seed = seed, KeepPrunedConnections = (flags & 1) != 0, EfSearch = efs, BFloat16Traversal = (flags & 2) != 0 };
        var opts = searchOptions is null ? saved
            : searchOptions(saved) with { M = m, EfConstruction = efc, Seed = seed, KeepPrunedConnections = saved.KeepPrunedConnections };
        var index = new HnswIndex(dim, metric, opts);
        var mapped = MappedVectorFile.Open(Path.Combine(directory, VectorsFileName));
        index._mapped = mapped;
        try
        {
            onMapped?.Invoke(mapped);
            if (mapped.Dimension != dim || mapped.Count != nodes)
                throw new InvalidDataException($"{mapped.Path}: holds {mapped.Count} x {mapped.Dimension}, but the graph has {nodes} x {dim} (files from different saves?)");
            if (mapped.Header.ElementType != VectorElementType.Float32)
                throw new InvalidDataException($"{mapped.Path}: HNSW rows must be Float32, not {mapped.Header.ElementType}");
            if (mapped.Header.Metric is { } fileMetric && fileMetric != metric)
                throw new InvalidDataException($"{mapped.Path}: metric {fileMetric}, but the graph says {metric}");
            if (mapped.RowStrideFloats != index.RowStrideFloats)
                throw new InvalidDataException($"{mapped.Path}: row stride {mapped.Header.RowStrideBytes} bytes; this build expects {index.RowStrideFloats * sizeof(float)}");
            long[] labels = IdFile.Read(Path.Combine(directory, IdsFileName));
            if (labels.LongLength != nodes)
                throw new InvalidDataException($"{Path.Combine(directory, IdsFileName)}: holds {labels.LongLength} ids, but the graph has {nodes} nodes (files from different saves?)");

            index.ReadGraph(fs, graphPath, mapped, labels, (int)nodes, upperInts, expectedChecksum);
            index._entry = PackEntry(entry, top);
            index._liveCount = live;
            index._ordinalOf = null; // built on the first write: a read-only replica never pays for it
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    private void ReadGraph(FileStream fs, string path, MappedVectorFile mapped, long[] labels, int nodes, long upperInts, ulong expectedChecksum)
    {
        int chunks = (int)(((long)nodes + ChunkMask) >> ChunkShift);
        var t = new NodeTables(Math.Max(chunks, 4));
        for (int c = 0; c < chunks; c++)
        {
            AllocateChunk(t, c, mapped.RowsPointer + (long)c * ChunkSize * RowStrideFloats);
            t.Chunks = c + 1;
            _tables = t;
            _mappedChunks = c + 1;
        }
        _nodeCount = 0; // Dispose frees the upper lists of nodes [0, _nodeCount) only; raised as they are read

        ulong checksum = ChecksumSeed;
        for (int c = 0; c < chunks; c++)
        {
            int inChunk = Math.Min(ChunkSize, nodes - c * ChunkSize);
            checksum = ReadInts(fs, (int*)t.Links0[c], (long)inChunk * _links0Stride, checksum);
        }
        for (int c = 0; c < chunks; c++)
        {
            int inChunk = Math.Min(ChunkSize, nodes - c * ChunkSize);
            checksum = ReadInts(fs, (int*)t.Meta[c], inChunk, checksum);
        }
        long upperRead = 0;
        int deleted = 0;
        for (int node = 0; node < nodes; node++)
        {
            int meta = *MetaOf(t, node);
            int level = meta & LevelMask;
            if ((meta & ~(LevelMask | DeletedFlag)) != 0 || level > MaxLevel)
                throw new InvalidDataException($"{path}: node {node} has a corrupt meta word 0x{meta:X}");
            if ((meta & DeletedFlag) != 0)
                deleted++;
            *LabelOf(t, node) = labels[node];
            if (Bf16StrideUShorts > 0)
                WriteBf16Row(t, node);
            _nodeCount = node + 1;
            if (level == 0)
                continue;
            long ints = (long)level * _upperStride;
            if (upperRead + ints > upperInts)
                throw new InvalidDataException($"{path}: node levels need more upper-level ints than the header's {upperInts}");
            var p = (int*)NativeMemory.AllocZeroed((nuint)ints, sizeof(int));
            *UpperSlotOf(t, node) = (nint)p;
            checksum = ReadInts(fs, p, ints, checksum);
            upperRead += ints;
        }
        if (upperRead != upperInts)
            throw new InvalidDataException($"{path}: node levels account for {upperRead} upper-level ints, the header says {upperInts}");
        if (checksum != expectedChecksum)
            throw new InvalidDataException($"{path}: checksum mismatch (stored 0x{expectedChecksum:X16}, computed 0x{checksum:X16}): the graph file is corrupt");
        _upperInts = upperInts;
        _deletedCount = deleted;
        ValidateLinks(t, nodes, path);
    }

    /// <summary>Every link must name a node of the graph and fit its list: a corrupt id would be a wild read later.</summary>
    private void ValidateLinks(NodeTables t, int nodes, string path)
    {
        for (int node = 0; node < nodes; node++)
        {
            int level = LevelOf(t, node);
            for (int lc = 0; lc <= level; lc++)
            {
                int* list = LinksOf(t, node, lc);
                int count = *list;
                if ((uint)count > (uint)MaxLinks(lc))
                    throw new InvalidDataException($"{path}: node {node} level {lc} has {count} links (at most {MaxLinks(lc)})");
                for (int i = 1; i <= count; i++)
                {
                    int nb = list[i];
                    if ((uint)nb >= (uint)nodes || LevelOf(t, nb) < lc)
                        throw new InvalidDataException($"{path}: node {node} level {lc} links to node {nb}, which is not a node of that level");
                }
            }
        }
    }

    private static ulong ReadInts(FileStream fs, int* p, long count, ulong checksum)
    {
        var span = new Span<int>(p, checked((int)count));
        fs.ReadExactly(MemoryMarshal.AsBytes(span));
        return Checksum(span, checksum);
    }
}
