using System.Buffers.Binary;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Core.Vectors.Storage;

/// <summary>
/// The fixed 64-byte little-endian header of a RecSys vector file, followed by rows aligned to 64 bytes:
/// <code>
///  offset size field
///   0     8    magic "RSYSVEC\0"
///   8     4    version (1)
///  12     4    element type (VectorElementType)
///  16     8    count (rows)
///  24     4    dimension
///  28     4    metric (DistanceMetric; 0 = none recorded)
///  32     4    row stride in bytes (a multiple of 64, >= dimension * element size)
///  36    28    reserved, zero
///  64          row 0, row 1, ... each padded to the stride
/// </code>
/// Rows start on a 64-byte boundary (a cache line, and a full Vector512), so kernels never split a
/// load across lines at the start of a row.
/// </summary>
public readonly record struct VectorFileHeader(
    VectorElementType ElementType,
    long Count,
    int Dimension,
    DistanceMetric? Metric,
    int RowStrideBytes)
{
    public const int Size = 64;
    public const int Alignment = 64;
    public const int CurrentVersion = 1;
    private static readonly BinaryFileFormat Format = new("RecSys vector file", "RSYSVEC\0"u8, CurrentVersion, Size);

    public static ReadOnlySpan<byte> Magic => Format.Magic;

    public static int ElementSize(VectorElementType type) => type switch
    {
        VectorElementType.Float32 => 4,
        VectorElementType.Float16 => 2,
        VectorElementType.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type"),
    };

    /// <summary>Row stride for a dimension: the row's bytes rounded up to the 64-byte alignment.</summary>
    public static int StrideFor(int dimension, VectorElementType type)
    {
        long bytes = (long)dimension * ElementSize(type);
        long stride = (bytes + Alignment - 1) / Alignment * Alignment;
        if (stride > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "row too large");
        return (int)stride;
    }

    public void WriteTo(Span<byte> destination)
    {
        Format.WriteHeader(destination);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], (int)ElementType);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Count);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], Dimension);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], Metric is { } m ? (int)m : 0);
        BinaryPrimitives.WriteInt32LittleEndian(destination[32..], RowStrideBytes);
    }

    /// <summary>
    /// Parses and validates a header read from <paramref name="path"/> whose total length is
    /// <paramref name="fileLength"/>. Every problem is an <see cref="InvalidDataException"/> naming the
    /// file and what is wrong.
    /// </summary>
    public static VectorFileHeader Read(ReadOnlySpan<byte> source, long fileLength, string path)
    {
        Format.CheckHeader(source, fileLength, path);
        var type = (VectorElementType)BinaryPrimitives.ReadInt32LittleEndian(source[12..]);
        if (!Enum.IsDefined(type))
            throw new InvalidDataException($"{path}: unknown element type {(int)type}");
        long count = BinaryPrimitives.ReadInt64LittleEndian(source[16..]);
        int dimension = BinaryPrimitives.ReadInt32LittleEndian(source[24..]);
        int metricValue = BinaryPrimitives.ReadInt32LittleEndian(source[28..]);
        int stride = BinaryPrimitives.ReadInt32LittleEndian(source[32..]);
        if (dimension <= 0)
            throw new InvalidDataException($"{path}: dimension is {dimension}; it must be at least 1");
        if (count < 0)
            throw new InvalidDataException($"{path}: row count is {count}; it must not be negative");
        DistanceMetric? metric = null;
        if (metricValue != 0)
        {
            if (!Enum.IsDefined((DistanceMetric)metricValue))
                throw new InvalidDataException($"{path}: unknown metric {metricValue}");
            metric = (DistanceMetric)metricValue;
        }
        long minStride = (long)dimension * ElementSize(type);
        if (stride < minStride || stride % Alignment != 0)
            throw new InvalidDataException($"{path}: row stride {stride} bytes is invalid for dimension {dimension} (needs a multiple of {Alignment} of at least {minStride})");
        Format.RequireAtLeast(path, fileLength, Size + count * stride, $"{count} rows of {stride} bytes");
        return new VectorFileHeader(type, count, dimension, metric, stride);
    }
}
