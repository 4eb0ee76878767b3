using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// Streams a .ivecs file (per vector: little-endian int32 d, then d int32). Besides float rows it
/// reads the ints themselves, which is how ground-truth files (the exact top-k neighbour ids per
/// query) are consumed by the benchmark.
/// </summary>
public sealed class IvecsReader : IVectorReader
{
    private readonly VecsRecordReader _records;

    /// <exception cref="InvalidDataException">The file is empty or its first dimension is not positive.</exception>
    public IvecsReader(string path) => _records = new VecsRecordReader(path, sizeof(int));

    /// <inheritdoc/>
    public int Dimension => _records.Dimension;

    /// <inheritdoc/>
    public long? Count => _records.Count;

    /// <inheritdoc/>
    public string Path => _records.Path;

    /// <summary>Reads the next row's int32 values unconverted (e.g. ground-truth neighbour ids).</summary>
    /// <returns><c>false</c> at the end of the file.</returns>
    public bool TryReadNext(Span<int> row)
    {
        ReaderIO.CheckRowLength(row.Length, Dimension, nameof(row));
        return _records.TryReadRecord(MemoryMarshal.AsBytes(row));
    }

    /// <inheritdoc/>
    /// <remarks>Values beyond ±2^24 lose precision in float32, as any int-to-float conversion does.</remarks>
    public bool TryReadNext(Span<float> row, out long id)
    {
        ReaderIO.CheckRowLength(row.Length, Dimension, nameof(row));
        id = _records.NextRow;

        // int32 and float32 are the same size, so read the ints into the caller's span and convert
        // in place: element i is read before it is overwritten, and no scratch buffer is needed.
        Span<int> ints = MemoryMarshal.Cast<float, int>(row);
        if (!_records.TryReadRecord(MemoryMarshal.AsBytes(ints)))
        {
            return false;
        }

        for (int i = 0; i < row.Length; i++)
        {
            row[i] = ints[i];
        }

        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _records.Dispose();
}
