namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// A registry version that cannot be trusted: its manifest is missing or unreadable, or a file it lists is missing,
/// has another size, or fails its SHA-256. The message names the file and what is wrong.
/// </summary>
public sealed class VersionCorruptedException : IOException
{
    public VersionCorruptedException(string versionId, string path, string message, Exception? inner = null)
        : base($"version '{versionId}': {path}: {message}", inner)
    {
        VersionId = versionId;
        FilePath = path;
    }

    public string VersionId { get; }

    /// <summary>The file at fault (full path).</summary>
    public string FilePath { get; }
}
