using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// Streams int32 rows to a .ivecs file (per vector: little-endian int32 d, then d int32), e.g.
/// ground-truth neighbour ids. The file at <c>path</c> is created or overwritten; <see cref="Dispose"/> flushes it.
/// </summary>
public sealed class IvecsWriter : IDisposable
{
    private readonly VecsRecordWriter _records;

    public IvecsWriter(string path, int dimension) => _records = new VecsRecordWriter(path, dimension);

    /// <summary>Rows appended so far.</summary>
    public long Count => _records.Count;

    public int Dimension => _records.Dimension;

    public string Path => _records.Path;

    /// <summary>Appends one row; its length must equal the dimension.</summary>
    public void Append(ReadOnlySpan<int> row)
    {
        ReaderIO.CheckRowLength(row.Length, _records.Dimension, nameof(row));
        _records.Append(MemoryMarshal.AsBytes(row));
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => _records.Dispose();
}
