namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// Streams a .bvecs file (per vector: little-endian int32 d, then d uint8), the format of the
/// SIFT1B base set. Bytes are widened to float32 exactly (0..255).
/// </summary>
public sealed class BvecsReader : IVectorReader
{
    private readonly VecsRecordReader _records;
    private readonly byte[] _payload;

    /// <exception cref="InvalidDataException">The file is empty or its first dimension is not positive.</exception>
    public BvecsReader(string path)
    {
        _records = new VecsRecordReader(path, sizeof(byte));
        _payload = new byte[_records.PayloadBytes];
    }

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
        if (!_records.TryReadRecord(_payload))
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = _payload;
        for (int i = 0; i < row.Length; i++)
        {
            row[i] = bytes[i];
        }

        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _records.Dispose();
}
