using FASTER.core;

namespace RecSys.Engine.Features.Faster;

public sealed partial class FasterFeatureStore
{
    private readonly SemaphoreSlim _checkpointGate = new(1, 1);

    /// <summary>
    /// Takes a KV checkpoint and records it in checkpoints.json with the log address replay must start from.
    /// The log is then truncated only up to the previous checkpoint's replay address, so the previous checkpoint
    /// stays a complete fallback (RecoverFromPreviousCheckpoint).
    /// </summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await _checkpointGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Every entry below replayFrom is committed and applied, so the checkpoint below contains it; entries
            // at or above it may be in the checkpoint too, which replay tolerates (per-key LSN check).
            long replayFrom;
            lock (_enqueueLock) replayFrom = _pending.TryPeek(out var head) ? head.Address : _wal.TailAddress;

            var (success, token) = await _kv.TakeFullCheckpointAsync(CheckpointType.Snapshot, cancellationToken).ConfigureAwait(false);
            if (!success) throw new InvalidOperationException("FASTER declined the checkpoint (another one in progress?)");

            var entry = CheckpointManifest.Describe(token, replayFrom, _checkpointDirectory);
            var kept = new List<CheckpointEntry> { entry };
            if (_manifest is not null) kept.Add(_manifest.Checkpoints[0]);
            var manifest = new CheckpointManifest { Checkpoints = kept };
            manifest.WriteAtomically(_options.DataDirectory);

            var dropped = _manifest?.Checkpoints.Skip(1).Select(c => c.Token).Where(t => kept.All(k => k.Token != t)).ToList() ?? [];
            _manifest = manifest;
            foreach (var t in dropped)
                foreach (string folder in CheckpointManifest.CheckpointFolders(t, _checkpointDirectory))
                    if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            // Orphans: a checkpoint FASTER finished but a crash kept out of the manifest.
            foreach (string root in new[] { "index-checkpoints", "cpr-checkpoints" })
            {
                string dir = Path.Combine(_checkpointDirectory, root);
                if (!Directory.Exists(dir)) continue;
                foreach (string folder in Directory.EnumerateDirectories(dir))
                    if (Guid.TryParse(Path.GetFileName(folder), out var g) && kept.All(k => k.Token != g))
                        Directory.Delete(folder, recursive: true);
            }

            long truncateTo = kept[^1].ReplayFrom;
            if (truncateTo > _wal.BeginAddress)
            {
                _wal.TruncateUntil(truncateTo);
                // The truncation becomes durable with a commit; nothing is lost if a crash beats it (only more replay).
                await _wal.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _checkpointGate.Release();
        }
    }
}
