using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Core.Index.Flat;

/// <summary>
/// On disk a flat index is a directory:
/// <code>
///   vectors.rsv   RecSys vector file (normalised rows for cosine), memory-mapped on load
///   ids.bin       ordinal -> external id
///   index.json    {"kind":"flat","version":1,"dimension","metric","count"}, written last
/// </code>
/// Every file goes through <see cref="DurableFile"/> (temp, fsync, rename, fsync of the directory); the manifest's
/// count must agree with both data files, so a save cut short by a crash is detected on load instead of serving
/// mismatched ids.
/// </summary>
public sealed unsafe partial class FlatIndex
{
    public const string VectorsFileName = "vectors.rsv";
    public const string IdsFileName = "ids.bin";
    public const string ManifestFileName = "index.json";
    private const int FormatVersion = 1;

    public void Save(string directory)
    {
        ThrowIfDisposed();
        DurableFile.CreateDirectory(directory);
        _lock.EnterReadLock();
        try
        {
            using (var writer = new VectorFileWriter(Path.Combine(directory, VectorsFileName), Dimension, Metric))
            {
                for (long i = 0; i < _count; i++)
                    writer.Append(new ReadOnlySpan<float>(RowsPointer + i * RowStrideFloats, Dimension));
                writer.Complete();
            }
            IdFile.Write(Path.Combine(directory, IdsFileName), _ids.AsSpan(0, (int)_count));
            IndexManifest.Write(Path.Combine(directory, ManifestFileName), Kind, FormatVersion, Dimension, Metric, _count);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Opens a saved flat index: maps the vectors (no copy), reads the ids. <paramref name="onMapped"/> sees
    /// the mapping before the first search: the place to madvise or mlock it (RecSys.Engine.Native), which
    /// Core cannot call itself without depending on native bindings.
    /// </summary>
    public static FlatIndex Load(string directory, Action<MappedVectorFile>? onMapped = null)
    {
        var manifest = IndexManifest.Read(Path.Combine(directory, ManifestFileName), expectedKind: "flat", FormatVersion);
        var mapped = MappedVectorFile.Open(Path.Combine(directory, VectorsFileName));
        try
        {
            onMapped?.Invoke(mapped);
            if (mapped.Dimension != manifest.Dimension || mapped.Count != manifest.Count)
                throw new InvalidDataException($"{mapped.Path}: holds {mapped.Count} x {mapped.Dimension}, but the manifest says {manifest.Count} x {manifest.Dimension} (an interrupted save?)");
            if (mapped.Header.ElementType != VectorElementType.Float32)
                throw new InvalidDataException($"{mapped.Path}: flat index rows must be Float32, not {mapped.Header.ElementType}");
            long[] ids = IdFile.Read(Path.Combine(directory, IdsFileName));
            if (ids.LongLength != manifest.Count)
                throw new InvalidDataException($"{Path.Combine(directory, IdsFileName)}: holds {ids.LongLength} ids, but the manifest says {manifest.Count} (an interrupted save?)");
            return new FlatIndex(manifest.Dimension, manifest.Metric, mapped, ids);
        }
        catch
        {
            mapped.Dispose();
            throw;
        }
    }
}
