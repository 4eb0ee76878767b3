using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// Writes one new version directory: the parts write their files through the durable-file helper (models,
/// indexes, id and vector files all do), then <see cref="Commit"/> hashes every file and writes the manifest last.
/// Until then the directory has no manifest and is never listed; disposing without a commit removes it.
/// </summary>
internal sealed class VersionWriter : IDisposable
{
    private readonly ModelRegistry _registry;
    private bool _committed;

    public VersionWriter(ModelRegistry registry, string id)
    {
        _registry = registry;
        Id = id;
        Directory = registry.VersionDirectory(id);
        if (System.IO.Directory.Exists(Directory))
            throw new ArgumentException($"version '{id}' exists already ({Directory}); delete it or pick another id", nameof(id));
        DurableFile.CreateDirectory(Directory);
    }

    public string Id { get; }

    public string Directory { get; }

    /// <summary>The full path of <paramref name="relative"/>, its parent directory created (durably).</summary>
    public string PathOf(string relative)
    {
        string path = VersionPaths.Resolve(Directory, relative, Directory);
        DurableFile.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>The full path of directory <paramref name="relative"/>, created (durably).</summary>
    public string DirectoryOf(string relative)
    {
        string path = VersionPaths.Resolve(Directory, relative, Directory);
        DurableFile.CreateDirectory(path);
        return path;
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="relative"/> durably; returns the relative path.</summary>
    public string CopyIn(string source, string relative)
    {
        if (!File.Exists(source))
            throw new FileNotFoundException($"{source}: not found", source);
        using var file = DurableFile.Create(PathOf(relative));
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
            input.CopyTo(file.Stream);
        file.Commit();
        return relative;
    }

    /// <summary>
    /// Hashes every file of the directory into the manifest (and the ALS model's files into its CF vector tag), then
    /// writes manifest.json, durably, last. Returns the complete version.
    /// </summary>
    public RegistryVersion Commit(VersionManifest manifest)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        if (manifest.Id != Id)
            throw new ArgumentException($"the manifest names '{manifest.Id}', the writer '{Id}'", nameof(manifest));
        var files = new Dictionary<string, VersionFile>(StringComparer.Ordinal);
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = VersionPaths.Relative(Directory, path);
            if (relative == VersionManifest.FileName || relative.EndsWith(".tmp", StringComparison.Ordinal))
                continue;
            files[relative] = new VersionFile(new FileInfo(path).Length, FileHash.Sha256(path));
        }
        foreach (string relative in manifest.Models.Values.Concat(manifest.Indexes.Values.Select(i => i.Path)))
        {
            if (!files.Keys.Any(f => f.StartsWith(relative + "/", StringComparison.Ordinal)))
                throw new InvalidOperationException($"version '{Id}': the manifest names '{relative}', which holds no file");
        }
        manifest = manifest with { Files = files, CfVectorTag = manifest.Models.TryGetValue("als", out string? als) ? CfTagOf(files, als) : 0 };
        DurableFile.WriteAllBytes(Path.Combine(Directory, VersionManifest.FileName), RegistryJson.Bytes(manifest));
        _committed = true;
        return _registry.Get(Id);
    }

    /// <summary>
    /// A tag in 1..2^24-1 from the ALS model directory's files (names relative to it, and hashes): the same model in
    /// two versions (a bulk load copies it) gets the same tag, so stored fold-in vectors stay valid across them.
    /// </summary>
    private static int CfTagOf(Dictionary<string, VersionFile> files, string modelDirectory)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (relative, file) in files.Where(f => f.Key.StartsWith(modelDirectory + "/", StringComparison.Ordinal)).OrderBy(f => f.Key, StringComparer.Ordinal))
            text.Append(relative.AsSpan(modelDirectory.Length + 1)).Append(' ').Append(file.Sha256).Append('\n');
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
        int tag = hash[0] | hash[1] << 8 | hash[2] << 16;
        return tag == 0 ? 1 : tag;
    }

    public void Dispose()
    {
        if (_committed)
            return;
        _committed = true;
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { /* a torn directory has no manifest: never listed */ }
    }
}
