using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// Streams float32 rows to a .fvecs file (per vector: little-endian int32 d, then d float32).
/// The file at <c>path</c> is created or overwritten; <see cref="Dispose"/> flushes it.
/// </summary>
public sealed class FvecsWriter : IDisposable
{
    private readonly VecsRecordWriter _records;

    public FvecsWriter(string path, int dimension) => _records = new VecsRecordWriter(path, dimension);

    /// <summary>Rows appended so far.</summary>
    public long Count => _records.Count;

    public int Dimension => _records.Dimension;

    public string Path => _records.Path;

    /// <summary>Appends one row; its length must equal the dimension.</summary>
    public void Append(ReadOnlySpan<float> row)
    {
        ReaderIO.CheckRowLength(row.Length, _records.Dimension, nameof(row));
        _records.Append(MemoryMarshal.AsBytes(row));
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => _records.Dispose();
}
