namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// A complete version of the registry, as listed: its directory and its manifest (id, created-at, training summary,
/// files, metrics). Listing checks that every file is there with its size; <see cref="Verify"/> reads them all and
/// checks each SHA-256 (loading does it).
/// </summary>
public sealed class RegistryVersion
{
    private RegistryVersion(string directory, VersionManifest manifest)
    {
        Directory = directory;
        Manifest = manifest;
    }

    public string Id => Manifest.Id;

    public string Directory { get; }

    public VersionManifest Manifest { get; }

    public DateTimeOffset CreatedAt => Manifest.CreatedAt;

    public IReadOnlyDictionary<string, double> Metrics => Manifest.Metrics;

    /// <summary>The full path of a file or directory the manifest names.</summary>
    public string PathOf(string relative) => VersionPaths.Resolve(Directory, relative, Path.Combine(Directory, VersionManifest.FileName));

    /// <summary>Reads every file the manifest lists and checks its size and SHA-256; the first fault is a <see cref="VersionCorruptedException"/> naming the file.</summary>
    public void Verify(CancellationToken cancellationToken = default)
    {
        foreach (var (relative, expected) in Manifest.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = CheckSize(relative, expected);
            string actual = FileHash.Sha256(path);
            if (!string.Equals(actual, expected.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new VersionCorruptedException(Id, path, $"SHA-256 {actual} does not match the manifest's {expected.Sha256} (the file changed after the version was saved)");
        }
    }

    /// <summary>Every listed file is there with its size (what listing checks: cheap, catches a truncated or missing file).</summary>
    internal void CheckFiles()
    {
        foreach (var (relative, expected) in Manifest.Files)
            CheckSize(relative, expected);
    }

    private string CheckSize(string relative, VersionFile expected)
    {
        string path = PathOf(relative);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new VersionCorruptedException(Id, path, "missing (the manifest lists it)");
        if (info.Length != expected.Bytes)
            throw new VersionCorruptedException(Id, path, $"{info.Length} bytes, the manifest says {expected.Bytes} (truncated or replaced)");
        return path;
    }

    /// <summary>Reads the version in <paramref name="directory"/>: its manifest must be whole and of this format, and name this directory's id.</summary>
    internal static RegistryVersion Read(string directory)
    {
        string id = Path.GetFileName(directory);
        string path = Path.Combine(directory, VersionManifest.FileName);
        VersionManifest manifest;
        try
        {
            manifest = RegistryJson.Read<VersionManifest>(path, "version manifest");
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            throw new VersionCorruptedException(id, path, File.Exists(path) ? e.Message : "no manifest (a save that never finished)", e);
        }
        if (manifest.Format != VersionManifest.CurrentFormat)
            throw new VersionCorruptedException(id, path, $"format '{manifest.Format}' is not a registry version");
        if (manifest.FormatVersion != VersionManifest.CurrentFormatVersion)
            throw new VersionCorruptedException(id, path, $"format version {manifest.FormatVersion} is not supported (this build reads {VersionManifest.CurrentFormatVersion})");
        if (manifest.Id != id)
            throw new VersionCorruptedException(id, path, $"names version '{manifest.Id}', but lies in directory '{id}'");
        foreach (string relative in manifest.Files.Keys)
        {
            if (!VersionPaths.IsSafe(relative))
                throw new VersionCorruptedException(id, path, $"lists '{relative}', which is not a relative path inside the version");
        }
        return new RegistryVersion(directory, manifest);
    }
}
