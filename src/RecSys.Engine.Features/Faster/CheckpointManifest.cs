using System.Security.Cryptography;
using System.Text.Json;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// checkpoints.json: the source of truth for recovery. Lists the newest checkpoints (newest first, at most two),
/// each with the write-ahead log address replay starts from and a SHA-256 of every checkpoint file, so a damaged
/// or truncated checkpoint is detected before FASTER reads it. Written through Core's <see cref="DurableFile"/> (temp,
/// fsync, rename, fsync of the directory), so a crash or power loss leaves either the old or the new manifest, never
/// half of one, and never the old one after a checkpoint that was reported done.
/// </summary>
internal sealed record CheckpointManifest
{
    public const int CurrentFormat = 1;
    public const string FileName = "checkpoints.json";

    public int Format { get; init; } = CurrentFormat;

    public List<CheckpointEntry> Checkpoints { get; init; } = [];

    /// <summary>Segment size of the KV log files (kv/hlog.log.N); 0 in manifests written before it was recorded, which all used 256 MiB.</summary>
    public long KvSegmentBytes { get; init; }

    /// <summary>Segments wholly below this KV log address are needed by no listed checkpoint (0: keep every segment).</summary>
    public long SafeTruncationAddress => Checkpoints.Min(c => c.KvBeginAddress);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static CheckpointManifest? TryRead(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path)) return null;
        CheckpointManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException e)
        {
            throw new FeatureStoreCorruptedException(
                $"checkpoint manifest {path} is not valid JSON ({e.Message}). {RecoveryHint(dataDirectory)}", e);
        }
        if (m is null || m.Format != CurrentFormat || m.Checkpoints.Count == 0)
            throw new FeatureStoreCorruptedException(
                $"checkpoint manifest {path} has format {m?.Format} with {m?.Checkpoints.Count ?? 0} checkpoints; expected format {CurrentFormat} with at least one. {RecoveryHint(dataDirectory)}");
        return m;
    }

    public void WriteAtomically(string dataDirectory)
    {
        using var file = DurableFile.Create(Path.Combine(dataDirectory, FileName), bufferSize: 4096);
        JsonSerializer.Serialize(file.Stream, this, Json);
        file.Commit();
    }

    /// <summary>Hashes the files FASTER wrote for <paramref name="token"/> (index and hybrid-log checkpoint folders).</summary>
    public static CheckpointEntry Describe(Guid token, long replayFrom, long kvBeginAddress, string checkpointDirectory)
    {
        var files = new List<CheckpointFile>();
        foreach (string folder in CheckpointFolders(token, checkpointDirectory))
        {
            if (!Directory.Exists(folder)) continue;
            foreach (string f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                files.Add(new CheckpointFile(Path.GetRelativePath(checkpointDirectory, f), new FileInfo(f).Length, Hash(f)));
        }
        if (files.Count == 0) throw new InvalidOperationException($"checkpoint {token} wrote no files under {checkpointDirectory}");
        return new CheckpointEntry(token, replayFrom, files, kvBeginAddress);
    }

    /// <summary>Null when every file is present with the recorded length and hash, else what is wrong.</summary>
    public static string? Verify(CheckpointEntry entry, string checkpointDirectory)
    {
        foreach (var f in entry.Files)
        {
            string path = Path.Combine(checkpointDirectory, f.Path);
            if (!File.Exists(path)) return $"checkpoint file {path} is missing";
            long length = new FileInfo(path).Length;
            if (length != f.Length) return $"checkpoint file {path} is {length} bytes, the manifest recorded {f.Length} (truncated or overwritten)";
            if (Hash(path) != f.Sha256) return $"checkpoint file {path} does not match its recorded SHA-256 (damaged)";
        }
        return null;
    }

    public static IEnumerable<string> CheckpointFolders(Guid token, string checkpointDirectory)
    {
        yield return Path.Combine(checkpointDirectory, "index-checkpoints", token.ToString());
        yield return Path.Combine(checkpointDirectory, "cpr-checkpoints", token.ToString());
    }

    public static string RecoveryHint(string dataDirectory) =>
        $"Recovery: reopen with FasterFeatureStoreOptions.RecoverFromPreviousCheckpoint = true to start from the previous " +
        $"checkpoint and replay the write-ahead log kept since it (nothing acknowledged is lost while that checkpoint is intact); " +
        $"if that fails too, restore {dataDirectory} from a backup or re-run the bulk load. See README, section Durability.";

    private static string Hash(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(fs));
    }
}

/// <summary>
/// One checkpoint: FASTER's token, where log replay starts, its files, and the KV log's begin address when it was
/// taken (recovering it reads the log from there; 0 in manifests written before compaction existed: the whole log).
/// </summary>
internal sealed record CheckpointEntry(Guid Token, long ReplayFrom, List<CheckpointFile> Files, long KvBeginAddress = 0);

/// <summary>A checkpoint file, relative to the checkpoint directory.</summary>
internal sealed record CheckpointFile(string Path, long Length, string Sha256);
