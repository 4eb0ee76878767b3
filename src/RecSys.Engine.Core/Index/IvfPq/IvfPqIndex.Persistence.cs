using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// On disk an IVF-PQ index is a directory:
/// <code>
///   quantizers.bin  64-byte header ("RSYSIVPQ", version, dim, nlist, m, 256, flags, metric), then float32:
///                   coarse centroids (nlist x dim), PQ centroids (m x 256 x dim/m), rotation (dim x dim, if flagged)
///   lists.bin       64-byte header ("RSYSIVLS", version, nlist, m, total), int64 count per list, then per list
///                   its codes (count x m bytes, zero-padded to 8) and ids (count x int64, 8-byte aligned);
///                   memory-mapped on load, so the scan reads codes straight from the page cache
///   vectors.rsv     RecSys vector file of the re-rank vectors in list order (if stored), memory-mapped on load
///   coarse-graph/   the HNSW graph over the centroids (an HnswIndex directory, labels = list numbers), if
///                   flagged; loaded as saved, not rebuilt (a one-thread rebuild at nlist 65,536 takes seconds)
///   index.json      {"kind":"ivfpq","version":1,...}, written last
/// </code>
/// Every file goes through <see cref="DurableFile"/>. Load checks magic, version, every size against the
/// header and the manifest, and that the centroids are finite; a mismatch is an InvalidDataException
/// naming the file and what is wrong.
/// </summary>
public sealed unsafe partial class IvfPqIndex
{
    public const string QuantizersFileName = "quantizers.bin";
    public const string ListsFileName = "lists.bin";
    public const string VectorsFileName = "vectors.rsv";
    public const string ManifestFileName = "index.json";
    public const string CoarseGraphDirectoryName = "coarse-graph";
    private const int FormatVersion = 1;
    private const int FlagRotation = 1;
    private const int FlagVectors = 2;
    private const int FlagCoarseGraph = 4;
    private static readonly BinaryFileFormat QuantizersFormat = new("IVF-PQ quantizer file", "RSYSIVPQ"u8, FormatVersion, headerSize: 64);
    private static readonly BinaryFileFormat ListsFormat = new("IVF-PQ list file", "RSYSIVLS"u8, FormatVersion, headerSize: 64);

