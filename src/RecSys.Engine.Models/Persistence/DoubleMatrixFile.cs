using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Models.Persistence;

/// <summary>
/// A dense row-major double matrix on disk, for model state that float vector files would round (decayed
/// popularity counts): a 32-byte header ("RSYSF64\0", version 1, rows, columns as int64) then rows x columns
/// little-endian doubles. Written to a temporary file, flushed and renamed into place, like Core's id file.
/// </summary>
public static class DoubleMatrixFile
{
    private const int HeaderSize = 32;
    private const int Version = 1;
    private static ReadOnlySpan<byte> Magic => "RSYSF64\0"u8;

    public static void Write(string path, ReadOnlySpan<double> values, long rows, long columns)
    {
        if (rows < 0 || columns < 0 || rows * columns != values.Length)
            throw new ArgumentException($"{rows} x {columns} does not match {values.Length} values");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("double matrix files are little-endian");
        string temp = path + ".tmp";
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            header.Clear();
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], rows);
            BinaryPrimitives.WriteInt64LittleEndian(header[24..], columns);
            fs.Write(header);
            fs.Write(MemoryMarshal.AsBytes(values));
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads the matrix, which must be <paramref name="rows"/> x <paramref name="columns"/> (errors name the file and what is wrong).</summary>
    public static double[] Read(string path, long rows, long columns)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: matrix file not found", path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (fs.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
            throw new InvalidDataException($"{path}: truncated matrix file ({fs.Length} bytes; the header needs {HeaderSize})");
        if (!header[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a RecSys double matrix file (wrong magic bytes)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != Version)
            throw new InvalidDataException($"{path}: matrix file version {version} is not supported (this build reads version {Version})");
        long r = BinaryPrimitives.ReadInt64LittleEndian(header[16..]), c = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (r != rows || c != columns)
            throw new InvalidDataException($"{path}: holds a {r} x {c} matrix, the manifest says {rows} x {columns}");
        long bytes = HeaderSize + r * c * sizeof(double);
        if (fs.Length != bytes)
            throw new InvalidDataException($"{path}: {(fs.Length < bytes ? "truncated" : "trailing bytes")}: {fs.Length} bytes, but a {r} x {c} matrix needs {bytes}");
        var values = new double[r * c];
        fs.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
