namespace RecSys.Engine.Features.Codecs;

/// <summary>
/// The items a user interacted with whose events have fallen out of their bounded history: distinct item ids in
/// ascending order, so membership is a binary search and an add that changes nothing writes nothing. Layout v1:
/// version(1) count(varint) then item(i64) per id, strictly ascending.
/// </summary>
public static class SeenSetCodec
{
    public const byte Version = 1;
    private const string Kind = "user seen set";

    public static byte[] Encode(ReadOnlySpan<long> ascending)
    {
        var bytes = new byte[1 + SpanWriter.VarUIntLength((uint)ascending.Length) + 8 * ascending.Length];
        var w = new SpanWriter(bytes);
        w.WriteByte(Version);
        w.WriteVarUInt((uint)ascending.Length);
        foreach (long id in ascending)
            w.WriteInt64(id);
        return bytes;
    }

    /// <summary>Decodes the ids; a set out of order (or with a repeat) is refused as damaged.</summary>
    public static long[] Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new SpanReader(bytes, Kind);
        r.ExpectVersion(Version);
        var ids = new long[r.ReadCount(8)];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = r.ReadInt64();
            if (i > 0 && ids[i] <= ids[i - 1])
                throw new FeatureFormatException($"{Kind} record is not strictly ascending at position {i} ({ids[i - 1]} then {ids[i]})");
        }
        r.ExpectEnd();
        return ids;
    }

    /// <summary>
    /// <paramref name="ascending"/> with <paramref name="items"/> added while it holds fewer than
    /// <paramref name="capacity"/> ids; null when nothing was added (every item already there, or the set full).
    /// </summary>
    public static long[]? Add(long[] ascending, ReadOnlySpan<long> items, int capacity)
    {
        List<long>? added = null;
        foreach (long id in items)
        {
            if (ascending.AsSpan().BinarySearch(id) >= 0 || added?.Contains(id) == true)
                continue;
            if (ascending.Length + (added?.Count ?? 0) >= capacity)
                break;
            (added ??= []).Add(id);
        }
        if (added is null)
            return null;
        var merged = new long[ascending.Length + added.Count];
        ascending.CopyTo(merged, 0);
        added.CopyTo(merged, ascending.Length);
        Array.Sort(merged);
        return merged;
    }
}
