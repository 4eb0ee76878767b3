using System.Text.RegularExpressions;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// The model registry: a directory of versions and the pointer to the one to serve.
/// <code>
///   registry/
///     ACTIVE                  {"active": id, "history": [ids active before, most recent first]}  (durable replace)
///     versions/
///       v20250101T120000Z-3fa2c1/
///         manifest.json       written last (VersionManifest): id, created-at, training, files + SHA-256, metrics
///         catalog/            catalog.ids (+ catalog.names.txt), categories and segments key tables
///         models/als|content|popularity|trending/     ModelStore model directories
///         indexes/cf|content/                         saved indexes (IndexFactory strings in the manifest)
///         embeddings/NAME/    vectors.vec, ids.bin, index/    (bulk-loaded)
///         ranker/ranker.onnx, towers/user.onnx, towers/item.onnx   (optional)
/// </code>
/// Versions are immutable once committed. <see cref="List"/> shows only complete ones (manifest present, every
/// file there with its size); loading also checks every SHA-256. Activation and rollback replace ACTIVE in one
/// durable rename (the pipeline's own swap is <see cref="Serving.ServingState"/>'s). Thread-safe within a process.
/// </summary>
public sealed partial class ModelRegistry
{
    public const string VersionsDirectoryName = "versions";

    private readonly Lock _pointerLock = new();

    private ModelRegistry(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Opens the registry at <paramref name="directory"/>, creating it (durably) when missing.</summary>
    public static ModelRegistry Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        DurableFile.CreateDirectory(Path.Combine(full, VersionsDirectoryName));
        return new ModelRegistry(full);
    }

    /// <summary>The complete versions, oldest first (created-at, then id). A torn or damaged one is left out (see <see cref="Inspect"/>).</summary>
    public IReadOnlyList<RegistryVersion> List()
    {
        var versions = new List<RegistryVersion>();
        foreach (var (_, version, _) in Inspect())
        {
            if (version is not null)
                versions.Add(version);
        }
        return versions;
    }

    /// <summary>Every version directory, with the version when it is complete or else what is wrong with it.</summary>
    public IReadOnlyList<(string Id, RegistryVersion? Version, string? Problem)> Inspect()
    {
        var found = new List<(string, RegistryVersion?, string?)>();
        foreach (string dir in System.IO.Directory.EnumerateDirectories(Path.Combine(Directory, VersionsDirectoryName)))
        {
            string id = Path.GetFileName(dir);
            try
            {
                var version = RegistryVersion.Read(dir);
                version.CheckFiles();
                found.Add((id, version, null));
            }
            catch (VersionCorruptedException e)
            {
                found.Add((id, null, e.Message));
            }
        }
        return [.. found.OrderBy(v => v.Item2?.CreatedAt ?? DateTimeOffset.MaxValue).ThenBy(v => v.Item1, StringComparer.Ordinal)];
    }

    /// <summary>The version <paramref name="id"/>: <see cref="KeyNotFoundException"/> when there is none, <see cref="VersionCorruptedException"/> when it is torn or damaged.</summary>
    public RegistryVersion Get(string id)
    {
        CheckId(id);
        string dir = VersionDirectory(id);
        if (!System.IO.Directory.Exists(dir))
            throw new KeyNotFoundException($"registry {Directory} has no version '{id}'");
        var version = RegistryVersion.Read(dir);
        version.CheckFiles();
        return version;
    }

    /// <summary>The version a (re)started server serves; null before the first activation.</summary>
    public string? ActiveId => ReadPointer().Active;

    /// <summary>The versions active before the current one, most recent first (where <see cref="Rollback"/> goes).</summary>
    public IReadOnlyList<string> History => ReadPointer().History;

