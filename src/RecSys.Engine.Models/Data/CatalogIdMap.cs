using System.Collections.Concurrent;
using System.Globalization;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Index;

namespace RecSys.Engine.Models.Data;

/// <summary>
/// The one id space of a serving catalog (items, or users): external int64 ids &lt;-&gt; dense int32 ordinals.
/// <code>
///   edge (gRPC, CLI, feature store)  external id: int64 (a string id is mapped to one by KeyOf)
///   models, vector indexes, pipeline ordinal 0..Count-1 (the models' ordinals; the indexes store ordinals as their ids)
/// </code>
/// Ordinals are handed out in order and never reused or renumbered (append-only), so a model trained on the
/// first n ordinals stays valid while items are added after it, and a feature-store key (the external id)
/// never depends on the order of loading. A string id that is the canonical text of an int64 ("42") is that
/// number; any other string is a stable 64-bit hash of its text, and keeps its text (<see cref="NameOf"/>)
/// so responses can give it back; two strings that hash alike are refused when the second is added.
/// Reads are lock-free and allocation-free (the request path); adds are serialised.
/// Persisted as Core's id file (catalog.ids, ordinal order) plus catalog.names.txt when any id had a string name.
/// </summary>
public sealed class CatalogIdMap
{
    public const string IdsFileName = "catalog.ids";
    public const string NamesFileName = "catalog.names.txt";

    private readonly ConcurrentDictionary<long, int> _ordinals;
    private readonly object _writeLock = new();
    private long[] _ids;
    private string?[]? _names;
    private int _count;

    public CatalogIdMap(int capacity = 16)
    {
        _ordinals = new ConcurrentDictionary<long, int>(concurrencyLevel: 1, capacity: Math.Max(capacity, 16));
        _ids = new long[Math.Max(capacity, 16)];
    }

    /// <summary>Ordinals handed out so far: every ordinal below it is valid.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The external id of <paramref name="ordinal"/>.</summary>
    public long ExternalId(int ordinal)
    {
        if ((uint)ordinal >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"ordinals run 0..{Count - 1}");
        return Volatile.Read(ref _ids)[ordinal];
    }

    /// <summary>The string the id was added under, or null for an id added as a number.</summary>
    public string? NameOf(int ordinal)
    {
        long _ = ExternalId(ordinal);
        var names = Volatile.Read(ref _names);
        return names is not null && ordinal < names.Length ? names[ordinal] : null;
    }

    public bool TryGetOrdinal(long externalId, out int ordinal) => _ordinals.TryGetValue(externalId, out ordinal);

    public bool TryGetOrdinal(string externalId, out int ordinal) => _ordinals.TryGetValue(KeyOf(externalId), out ordinal) && NameMatches(ordinal, externalId);

    /// <summary>The ordinal of <paramref name="externalId"/>, added at the end when it is new.</summary>
    public int GetOrAdd(long externalId) => GetOrAdd(externalId, null);

    /// <summary>The ordinal of a string id (see <see cref="KeyOf"/>), added at the end when it is new.</summary>
    public int GetOrAdd(string externalId)
    {
        ArgumentNullException.ThrowIfNull(externalId);
        long key = KeyOf(externalId);
        return GetOrAdd(key, IsCanonicalInt64(externalId) ? null : externalId);
    }

    private int GetOrAdd(long key, string? name)
    {
        if (_ordinals.TryGetValue(key, out int ordinal))
            return CheckName(ordinal, key, name);
        lock (_writeLock)
        {
            if (_ordinals.TryGetValue(key, out ordinal))
                return CheckName(ordinal, key, name);
            ordinal = _count;
            if (ordinal == int.MaxValue)
                throw new InvalidOperationException("the catalog id map is full (int32 ordinals)");
            // Grow by copy and publish before writing: a reader that got an ordinal always finds it in the array it reads.
            if (ordinal == _ids.Length)
            {
                var grown = new long[Math.Min((long)_ids.Length * 2, Array.MaxLength)];
                _ids.AsSpan().CopyTo(grown);
                Volatile.Write(ref _ids, grown);
            }
            _ids[ordinal] = key;
            if (name is not null)
            {
                var names = _names ?? new string?[_ids.Length];
                if (names.Length <= ordinal)
                    Array.Resize(ref names, _ids.Length);
                names[ordinal] = name;
                Volatile.Write(ref _names, names);
            }
            Volatile.Write(ref _count, ordinal + 1);
            _ordinals[key] = ordinal;
            return ordinal;
        }
    }

    private int CheckName(int ordinal, long key, string? name)
    {
        string? existing = NameOf(ordinal);
        if (existing != name)
            throw new ArgumentException($"ids '{existing ?? key.ToString(CultureInfo.InvariantCulture)}' and '{name ?? key.ToString(CultureInfo.InvariantCulture)}' map to the same key {key}; rename one", nameof(name));
        return ordinal;
    }