    public void Save(string directory)
    {
        ThrowIfDisposed();
        DurableFile.CreateDirectory(directory);
        _lock.EnterReadLock();
        try
        {
            if (_lists is null)
                throw new InvalidOperationException("an untrained IVF-PQ index has nothing to save: call Train first");
            WriteQuantizers(Path.Combine(directory, QuantizersFileName));
            WriteLists(Path.Combine(directory, ListsFileName));
            string vectorsPath = Path.Combine(directory, VectorsFileName);
            if (_lists.HasVectors)
            {
                using var writer = new VectorFileWriter(vectorsPath, Dimension, Metric);
                for (int l = 0; l < NList; l++)
                {
                    for (int p = 0; p < _lists.Count(l); p++)
                        writer.Append(_lists.Vector(l, p));
                }
                writer.Complete();
            }
            else if (File.Exists(vectorsPath))
            {
                File.Delete(vectorsPath);
            }
            string graphPath = Path.Combine(directory, CoarseGraphDirectoryName);
            if (_coarse!.Graph is { } graph)
                graph.Save(graphPath);
            else if (Directory.Exists(graphPath))
                Directory.Delete(graphPath, recursive: true);
            IndexManifest.Write(Path.Combine(directory, ManifestFileName), Kind, FormatVersion, Dimension, Metric, _lists.TotalCount);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Opens a saved index: reads the quantizers, maps the lists and the re-rank vectors (no copy).</summary>
    public static IvfPqIndex Load(string directory, Action<MappedVectorFile>? onMapped = null)
    {
        var manifest = IndexManifest.Read(Path.Combine(directory, ManifestFileName), expectedKind: "ivfpq", FormatVersion);
        string qPath = Path.Combine(directory, QuantizersFileName);
        var (nlist, m, flags, coarse, pqCentroids, rotation) = ReadQuantizers(qPath, manifest);
        var options = new IvfPqOptions { NList = nlist, M = m, Rotate = (flags & FlagRotation) != 0, StoreVectors = (flags & FlagVectors) != 0 };
        var index = new IvfPqIndex(manifest.Dimension, manifest.Metric, options);
        try
        {
            index._rotation = rotation is null ? null : new RandomRotation(manifest.Dimension, rotation);
            index._coarse = new CoarseQuantizer(coarse, manifest.Dimension, manifest.Metric == DistanceMetric.InnerProduct);
            if ((flags & FlagCoarseGraph) != 0)
                index.LoadCoarseGraph(Path.Combine(directory, CoarseGraphDirectoryName));
            index._pq.SetCentroids(pqCentroids);
            var lists = new InvertedLists(nlist, m, options.StoreVectors ? manifest.Dimension : 0);
            index._lists = lists;
            long[] counts = ReadLists(Path.Combine(directory, ListsFileName), manifest, nlist, m, lists);
            if (options.StoreVectors)
            {
                var mapped = MappedVectorFile.Open(Path.Combine(directory, VectorsFileName));
                try
                {
                    onMapped?.Invoke(mapped);
                    if (mapped.Dimension != manifest.Dimension || mapped.Count != manifest.Count)
                        throw new InvalidDataException($"{mapped.Path}: holds {mapped.Count} x {mapped.Dimension}, but the manifest says {manifest.Count} x {manifest.Dimension} (an interrupted save?)");
                    if (mapped.Header.ElementType != VectorElementType.Float32)
                        throw new InvalidDataException($"{mapped.Path}: re-rank vectors must be Float32, not {mapped.Header.ElementType}");
                    var offsets = new long[nlist];
                    for (int l = 1; l < nlist; l++)
                        offsets[l] = offsets[l - 1] + counts[l - 1];
                    lists.AttachMappedVectors(mapped, offsets);
                }
                catch
                {
                    mapped.Dispose();
                    throw;
                }
            }
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    private void LoadCoarseGraph(string path)
    {
        if (!Directory.Exists(path))
            throw new InvalidDataException($"{path}: the quantizer file names a coarse graph, but its directory is missing");
        var graph = HnswIndex.Load(path);
        try
        {
            var expected = Metric == DistanceMetric.InnerProduct ? DistanceMetric.InnerProduct : DistanceMetric.L2;
            if (graph.Dimension != Dimension || graph.NodeCount != NList || graph.Count != NList || graph.Metric != expected)
                throw new InvalidDataException($"{path}: the coarse graph holds {graph.Count} x {graph.Dimension} ({graph.Metric}); the index has {NList} lists of dimension {Dimension} probed by {expected}");
            for (int l = 0; l < NList; l++)
            {
                if (!graph.Contains(l))
                    throw new InvalidDataException($"{path}: the coarse graph has no node for list {l}");
            }
            // The graph's vectors must be these centroids (a graph from another training probes the wrong lists):
            // a sample of centroids must each find a node at distance ~0.
            if (Metric != DistanceMetric.InnerProduct)
            {
                Span<long> found = stackalloc long[1];
                Span<float> distance = stackalloc float[1];
                var check = new SearchParameters { Ef = 64, MaxDegreeOfParallelism = 1 };
                for (int l = 0; l < NList; l += Math.Max(1, NList / 64))
                {
                    var centroid = _coarse!.Centroid(l);
                    graph.Search(centroid, 1, found, distance, check);
                    float scale = Math.Max(1f, System.Numerics.Tensors.TensorPrimitives.Dot(centroid, centroid));
                    if (distance[0] > 1e-4f * scale)
                        throw new InvalidDataException($"{path}: the coarse graph's vectors are not this index's centroids (centroid {l} is {distance[0]} from the nearest node)");
                }
            }
            _coarse!.AttachGraph(graph);
            _coarse.GraphEf = graph.Options.EfSearch;
            Options = Options with { CoarseGraphMinLists = NList, CoarseGraphM = graph.Options.M, CoarseGraphEfConstruction = graph.Options.EfConstruction, CoarseGraphEf = graph.Options.EfSearch };
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    private void WriteQuantizers(string path)
    {
        Span<byte> header = stackalloc byte[QuantizersFormat.HeaderSize];
        QuantizersFormat.WriteHeader(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], Dimension);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], NList);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], M);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], ProductQuantizer.CentroidsPerSubspace);
        int flags = (_rotation is not null ? FlagRotation : 0) | (_lists!.HasVectors ? FlagVectors : 0) | (_coarse!.Graph is not null ? FlagCoarseGraph : 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], flags);
        BinaryPrimitives.WriteInt32LittleEndian(header[32..], (int)Metric);
        var coarse = _coarse!.Centroids;
        var pq = _pq.Centroids;
        var rotation = _rotation is null ? ReadOnlySpan<float>.Empty : _rotation.Matrix;
        using var file = DurableFile.Create(path);
        file.Stream.Write(header);
        file.Stream.Write(MemoryMarshal.AsBytes(coarse));
        file.Stream.Write(MemoryMarshal.AsBytes(pq));
        file.Stream.Write(MemoryMarshal.AsBytes(rotation));
        file.Commit();
    }

    private void WriteLists(string path)
    {
        var lists = _lists!;
        Span<byte> header = stackalloc byte[ListsFormat.HeaderSize];
        ListsFormat.WriteHeader(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], NList);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], M);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], lists.TotalCount);
        var counts = new long[NList];
        for (int l = 0; l < NList; l++)
            counts[l] = lists.Count(l);
        using var file = DurableFile.Create(path);
        var fs = file.Stream;
        fs.Write(header);
        fs.Write(MemoryMarshal.AsBytes(counts.AsSpan()));
        Span<byte> zeros = stackalloc byte[8];
        zeros.Clear();
        for (int l = 0; l < NList; l++)
        {
            var codes = lists.Codes(l);
            fs.Write(codes);
            fs.Write(zeros[..(int)(Pad8(codes.Length) - codes.Length)]);
            fs.Write(MemoryMarshal.AsBytes(lists.Ids(l)));
        }
        file.Commit();
    }

    private static long Pad8(long bytes) => (bytes + 7) & ~7L;

    /// <summary>
    /// Opens a data file and checks its header. The manifest is written last, so a data file missing beside it means a
    /// damaged directory: an InvalidDataException, not the FileNotFoundException of a directory that holds no index.
    /// </summary>
    private static FileStream OpenDataFile(BinaryFileFormat format, string path, Span<byte> header)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"{path}: {format.Name} is missing");
        return format.OpenRead(path, header);
    }

    private static (int NList, int M, int Flags, float[] Coarse, float[] Pq, float[]? Rotation) ReadQuantizers(string path, IndexManifest manifest)
    {
        Span<byte> header = stackalloc byte[QuantizersFormat.HeaderSize];
        using var fs = OpenDataFile(QuantizersFormat, path, header);
        int dim = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        int nlist = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        int m = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        int ksub = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        int flags = BinaryPrimitives.ReadInt32LittleEndian(header[28..]);
        int metric = BinaryPrimitives.ReadInt32LittleEndian(header[32..]);
        if (dim != manifest.Dimension)
            throw new InvalidDataException($"{path}: dimension {dim} differs from the manifest's {manifest.Dimension}");
        if (metric != (int)manifest.Metric)
            throw new InvalidDataException($"{path}: metric {metric} differs from the manifest's {manifest.Metric}");
        if (nlist < 1 || nlist > 1 << 24)
            throw new InvalidDataException($"{path}: nlist {nlist} is out of range (1 .. 16M)");
        if (m < 1 || dim % m != 0)
            throw new InvalidDataException($"{path}: m = {m} does not divide the dimension {dim}");
        if (ksub != ProductQuantizer.CentroidsPerSubspace)
            throw new InvalidDataException($"{path}: {ksub} centroids per sub-space; this build reads 8-bit codes (256)");
        if ((flags & ~(FlagRotation | FlagVectors | FlagCoarseGraph)) != 0)
            throw new InvalidDataException($"{path}: unknown flags 0x{flags:X}");
        long coarseFloats = (long)nlist * dim;
        long pqFloats = (long)ProductQuantizer.CentroidsPerSubspace * dim;
        long rotationFloats = (flags & FlagRotation) != 0 ? (long)dim * dim : 0;
        QuantizersFormat.RequireLength(path, fs.Length, QuantizersFormat.HeaderSize + (coarseFloats + pqFloats + rotationFloats) * sizeof(float),
            $"nlist={nlist}, dim={dim}, m={m}{((flags & FlagRotation) != 0 ? ", rotation" : "")}");
        var coarse = ReadFloats(fs, coarseFloats, path, "coarse centroids");
        var pq = ReadFloats(fs, pqFloats, path, "PQ centroids");
        var rotation = rotationFloats > 0 ? ReadFloats(fs, rotationFloats, path, "rotation matrix") : null;
        return (nlist, m, flags, coarse, pq, rotation);
    }

    private static float[] ReadFloats(FileStream fs, long count, string path, string what)
    {
        var values = new float[count];
        fs.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        for (long i = 0; i < values.LongLength; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new InvalidDataException($"{path}: {what} value {i} is {values[i]} (corrupt file)");
        }
        return values;
    }

    private static long[] ReadLists(string path, IndexManifest manifest, int nlist, int m, InvertedLists lists)
    {
        Span<byte> header = stackalloc byte[ListsFormat.HeaderSize];
        using var fs = OpenDataFile(ListsFormat, path, header);
        int fileLists = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        int fileM = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        long total = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (fileLists != nlist || fileM != m)
            throw new InvalidDataException($"{path}: holds {fileLists} lists of {fileM}-byte codes, but the quantizers say {nlist} lists, m = {m}");
        if (total != manifest.Count)
            throw new InvalidDataException($"{path}: holds {total} entries, but the manifest says {manifest.Count} (an interrupted save?)");
        ListsFormat.RequireAtLeast(path, fs.Length, ListsFormat.HeaderSize + (long)nlist * sizeof(long), $"the {nlist} list sizes");
        var counts = new long[nlist];
        fs.ReadExactly(MemoryMarshal.AsBytes(counts.AsSpan()));
        long sum = 0;
        for (int l = 0; l < nlist; l++)
        {
            if (counts[l] < 0 || counts[l] > Array.MaxLength)
                throw new InvalidDataException($"{path}: list {l} has an invalid size {counts[l]}");
            sum += counts[l];
        }
        if (sum != total)
            throw new InvalidDataException($"{path}: the list sizes add up to {sum}, but the header says {total}");
        var codeOffsets = new long[nlist];
        var idOffsets = new long[nlist];
        long offset = ListsFormat.HeaderSize + (long)nlist * sizeof(long);
        for (int l = 0; l < nlist; l++)
        {
            codeOffsets[l] = offset;
            idOffsets[l] = offset + Pad8(counts[l] * m);
            offset = idOffsets[l] + counts[l] * sizeof(long);
        }
        ListsFormat.RequireLength(path, fs.Length, offset, $"{total} entries of {m}-byte codes");
        fs.Dispose();
        var mapping = ReadOnlyMapping.Open(path);
        lists.AttachMappedLists(mapping, counts, codeOffsets, idOffsets);
        return counts;
    }
}