    /// <summary>
    /// Points ACTIVE at <paramref name="id"/> (which must be complete), the current one going onto the history.
    /// Only the pointer: <see cref="Serving.ServingState.ActivateAsync"/> also swaps the serving pipeline.
    /// </summary>
    public RegistryVersion SetActive(string id)
    {
        var version = Get(id);
        lock (_pointerLock)
        {
            var pointer = ReadPointer();
            if (pointer.Active == id)
                return version;
            var history = new List<string>();
            if (pointer.Active is not null)
                history.Add(pointer.Active);
            history.AddRange(pointer.History.Where(h => h != id));
            WritePointer(new ActivePointer { Active = id, History = [.. history.Take(ActivePointer.MaxHistory)] });
        }
        return version;
    }

    /// <summary>
    /// Where a rollback goes: the most recent previously active version that is still complete (versions deleted or
    /// damaged since are skipped). <see cref="InvalidOperationException"/> when there is none.
    /// </summary>
    public RegistryVersion RollbackTarget()
    {
        foreach (string id in ReadPointer().History)
        {
            if (TryGet(id, out var version))
                return version;
        }
        throw new InvalidOperationException($"registry {Directory}: no earlier version to roll back to");
    }

    /// <summary>
    /// Points ACTIVE back at <paramref name="target"/> (a <see cref="RollbackTarget"/>), dropping it and the versions
    /// skipped to reach it from the history: a second rollback goes one step further back.
    /// </summary>
    public void RollBackTo(RegistryVersion target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_pointerLock)
        {
            var pointer = ReadPointer();
            int at = pointer.History.IndexOf(target.Id);
            if (at < 0)
                throw new InvalidOperationException($"version '{target.Id}' is not in the activation history of {Directory}");
            WritePointer(new ActivePointer { Active = target.Id, History = pointer.History.Skip(at + 1).ToList() });
        }
    }

    public bool TryGet(string id, out RegistryVersion version)
    {
        try
        {
            version = Get(id);
            return true;
        }
        catch (Exception e) when (e is KeyNotFoundException or VersionCorruptedException or ArgumentException)
        {
            version = null!;
            return false;
        }
    }

    /// <summary>Removes version <paramref name="id"/> (complete or torn); the active version is refused.</summary>
    public void Delete(string id)
    {
        CheckId(id);
        lock (_pointerLock)
        {
            if (ReadPointer().Active == id)
                throw new InvalidOperationException($"version '{id}' is active; activate another before deleting it");
            string dir = VersionDirectory(id);
            if (!System.IO.Directory.Exists(dir))
                throw new KeyNotFoundException($"registry {Directory} has no version '{id}'");
            // The manifest first: a crash part-way leaves a torn directory, never a listed version with missing files.
            File.Delete(Path.Combine(dir, VersionManifest.FileName));
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A fresh version id: creation time (UTC, to the second) and 24 random bits ("v20250101T120000Z-3fa2c1").</summary>
    public static string NewVersionId(DateTimeOffset now) =>
        $"v{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Random.Shared.Next(1 << 24):x6}";

    /// <summary>Ids are file names: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100 characters.</summary>
    public static void CheckId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!IdPattern().IsMatch(id))
            throw new ArgumentException($"version id '{id}' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit", nameof(id));
    }

    internal string VersionDirectory(string id) => Path.Combine(Directory, VersionsDirectoryName, id);

    /// <summary>A new version directory to write; <paramref name="id"/> null = <see cref="NewVersionId"/>.</summary>
    internal VersionWriter BeginVersion(string? id)
    {
        id ??= NewVersionId(DateTimeOffset.UtcNow);
        CheckId(id);
        return new VersionWriter(this, id);
    }

    private ActivePointer ReadPointer()
    {
        string path = Path.Combine(Directory, ActivePointer.FileName);
        return File.Exists(path) ? RegistryJson.Read<ActivePointer>(path, "active-version pointer") : new ActivePointer();
    }

    private void WritePointer(ActivePointer pointer) =>
        DurableFile.WriteAllBytes(Path.Combine(Directory, ActivePointer.FileName), RegistryJson.Bytes(pointer));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex IdPattern();
}
