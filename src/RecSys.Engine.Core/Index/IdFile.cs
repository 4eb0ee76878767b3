using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Core.Index;

/// <summary>
/// The persisted ordinal -> external id map: a 32-byte header ("RSYSIDS\0", version 1, count at 16) then
/// count little-endian int64 ids. Written through <see cref="DurableFile"/>.
/// </summary>
public static class IdFile
{
    private static readonly BinaryFileFormat Format = new("RecSys id file", "RSYSIDS\0"u8, version: 1, headerSize: 32);

    public static void Write(string path, ReadOnlySpan<long> ids) => Format.WriteArray(path, ids);

    public static long[] Read(string path) => Format.ReadArray<long>(path, long.MaxValue, "ids", exactLength: false);
}
