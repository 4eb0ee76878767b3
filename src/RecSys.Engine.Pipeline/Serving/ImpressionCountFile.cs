using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// The impression count of every catalog ordinal, for the serving catalog snapshot: a 32-byte header ("RSYSIMP\0",
/// version 1, count as int64 at 16) then count little-endian int32 counts, ordinal 0 first. Written through
/// <see cref="DurableFile"/> like the snapshot's other files; the length check catches a torn file.
/// </summary>
internal static class ImpressionCountFile
{
    private static readonly BinaryFileFormat Format = new("RecSys impression count file", "RSYSIMP\0"u8, version: 1, headerSize: 32);

    public static void Write(string path, ReadOnlySpan<int> counts)
    {
        Span<byte> header = stackalloc byte[Format.HeaderSize];
        Format.WriteHeader(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], counts.Length);
        using var file = DurableFile.Create(path);
        file.Stream.Write(header);
        file.Stream.Write(MemoryMarshal.AsBytes(counts));
        file.Commit();
    }

    /// <summary>The counts, at most <paramref name="maxCount"/> of them (the ordinals of the id map saved beside them); errors name the file.</summary>
    public static int[] Read(string path, int maxCount)
    {
        Span<byte> header = stackalloc byte[Format.HeaderSize];
        using var fs = Format.OpenRead(path, header);
        long count = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        if (count < 0 || count > maxCount)
            throw new InvalidDataException($"{path}: {count} impression counts, but the snapshot's id map has {maxCount} ordinals");
        Format.RequireLength(path, fs.Length, Format.HeaderSize + count * sizeof(int), $"{count} counts");
        var counts = new int[count];
        fs.ReadExactly(MemoryMarshal.AsBytes(counts.AsSpan()));
        for (int o = 0; o < counts.Length; o++)
        {
            if (counts[o] < 0)
                throw new InvalidDataException($"{path}: ordinal {o} has {counts[o]} impressions (corrupt)");
        }
        return counts;
    }
}
