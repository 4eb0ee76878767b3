using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Models.Persistence;

/// <summary>
/// A dense row-major double matrix on disk, for model state that float vector files would round (decayed
/// popularity counts): a 32-byte header ("RSYSF64\0", version 1, rows, columns as int64 at 16 and 24) then
/// rows x columns little-endian doubles. Written through Core's <see cref="DurableFile"/>, like Core's id file.
/// </summary>
public static class DoubleMatrixFile
{
    private static readonly BinaryFileFormat Format = new("RecSys double matrix file", "RSYSF64\0"u8, version: 1, headerSize: 32);

    public static void Write(string path, ReadOnlySpan<double> values, long rows, long columns)
    {
        if (rows < 0 || columns < 0 || rows * columns != values.Length)
            throw new ArgumentException($"{rows} x {columns} does not match {values.Length} values");
        Span<byte> header = stackalloc byte[Format.HeaderSize];
        Format.WriteHeader(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], rows);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], columns);
        using var file = DurableFile.Create(path);
        file.Stream.Write(header);
        file.Stream.Write(MemoryMarshal.AsBytes(values));
        file.Commit();
    }

    /// <summary>Reads the matrix, which must be <paramref name="rows"/> x <paramref name="columns"/> (errors name the file and what is wrong).</summary>
    public static double[] Read(string path, long rows, long columns)
    {
        Span<byte> header = stackalloc byte[Format.HeaderSize];
        using var fs = Format.OpenRead(path, header);
        long r = BinaryPrimitives.ReadInt64LittleEndian(header[16..]), c = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (r != rows || c != columns)
            throw new InvalidDataException($"{path}: holds a {r} x {c} matrix, the manifest says {rows} x {columns}");
        Format.RequireLength(path, fs.Length, Format.HeaderSize + r * c * sizeof(double), $"{r} x {c} doubles");
        var values = new double[r * c];
        fs.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
