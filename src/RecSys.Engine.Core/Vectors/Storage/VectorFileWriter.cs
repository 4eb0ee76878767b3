using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Core.Vectors.Storage;

/// <summary>
/// Streams float32 rows into a RecSys vector file (<see cref="VectorFileHeader"/>).
/// Rows go to a <see cref="DurableFile"/>; <see cref="Complete"/> writes the final count and commits it
/// (fsync, rename, fsync of the directory), so a crash mid-write never leaves a file that looks whole.
/// Disposing without <see cref="Complete"/> deletes the partial file.
/// </summary>
public sealed class VectorFileWriter : IDisposable
{
    private readonly DurableFile _file;
    private readonly byte[] _rowBuffer;
    private readonly DistanceMetric? _metric;

    public VectorFileWriter(string path, int dimension, DistanceMetric? metric = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Dimension = dimension;
        _metric = metric;
        RowStrideBytes = VectorFileHeader.StrideFor(dimension, VectorElementType.Float32);
        _rowBuffer = new byte[RowStrideBytes];
        _file = DurableFile.Create(path);
        // Placeholder header (count 0) until Complete knows the count.
        Span<byte> header = stackalloc byte[VectorFileHeader.Size];
        new VectorFileHeader(VectorElementType.Float32, 0, dimension, metric, RowStrideBytes).WriteTo(header);
        _file.Stream.Write(header);
    }

    public int Dimension { get; }

    public int RowStrideBytes { get; }

    public long Count { get; private set; }

    public string Path => _file.Path;

    public void Append(ReadOnlySpan<float> row)
    {
        var stream = _file.Stream; // throws once completed or disposed
        if (row.Length != Dimension)
            throw new ArgumentException($"row {Count} has {row.Length} values; the file's dimension is {Dimension}", nameof(row));
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(row).CopyTo(_rowBuffer);
        // The padding bytes stay zero from the allocation; rows never write past Dimension.
        stream.Write(_rowBuffer);
        Count++;
    }

    /// <summary>Writes the count and commits the file (<see cref="DurableFile.Commit"/>).</summary>
    public void Complete()
    {
        var stream = _file.Stream;
        Span<byte> header = stackalloc byte[VectorFileHeader.Size];
        new VectorFileHeader(VectorElementType.Float32, Count, Dimension, _metric, RowStrideBytes).WriteTo(header);
        stream.Position = 0;
        stream.Write(header);
        _file.Commit();
    }

    /// <summary>Without <see cref="Complete"/>, deletes the partial file; after it, nothing.</summary>
    public void Dispose() => _file.Dispose();
}
