using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// Streams a .fvecs file (per vector: little-endian int32 d, then d float32), the format of the
/// TEXMEX / ANN-benchmark corpora (SIFT, GIST, Deep1B). Rows are read straight into the caller's span.
/// </summary>
public sealed class FvecsReader : IVectorReader
{
    private readonly VecsRecordReader _records;

    /// <exception cref="InvalidDataException">The file is empty or its first dimension is not positive.</exception>
    public FvecsReader(string path) => _records = new VecsRecordReader(path, sizeof(float));

    /// <inheritdoc/>
    public int Dimension => _records.Dimension;

    /// <inheritdoc/>
    public long? Count => _records.Count;

    /// <inheritdoc/>
    public string Path => _records.Path;

    /// <inheritdoc/>
    public bool TryReadNext(Span<float> row, out long id)
    {
        ReaderIO.CheckRowLength(row.Length, Dimension, nameof(row));
        id = _records.NextRow;
        if (!_records.TryReadRecord(MemoryMarshal.AsBytes(row)))
            return false;
        ReaderIO.CheckFinite(Path, id, row);
        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _records.Dispose();
}
