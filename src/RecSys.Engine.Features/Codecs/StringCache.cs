namespace RecSys.Engine.Features.Codecs;

/// <summary>
/// Hands back one string instance per distinct short UTF-8 value (item tags: a small vocabulary read 500 times
/// per ranking request). Strings are immutable, so sharing an instance is invisible to callers; it saves two
/// allocations per decoded item and a third of a batch read's garbage. Direct-mapped and lock-free: each slot
/// holds an immutable entry, replaced whole on a miss, so a race costs at most one extra allocation.
/// </summary>
internal static class StringCache
{
    private const int Slots = 4096;
    private const int MaxBytes = 48;

    private sealed class Entry(byte[] utf8, string value)
    {
        public readonly byte[] Utf8 = utf8;
        public readonly string Value = value;
    }

    private static readonly Entry?[] Table = new Entry?[Slots];

    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes) return System.Text.Encoding.UTF8.GetString(utf8);
        var h = new HashCode();
        h.AddBytes(utf8);
        int slot = h.ToHashCode() & (Slots - 1);
        var e = Volatile.Read(ref Table[slot]);
        if (e is not null && utf8.SequenceEqual(e.Utf8)) return e.Value;
        string s = System.Text.Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref Table[slot], new Entry(utf8.ToArray(), s));
        return s;
    }
}
