using System.Buffers.Binary;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// The record layer shared by <see cref="FvecsWriter"/> and <see cref="IvecsWriter"/>: writes
/// <c>[int32 d][payload]</c> records through a buffered stream, so appends are memcpy-sized.
/// </summary>
internal sealed class VecsRecordWriter : IDisposable
{
    private readonly FileStream _stream;
    private bool _disposed;

    public VecsRecordWriter(string path, int dimension)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Path = path;
        Dimension = dimension;
        _stream = ReaderIO.Create(path);
    }

    public string Path { get; }

    public int Dimension { get; }

    public long Count { get; private set; }

    public void Append(ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> prefix = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, Dimension);
        _stream.Write(prefix);
        _stream.Write(payload);
        Count++;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stream.Dispose(); // flushes the buffer
    }
}
