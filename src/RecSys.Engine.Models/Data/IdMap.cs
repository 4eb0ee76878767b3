namespace RecSys.Engine.Models.Data;

/// <summary>
/// External id (a string, as it appeared in the source file) &lt;-&gt; dense int32 ordinal.
/// Ordinals are handed out in first-seen order, so a load is deterministic for a given file.
/// </summary>
public sealed class IdMap
{
    private readonly Dictionary<string, int> _ordinals = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];

    public int Count => _ids.Count;

    public IReadOnlyList<string> Ids => _ids;

    public string this[int ordinal] => _ids[ordinal];

    public int GetOrAdd(string id)
    {
        if (_ordinals.TryGetValue(id, out int ordinal))
            return ordinal;
        ordinal = _ids.Count;
        _ordinals.Add(id, ordinal);
        _ids.Add(id);
        return ordinal;
    }

    public bool TryGetOrdinal(string id, out int ordinal) => _ordinals.TryGetValue(id, out ordinal);

    /// <summary>
    /// The ids as int64 when every one is the canonical text of an int64 (what <c>IdFile</c> stores); null
    /// otherwise. "007" or "+5" are not canonical: stored as numbers they would come back as "7" and "5".
    /// </summary>
    public long[]? TryGetNumericIds()
    {
        var result = new long[_ids.Count];
        for (int i = 0; i < result.Length; i++)
        {
            if (!long.TryParse(_ids[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out result[i])
                || result[i].ToString(System.Globalization.CultureInfo.InvariantCulture) != _ids[i])
                return null;
        }
        return result;
    }

    public static IdMap FromIds(IEnumerable<string> ids)
    {
        var map = new IdMap();
        foreach (string id in ids)
        {
            if (map.TryGetOrdinal(id, out _))
                throw new InvalidDataException($"duplicate id '{id}' in id list");
            map.GetOrAdd(id);
        }
        return map;
    }
}
