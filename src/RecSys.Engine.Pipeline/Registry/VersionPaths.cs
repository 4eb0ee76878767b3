namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// The relative paths inside a version directory ('/' separated, as the manifest writes them), checked so a
/// manifest can never point outside its version, and the fixed places of each part.
/// </summary>
internal static class VersionPaths
{
    public const string Catalog = "catalog";
    public const string Models = "models";
    public const string Indexes = "indexes";
    public const string Embeddings = "embeddings";
    public const string Ranker = "ranker/ranker.onnx";
    public const string Towers = "towers";

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>; a path that could leave it is refused.</summary>
    public static string Resolve(string root, string relative, string where)
    {
        if (!IsSafe(relative))
            throw new InvalidDataException($"{where}: '{relative}' is not a relative path inside the version");
        return Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
    }

    public static bool IsSafe(string relative)
    {
        if (string.IsNullOrEmpty(relative) || relative.Contains('\\') || relative.Contains('\0') || Path.IsPathRooted(relative))
            return false;
        foreach (string segment in relative.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
                return false;
        }
        return true;
    }

    /// <summary>The manifest form of a path under <paramref name="root"/>.</summary>
    public static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
}
