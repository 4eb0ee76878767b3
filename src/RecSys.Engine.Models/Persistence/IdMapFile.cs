using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Persistence;

/// <summary>
/// Persists an <see cref="IdMap"/>: Core's binary id file (name.ids) when every id is an int64, otherwise
/// UTF-8 text with one id per line (name.txt), both written through <see cref="DurableFile"/>. Returns the file name written.
/// </summary>
public static class IdMapFile
{
    public static string Write(string directory, string name, IdMap map)
    {
        long[]? numeric = map.TryGetNumericIds();
        if (numeric is not null)
        {
            string file = name + ".ids";
            IdFile.Write(Path.Combine(directory, file), numeric);
            return file;
        }
        foreach (string id in map.Ids)
        {
            if (id.Contains('\n') || id.Contains('\r'))
                throw new ArgumentException($"id '{id}' contains a line break and cannot be stored as text");
        }
        string text = name + ".txt";
        DurableFile.WriteAllLines(Path.Combine(directory, text), map.Ids);
        return text;
    }

    /// <summary>Reads an id list that must hold <paramref name="expectedCount"/> ids (the manifest's count).</summary>
    public static IdMap Read(string directory, string file, int expectedCount)
    {
        IdMap map = Read(directory, file);
        if (map.Count != expectedCount)
            throw new InvalidDataException($"{Path.Combine(directory, file)}: {map.Count} ids, the manifest says {expectedCount}");
        return map;
    }

    public static IdMap Read(string directory, string file)
    {
        string path = Path.Combine(directory, file);
        if (file.EndsWith(".ids", StringComparison.Ordinal))
            return IdMap.FromIds(IdFile.Read(path).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: id list not found", path);
        return IdMap.FromIds(File.ReadAllLines(path));
    }
}
