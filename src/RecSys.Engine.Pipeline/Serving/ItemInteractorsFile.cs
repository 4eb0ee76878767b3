using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// The catalog's item interactors (<see cref="Catalog.ItemInteractors"/>) for the serving catalog snapshot: a 32-byte
/// header ("RSYSINT\0", version 1, count as int64 at 16) then count little-endian int64 values, item after item:
/// ordinal, user count n (at least 1), n external user ids, oldest first. Written through <see cref="DurableFile"/> like
/// the snapshot's other files; a length or structure check catches a torn or damaged file, naming it.
/// </summary>
internal static class ItemInteractorsFile
{
    private static readonly BinaryFileFormat Format = new("RecSys item interactors file", "RSYSINT\0"u8, version: 1, headerSize: 32);

    public static void Write(string path, (int Ordinal, long[] Users)[] items)
    {
        long total = 0;
        foreach (var (_, users) in items)
            total += 2 + users.Length;
        var flat = new long[total];
        int at = 0;
        foreach (var (ordinal, users) in items)
        {
            flat[at++] = ordinal;
            flat[at++] = users.Length;
            users.CopyTo(flat, at);
            at += users.Length;
        }
        Format.WriteArray<long>(path, flat);
    }

    /// <summary>The items, each ordinal below <paramref name="itemCount"/> (the id map saved beside them) and listed once; errors name the file.</summary>
    public static List<(int Ordinal, long[] Users)> Read(string path, int itemCount)
    {
        long[] flat = Format.ReadArray<long>(path, long.MaxValue / 8, "item interactors", exactLength: true);
        var items = new List<(int, long[])>();
        var seen = new HashSet<long>();
        for (long at = 0; at < flat.LongLength;)
        {
            if (flat.LongLength - at < 2)
                throw new InvalidDataException($"{path}: value {at}: an item cut short (corrupt)");
            long ordinal = flat[at], n = flat[at + 1];
            if (ordinal < 0 || ordinal >= itemCount || !seen.Add(ordinal))
                throw new InvalidDataException($"{path}: value {at}: ordinal {ordinal} is outside the snapshot's {itemCount} items or listed twice (corrupt)");
            if (n < 1 || n > flat.LongLength - at - 2)
                throw new InvalidDataException($"{path}: value {at + 1}: item {ordinal} has {n} users, {flat.LongLength - at - 2} values are left (corrupt)");
            items.Add(((int)ordinal, flat.AsSpan((int)(at + 2), (int)n).ToArray()));
            at += 2 + n;
        }
        return items;
    }
}
