using System.Buffers.Binary;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// The record layer shared by the .fvecs / .ivecs / .bvecs readers. Each record is
/// <c>[int32 d (little-endian)][d elements of elementSize bytes]</c>, and every record must repeat
/// the same d. This type checks the framing and hands back raw payload bytes; the public readers
/// only convert elements.
/// </summary>
internal sealed class VecsRecordReader : IDisposable
{
    private readonly FileStream _stream;
    private readonly int _elementSize;
    private long _nextRow;

    public VecsRecordReader(string path, int elementSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _elementSize = elementSize;
        _stream = ReaderIO.OpenRead(path);
        try
        {
            Span<byte> prefix = stackalloc byte[sizeof(int)];
            int got = _stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
            if (got == 0)
            {
                throw ReaderIO.Error(path, "file is empty, so it has no dimension");
            }

            if (got < prefix.Length)
            {
                throw ReaderIO.RowError(path, 0, $"truncated dimension prefix ({got} of 4 bytes)");
            }

            int dimension = BinaryPrimitives.ReadInt32LittleEndian(prefix);
            if (dimension <= 0)
            {
                throw ReaderIO.RowError(path, 0, $"dimension {dimension} must be positive");
            }

            Dimension = dimension;
            RecordBytes = sizeof(int) + ((long)dimension * elementSize);
            PayloadBytes = checked((int)((long)dimension * elementSize));

            // A well-formed file is a whole number of records; a ragged or truncated one is
            // reported with its row number when the reader reaches the bad record.
            Count = _stream.Length / RecordBytes;
            _stream.Position = 0;
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public int Dimension { get; }

    /// <summary>Records in the file, counted from its length (a malformed tail fails during reading).</summary>
    public long Count { get; }

    public long RecordBytes { get; }

    public int PayloadBytes { get; }

    /// <summary>0-based number of the record the next call reads.</summary>
    public long NextRow => _nextRow;

    /// <summary>
    /// Reads one record's payload (exactly <see cref="PayloadBytes"/> bytes) into <paramref name="payload"/>.
    /// Returns <c>false</c> at a clean end of file; a partial or mis-framed record throws.
    /// </summary>
    public bool TryReadRecord(Span<byte> payload)
    {
        ObjectDisposedException.ThrowIf(!_stream.CanRead, this);
        Span<byte> prefix = stackalloc byte[sizeof(int)];
        int got = _stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got == 0)
        {
            return false;
        }

        if (got < prefix.Length)
        {
            throw ReaderIO.RowError(Path, _nextRow, $"truncated record: {got} of 4 bytes of the dimension prefix");
        }

        int dimension = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (dimension != Dimension)
        {
            throw ReaderIO.RowError(Path, _nextRow,
                $"dimension {dimension} differs from {Dimension} (every vector must repeat the same dimension)");
        }

        got = _stream.ReadAtLeast(payload[..PayloadBytes], PayloadBytes, throwOnEndOfStream: false);
        if (got < PayloadBytes)
        {
            throw ReaderIO.RowError(Path, _nextRow, $"truncated record: {got} of {PayloadBytes} payload bytes");
        }

        _nextRow++;
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