    private bool NameMatches(int ordinal, string externalId) => IsCanonicalInt64(externalId) ? NameOf(ordinal) is null : NameOf(ordinal) == externalId;

    /// <summary>
    /// The int64 key of a string id: the number itself when the string is its canonical text ("42", "-7"), else
    /// the 64-bit FNV-1a hash of the UTF-16 text (stable across runs and machines).
    /// </summary>
    public static long KeyOf(string externalId)
    {
        if (IsCanonicalInt64(externalId))
            return long.Parse(externalId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        ulong hash = 14695981039346656037UL;
        foreach (char ch in externalId)
        {
            hash ^= ch;
            hash *= 1099511628211UL;
        }
        return (long)hash;
    }

    /// <summary>The name the map keeps for a string id: null for the canonical text of an int64 ("42"), the string itself otherwise.</summary>
    public static string? NameKept(string externalId)
    {
        ArgumentNullException.ThrowIfNull(externalId);
        return IsCanonicalInt64(externalId) ? null : externalId;
    }

    private static bool IsCanonicalInt64(string s) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) && v.ToString(CultureInfo.InvariantCulture) == s;

    /// <summary>The map of a training id list: ordinal i of <paramref name="ids"/> becomes catalog ordinal i.</summary>
    public static CatalogIdMap FromIdMap(IdMap ids)
    {
        var map = new CatalogIdMap(ids.Count);
        for (int i = 0; i < ids.Count; i++)
        {
            if (map.GetOrAdd(ids[i]) != i)
                throw new ArgumentException($"id '{ids[i]}' appears twice", nameof(ids));
        }
        return map;
    }

    /// <summary>Writes catalog.ids (and catalog.names.txt when any id has a string name) into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        var (ids, names) = CopyEntries();
        Save(directory, ids, names);
    }

    /// <summary>
    /// The ids in ordinal order and their string names (null when no id has one; shorter than the ids when the last
    /// ones have none), copied at once: what <see cref="Save(string, long[], string?[])"/> writes, taken while adds
    /// are held off so the file can be written after they resume.
    /// </summary>
    public (long[] Ids, string?[]? Names) CopyEntries()
    {
        lock (_writeLock)
            return (_ids.AsSpan(0, _count).ToArray(), _names?.AsSpan(0, Math.Min(_names.Length, _count)).ToArray());
    }

    /// <summary>Writes entries <see cref="CopyEntries"/> took, as <see cref="Save(string)"/> writes the map.</summary>
    public static void Save(string directory, long[] ids, string?[]? names)
    {
        ArgumentNullException.ThrowIfNull(ids);
        DurableFile.CreateDirectory(directory);
        string namesPath = Path.Combine(directory, NamesFileName);
        if (names is not null)
        {
            // One line per ordinal; an empty line is an id added as a number (a string name is never empty: "" is not canonical, it hashes).
            var lines = new string[ids.Length];
            for (int i = 0; i < lines.Length; i++)
            {
                string? n = i < names.Length ? names[i] : null;
                if (n is not null && (n.Contains('\n') || n.Contains('\r') || n.Length == 0))
                    throw new InvalidOperationException($"id '{n}' (ordinal {i}) cannot be stored as a line of text");
                lines[i] = n ?? "";
            }
            DurableFile.WriteAllLines(namesPath, lines);
        }
        else if (File.Exists(namesPath))
        {
            File.Delete(namesPath);
        }
        IdFile.Write(Path.Combine(directory, IdsFileName), ids);
    }

    /// <summary>Reads a map saved by <see cref="Save"/>; errors name the file and the row.</summary>
    public static CatalogIdMap Load(string directory)
    {
        string idsPath = Path.Combine(directory, IdsFileName);
        long[] ids = IdFile.Read(idsPath);
        string namesPath = Path.Combine(directory, NamesFileName);
        string[]? names = File.Exists(namesPath) ? File.ReadAllLines(namesPath) : null;
        if (names is not null && names.Length != ids.Length)
            throw new InvalidDataException($"{namesPath}: {names.Length} lines, {idsPath} holds {ids.Length} ids");
        var map = new CatalogIdMap(ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            string? name = names is null || names[i].Length == 0 ? null : names[i];
            if (name is not null && KeyOf(name) != ids[i])
                throw new InvalidDataException($"{namesPath}: line {i + 1} ('{name}') does not hash to id {ids[i]} of {idsPath}");
            if (map._ordinals.ContainsKey(ids[i]))
                throw new InvalidDataException($"{idsPath}: id {ids[i]} appears twice (ordinal {i})");
            map.GetOrAdd(ids[i], name);
        }
        return map;
    }
}
