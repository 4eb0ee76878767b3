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
    /// <summary>2: entries may name an older index checkpoint (<see cref="CheckpointEntry.IndexToken"/>); format 1 manifests are read as full checkpoints.</summary>
    public const int CurrentFormat = 2;
    public const string FileName = "checkpoints.json";

    public int Format { get; init; } = CurrentFormat;

    public List<CheckpointEntry> Checkpoints { get; init; } = [];

    /// <summary>The compaction schedule's baseline: the KV log's size (tail - begin) after the last compaction that ran (before any ran, the size the store started from); 0 in older manifests.</summary>
    public long LogSizeAfterCompaction { get; init; }

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
        if (m is null || m.Format is < 1 or > CurrentFormat || m.Checkpoints.Count == 0)
            throw new FeatureStoreCorruptedException(
                $"checkpoint manifest {path} has format {m?.Format} with {m?.Checkpoints.Count ?? 0} checkpoints; expected format 1 to {CurrentFormat} with at least one. {RecoveryHint(dataDirectory)}");
        return m;
    }

    public void WriteAtomically(string dataDirectory)
    {
        using var file = DurableFile.Create(Path.Combine(dataDirectory, FileName), bufferSize: 4096);
        JsonSerializer.Serialize(file.Stream, this, Json);
        file.Commit();
    }

    /// <summary>
    /// Describes a checkpoint. <paramref name="logToken"/>'s files (the hybrid-log checkpoint) are hashed now; the index
    /// checkpoint's are hashed now too when it is the same token (a full checkpoint), and otherwise taken from
    /// <paramref name="indexFrom"/>, the entry that recorded that index checkpoint (hashing its ~64 B a bucket again
    /// at every checkpoint is what incremental checkpoints avoid).
    /// </summary>
    public static CheckpointEntry Describe(Guid logToken, Guid indexToken, long indexTailAddress, long replayFrom, long kvBeginAddress,
        string checkpointDirectory, CheckpointEntry? indexFrom)
    {
        var files = new List<CheckpointFile>();
        if (indexToken == logToken)
        {
            files.AddRange(HashFolder(IndexFolder(indexToken, checkpointDirectory), checkpointDirectory));
            if (files.Count == 0) throw new InvalidOperationException($"index checkpoint {indexToken} wrote no files under {checkpointDirectory}");
        }
        else
        {
            if (indexFrom is null || indexFrom.IndexCheckpoint != indexToken)
                throw new InvalidOperationException($"no entry describes index checkpoint {indexToken}");
            files.AddRange(indexFrom.Files.Where(f => IsIndexFile(f.Path)));
        }
        var logFiles = HashFolder(LogFolder(logToken, checkpointDirectory), checkpointDirectory);
        if (logFiles.Count == 0) throw new InvalidOperationException($"checkpoint {logToken} wrote no files under {checkpointDirectory}");
        files.AddRange(logFiles);
        return new CheckpointEntry(logToken, replayFrom, files, kvBeginAddress, indexToken == logToken ? Guid.Empty : indexToken, indexTailAddress);
    }

    private static List<CheckpointFile> HashFolder(string folder, string checkpointDirectory)
    {
        var files = new List<CheckpointFile>();
        if (!Directory.Exists(folder)) return files;
        foreach (string f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            files.Add(new CheckpointFile(Path.GetRelativePath(checkpointDirectory, f), new FileInfo(f).Length, Hash(f)));
        return files;
    }

    /// <summary>Whether a manifest file path (relative to the checkpoint directory) belongs to an index checkpoint.</summary>
    public static bool IsIndexFile(string relativePath) => relativePath.StartsWith(IndexRoot + "/", StringComparison.Ordinal) ||
                                                           relativePath.StartsWith(IndexRoot + "\\", StringComparison.Ordinal);

    /// <summary>Null when every file is present with the recorded length and hash, else what is wrong.</summary>
    public static string? Verify(CheckpointEntry entry, string checkpointDirectory) => Verify(entry.Files, checkpointDirectory);

    /// <summary>As <see cref="Verify(CheckpointEntry, string)"/>, for the hybrid-log checkpoint's files alone (the index rebuilt from the log instead).</summary>
    public static string? VerifyLogPart(CheckpointEntry entry, string checkpointDirectory) =>
        Verify(entry.Files.Where(f => !IsIndexFile(f.Path)), checkpointDirectory);

    private static string? Verify(IEnumerable<CheckpointFile> files, string checkpointDirectory)
    {
        foreach (var f in files)
        {
            string path = Path.Combine(checkpointDirectory, f.Path);
            if (!File.Exists(path)) return $"checkpoint file {path} is missing";
            long length = new FileInfo(path).Length;
            if (length != f.Length) return $"checkpoint file {path} is {length} bytes, the manifest recorded {f.Length} (truncated or overwritten)";
            if (Hash(path) != f.Sha256) return $"checkpoint file {path} does not match its recorded SHA-256 (damaged)";
        }
        return null;
    }

    public const string IndexRoot = "index-checkpoints";
    public const string LogRoot = "cpr-checkpoints";

    public static string IndexFolder(Guid token, string checkpointDirectory) => Path.Combine(checkpointDirectory, IndexRoot, token.ToString());

    public static string LogFolder(Guid token, string checkpointDirectory) => Path.Combine(checkpointDirectory, LogRoot, token.ToString());

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
/// One checkpoint: FASTER's hybrid-log checkpoint token, where log replay starts, its files (the index checkpoint's
/// included), and the KV log's begin address when it was taken (recovering it reads the log from there; 0 in manifests
/// written before compaction existed: the whole log). <paramref name="IndexToken"/>: the index checkpoint it recovers
/// with, when older (an incremental checkpoint); empty when the index was checkpointed with it under the same token.
/// <paramref name="IndexTailAddress"/>: the KV log's tail when that index checkpoint was taken (recovery rebuilds the
/// index from the log above it; 0 when unknown).
/// </summary>
internal sealed record CheckpointEntry(Guid Token, long ReplayFrom, List<CheckpointFile> Files, long KvBeginAddress = 0,
    Guid IndexToken = default, long IndexTailAddress = 0)
{
    /// <summary>The index checkpoint this entry recovers with.</summary>
    public Guid IndexCheckpoint => IndexToken == Guid.Empty ? Token : IndexToken;
}

/// <summary>A checkpoint file, relative to the checkpoint directory.</summary>
internal sealed record CheckpointFile(string Path, long Length, string Sha256);
