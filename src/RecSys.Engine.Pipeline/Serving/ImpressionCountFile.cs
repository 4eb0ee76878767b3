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

    public static void Write(string path, ReadOnlySpan<int> counts) => Format.WriteArray(path, counts);

    /// <summary>The counts, at most <paramref name="maxCount"/> of them (the ordinals of the id map saved beside them); errors name the file.</summary>
    public static int[] Read(string path, int maxCount)
    {
        int[] counts = Format.ReadArray<int>(path, maxCount, "impression counts (the snapshot's id map bounds them)", exactLength: true);
        for (int o = 0; o < counts.Length; o++)
        {
            if (counts[o] < 0)
                throw new InvalidDataException($"{path}: ordinal {o} has {counts[o]} impressions (corrupt)");
        }
        return counts;
    }
}
