namespace RecSys.Engine.Core.Vectors.Storage;

/// <summary>
/// Streams float32 rows into a RecSys vector file (<see cref="VectorFileHeader"/>).
/// Rows go to "path.tmp"; <see cref="Complete"/> writes the final count, flushes to disk and renames
/// the file into place, so a crash mid-write never leaves a file that looks whole. Disposing without
/// <see cref="Complete"/> deletes the partial file.
/// </summary>
public sealed class VectorFileWriter : IDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly FileStream _stream;
    private readonly byte[] _rowBuffer;
    private readonly DistanceMetric? _metric;
    private bool _completed;

    public VectorFileWriter(string path, int dimension, DistanceMetric? metric = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        _path = System.IO.Path.GetFullPath(path);
        _tempPath = _path + ".tmp";
        Dimension = dimension;
        _metric = metric;
        RowStrideBytes = VectorFileHeader.StrideFor(dimension, VectorElementType.Float32);
        _rowBuffer = new byte[RowStrideBytes];
        _stream = new FileStream(_tempPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        // Placeholder header (count 0) until Complete knows the count.
        Span<byte> header = stackalloc byte[VectorFileHeader.Size];
        new VectorFileHeader(VectorElementType.Float32, 0, dimension, metric, RowStrideBytes).WriteTo(header);
        _stream.Write(header);
    }

    public int Dimension { get; }

    public int RowStrideBytes { get; }

    public long Count { get; private set; }

    public string Path => _path;

    public void Append(ReadOnlySpan<float> row)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (row.Length != Dimension)
            throw new ArgumentException($"row {Count} has {row.Length} values; the file's dimension is {Dimension}", nameof(row));
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(row).CopyTo(_rowBuffer);
        // The padding bytes stay zero from the allocation; rows never write past Dimension.
        _stream.Write(_rowBuffer);
        Count++;
    }

    /// <summary>Writes the count, fsyncs and atomically moves the file into place.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        Span<byte> header = stackalloc byte[VectorFileHeader.Size];
        new VectorFileHeader(VectorElementType.Float32, Count, Dimension, _metric, RowStrideBytes).WriteTo(header);
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_tempPath, _path, overwrite: true);
        _completed = true;
    }

    public void Dispose()
    {
        if (_completed)
            return;
        _completed = true;
        _stream.Dispose();
        try { File.Delete(_tempPath); } catch (IOException) { /* best effort: the partial file is clearly named .tmp */ }
    }
}
