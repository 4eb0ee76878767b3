using RecSys.Engine.Models.Persistence;

namespace RecSys.Engine.Models.Data;

/// <summary>
/// A small, append-only, thread-safe table of string keys &lt;-&gt; dense int ids: the shared numbering of
/// user segments (the popularity model's keys, <see cref="Popularity.UserSegments.Key"/>, &lt;-&gt; the feature
/// store's int segment) and of item categories (the content encoder's names &lt;-&gt; the feature store's int
/// categories). Ids are never reused, so ints written to the store keep their meaning. Persisted with
/// <see cref="IdMapFile"/> (one key per line).
/// </summary>
public sealed class KeyTable
{
    private readonly IdMap _map;

    public KeyTable()
        : this(new IdMap())
    {
    }

    private KeyTable(IdMap map) => _map = map;

    public int Count
    {
        get { lock (_map) return _map.Count; }
    }

    /// <summary>The id of <paramref name="key"/>, added when new.</summary>
    public int GetOrAdd(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_map) return _map.GetOrAdd(key);
    }

    public bool TryGetId(string key, out int id)
    {
        lock (_map) return _map.TryGetOrdinal(key, out id);
    }

    /// <summary>The key of <paramref name="id"/>, or null when the table has no such id.</summary>
    public string? KeyOf(int id)
    {
        lock (_map) return (uint)id < (uint)_map.Count ? _map[id] : null;
    }

    /// <summary>Every key, in id order (a copy).</summary>
    public string[] Keys()
    {
        lock (_map) return [.. _map.Ids];
    }

    public static KeyTable FromKeys(IEnumerable<string> keys) => new(IdMap.FromIds(keys));

    /// <summary>Writes the table as <paramref name="name"/>.txt (or .ids when every key is a number); returns the file name.</summary>
    public string Save(string directory, string name)
    {
        Core.Files.DurableFile.CreateDirectory(directory);
        lock (_map) return IdMapFile.Write(directory, name, _map);
    }

    /// <summary>Writes keys <see cref="Keys"/> copied earlier, as <see cref="Save(string, string)"/> writes the table; returns the file name.</summary>
    public static string Save(string directory, string name, string[] keys)
    {
        Core.Files.DurableFile.CreateDirectory(directory);
        return IdMapFile.Write(directory, name, IdMap.FromIds(keys));
    }

    public static KeyTable Load(string directory, string file) => new(IdMapFile.Read(directory, file));
}
