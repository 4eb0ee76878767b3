using System.Buffers.Binary;
using System.IO.Compression;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// Streaming reader for a gzip-compressed IDX3 image file (MNIST's <c>*-images-idx3-ubyte.gz</c>):
/// a big-endian header <c>magic = 0x00000803, count, rows, cols</c>, then count x rows x cols
/// uint8 pixels. Each image comes out as one float vector of rows x cols values, 0..255
/// unscaled (the recipe's L2 distances are on raw pixels). Nothing is held beyond one row.
/// </summary>
/// <remarks>
/// A small reader of its own beside the generator, for <c>recsys gen mnist</c>; the general
/// dataset readers live in Vectors/Readers.
/// </remarks>
public sealed class MnistIdx : IDisposable
{
    /// <summary>IDX magic for unsigned bytes (0x08) in three dimensions (0x03).</summary>
    public const int ImageMagic = 0x00000803;

    // Guards against a corrupt header asking for an absurd row buffer.
    private const int MaxPixelsPerImage = 1 << 24;

    private readonly Stream _stream;
    private readonly byte[] _buffer;

    private MnistIdx(string path, Stream stream, int count, int rows, int columns)
    {
        Path = path;
        _stream = stream;
        Count = count;
        Rows = rows;
        Columns = columns;
        _buffer = new byte[rows * columns];
    }

    public string Path { get; }

    /// <summary>Number of images the header announces.</summary>
    public int Count { get; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Length of each vector: rows x columns.</summary>
    public int Dimension => Rows * Columns;

    /// <summary>Images read so far.</summary>
    public int Position { get; private set; }

    /// <summary>Opens <paramref name="path"/> and validates its header.</summary>
    /// <exception cref="InvalidDataException">Not gzip, wrong magic, bad dimensions or truncated header.</exception>
    public static MnistIdx Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var gzip = new GZipStream(file, CompressionMode.Decompress);
        try
        {
            Span<byte> header = stackalloc byte[16];
            ReadExactly(gzip, header, path, "the 16-byte IDX header");
            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
            int rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
            int cols = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
            if (magic != ImageMagic)
                throw new InvalidDataException($"{path}: not an IDX3 uint8 image file: magic is 0x{magic:X8}, expected 0x{ImageMagic:X8}");
            if (count < 1)
                throw new InvalidDataException($"{path}: header announces {count} images; expected at least 1");
            if (rows < 1 || cols < 1 || (long)rows * cols > MaxPixelsPerImage)
                throw new InvalidDataException($"{path}: bad image size {rows} x {cols} in the header");
            return new MnistIdx(path, gzip, count, rows, cols);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // GZipStream's own message ("unsupported compression method", ...) does not name the file.
            gzip.Dispose();
            throw new InvalidDataException($"{path}: not a valid gzip file: {e.Message}", e);
        }
        catch
        {
            gzip.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the next image into <paramref name="row"/> (length <see cref="Dimension"/>) as
    /// floats 0..255. Returns false once all <see cref="Count"/> images have been read.
    /// </summary>
    /// <exception cref="InvalidDataException">The file ends before the announced count.</exception>
    public bool ReadNext(Span<float> row)
    {
        if (row.Length != Dimension)
            throw new ArgumentException($"row has length {row.Length}, the images have {Dimension} pixels", nameof(row));
        if (Position >= Count)
            return false;
        try
        {
            ReadExactly(_stream, _buffer, Path, $"image {Position} of {Count}");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(Path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{Path}: corrupt gzip data in image {Position}: {e.Message}", e);
        }
        for (int i = 0; i < _buffer.Length; i++)
            row[i] = _buffer[i];
        Position++;
        return true;
    }

    /// <summary>Reads every image into one row-major array (count x dimension).</summary>
    public static float[] ReadAll(string path, out int count, out int dimension)
    {
        using var idx = Open(path);
        count = idx.Count;
        dimension = idx.Dimension;
        if ((long)count * dimension > Array.MaxLength)
            throw new InvalidDataException($"{path}: {count} x {dimension} pixels do not fit in memory as one array");
        var rows = new float[count * dimension];
        for (int i = 0; i < count; i++)
            idx.ReadNext(rows.AsSpan(i * dimension, dimension));
        return rows;
    }

    public void Dispose() => _stream.Dispose();

    private static void ReadExactly(Stream stream, Span<byte> destination, string path, string what)
    {
        int read = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (read < destination.Length)
            throw new InvalidDataException($"{path}: truncated: the file ends inside {what} ({read} of {destination.Length} bytes)");
    }
}
