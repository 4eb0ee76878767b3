using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Index;

/// <summary>
/// The persisted ordinal -> external id map: a 32-byte header ("RSYSIDS\0", version 1, count) then
/// count little-endian int64 ids. Written to a temporary file, fsynced and renamed into place.
/// </summary>
public static class IdFile
{
    private const int HeaderSize = 32;
    private const int Version = 1;
    private static ReadOnlySpan<byte> Magic => "RSYSIDS\0"u8;

    public static void Write(string path, ReadOnlySpan<long> ids)
    {
        string temp = path + ".tmp";
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            header.Clear();
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], ids.Length);
            fs.Write(header);
            if (!BitConverter.IsLittleEndian)
                throw new PlatformNotSupportedException("id files are little-endian");
            fs.Write(MemoryMarshal.AsBytes(ids));
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public static long[] Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: id file not found", path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (fs.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
            throw new InvalidDataException($"{path}: truncated id file ({fs.Length} bytes; the header needs {HeaderSize})");
        if (!header[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a RecSys id file (wrong magic bytes)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != Version)
            throw new InvalidDataException($"{path}: id file version {version} is not supported (this build reads version {Version})");
        long count = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        if (count < 0 || count > Array.MaxLength)
            throw new InvalidDataException($"{path}: invalid id count {count}");
        if (fs.Length < HeaderSize + count * sizeof(long))
            throw new InvalidDataException($"{path}: truncated id file: {fs.Length} bytes, but {count} ids need {HeaderSize + count * sizeof(long)}");
        var ids = new long[count];
        fs.ReadExactly(MemoryMarshal.AsBytes(ids.AsSpan()));
        return ids;
    }
}
