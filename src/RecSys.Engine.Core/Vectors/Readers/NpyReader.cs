using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// Streams a numpy .npy file (format v1, v2, v3) holding a C-order array of shape (n, d), or (d,)
/// read as one row. dtypes: little-endian float32 ('&lt;f4'), float16 ('&lt;f2'), float64 ('&lt;f8')
/// and uint8 ('|u1'); all are converted to float32 (float64 rounds to nearest).
/// </summary>
public sealed class NpyReader : IVectorReader
{
    private readonly FileStream _stream;
    private readonly NpyElement _element;
    private readonly int _rowBytes;

    // Scratch for one row when the element is not float32 (float32 is read straight into the caller's span).
    private readonly byte[]? _scratch;
    private readonly long _rows;
    private long _nextRow;

    /// <exception cref="InvalidDataException">The header is malformed or describes an array this reader cannot stream.</exception>
    public NpyReader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _stream = ReaderIO.OpenRead(path);
        try
        {
            NpyHeader header = NpyHeader.Read(_stream, path);
            _element = ParseDescr(header.Descr, path);

            // Column-major data would need the whole file to assemble one row: refuse rather than buffer it.
            if (header.FortranOrder)
            {
                throw ReaderIO.Error(path, "fortran_order True is not supported (save the array in C order, e.g. np.ascontiguousarray)");
            }

            (_rows, Dimension) = header.Shape switch
            {
                [long n, long d] => (n, CheckDimension(d, path)),
                [long d] => (1L, CheckDimension(d, path)),
                _ => throw ReaderIO.Error(path, $"shape ({string.Join(", ", header.Shape)}) is not supported (2-D (n, d) or 1-D (d,) only)"),
            };

            _rowBytes = Dimension * ElementSize(_element);
            if (_rows > (long.MaxValue - header.DataOffset) / _rowBytes)
            {
                throw ReaderIO.Error(path, $"shape ({_rows}, {Dimension}) is too large to be a file");
            }

            if (_element != NpyElement.Float32)
            {
                _scratch = new byte[_rowBytes];
            }

            // Extra bytes mean the header does not describe the data; a short file is reported
            // with the first incomplete row when the reader gets there.
            long expected = header.DataOffset + (_rows * _rowBytes);
            if (_stream.Length > expected)
            {
                throw ReaderIO.Error(path, $"{_stream.Length - expected} bytes follow the {_rows} x {Dimension} array the header describes");
            }

            _stream.Position = header.DataOffset;
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    private enum NpyElement
    {
        Float32,
        Float16,
        Float64,
        UInt8,
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    public long? Count => _rows;

    /// <inheritdoc/>
    public string Path { get; }

    /// <inheritdoc/>
    public bool TryReadNext(Span<float> row, out long id)
    {
        ReaderIO.CheckRowLength(row.Length, Dimension, nameof(row));
        ObjectDisposedException.ThrowIf(!_stream.CanRead, this);
        id = _nextRow;
        if (_nextRow >= _rows)
        {
            return false;
        }

        Span<byte> target = _scratch ?? MemoryMarshal.AsBytes(row);
        int got = _stream.ReadAtLeast(target, _rowBytes, throwOnEndOfStream: false);
        if (got < _rowBytes)
        {
            throw ReaderIO.RowError(Path, _nextRow, $"truncated data: {got} of {_rowBytes} bytes (the header declares {_rows} rows)");
        }

        switch (_element)
        {
            case NpyElement.Float16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(target), row);
                break;
            case NpyElement.Float64:
                ReadOnlySpan<double> doubles = MemoryMarshal.Cast<byte, double>(target);
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = (float)doubles[i];
                }

                break;
            case NpyElement.UInt8:
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = target[i];
                }

                break;
        }

        // A float64 beyond float range becomes infinite here, so the check follows the conversion.
        ReaderIO.CheckFinite(Path, _nextRow, row);
        _nextRow++;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();

    private static NpyElement ParseDescr(string descr, string path) => descr switch
    {
        "<f4" => NpyElement.Float32,
        "<f2" => NpyElement.Float16,
        "<f8" => NpyElement.Float64,
        "|u1" or "<u1" or "u1" => NpyElement.UInt8,
        ['>', ..] => throw ReaderIO.Error(path, $"dtype '{descr}' is big-endian, which is not supported (little-endian only)"),
        _ => throw ReaderIO.Error(path, $"dtype '{descr}' is not supported (float32, float16, float64, uint8 only)"),
    };

    private static int ElementSize(NpyElement element) => element switch
    {
        NpyElement.Float32 => sizeof(float),
        NpyElement.Float16 => 2,
        NpyElement.Float64 => sizeof(double),
        _ => sizeof(byte),
    };

    private static int CheckDimension(long d, string path) =>
        d is > 0 and <= int.MaxValue / sizeof(double)
            ? (int)d
            : throw ReaderIO.Error(path, $"dimension {d} is not supported (must be between 1 and {int.MaxValue / sizeof(double)})");
}
