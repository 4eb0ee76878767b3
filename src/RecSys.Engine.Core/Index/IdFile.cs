using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Core.Index;

/// <summary>
/// The persisted ordinal -> external id map: a 32-byte header ("RSYSIDS\0", version 1, count at 16) then
/// count little-endian int64 ids. Written through <see cref="DurableFile"/>.
/// </summary>
public static class IdFile
{
    private static readonly BinaryFileFormat Format = new("RecSys id file", "RSYSIDS\0"u8, version: 1, headerSize: 32);

    public static void Write(string path, ReadOnlySpan<long> ids)
    {
        Span<byte> header = stackalloc byte[Format.HeaderSize];
        Format.WriteHeader(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], ids.Length);
        using var file = DurableFile.Create(path);
        file.Stream.Write(header);
        file.Stream.Write(MemoryMarshal.AsBytes(ids));
        file.Commit();
    }

    public static long[] Read(string path)
    {
        Span<byte> header = stackalloc byte[Format.HeaderSize];
        using var fs = Format.OpenRead(path, header);
        long count = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        if (count < 0 || count > Array.MaxLength)
            throw new InvalidDataException($"{path}: invalid id count {count}");
        Format.RequireAtLeast(path, fs.Length, Format.HeaderSize + count * sizeof(long), $"{count} ids");
        var ids = new long[count];
        fs.ReadExactly(MemoryMarshal.AsBytes(ids.AsSpan()));
        return ids;
    }
}
