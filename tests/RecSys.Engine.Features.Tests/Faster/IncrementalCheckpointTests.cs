using System.Text.Json.Nodes;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// Incremental checkpoints: a checkpoint flushes the log pages appended since the last one (fold-over) instead of
/// copying the whole in-memory log, and checkpoints the hash index only once the log grew
/// <see cref="FasterFeatureStoreOptions.IndexCheckpointLogBytes"/> since the last index checkpoint. A crash after an
/// incremental checkpoint recovers with the older index, rebuilding the rest from the log; nothing is lost.
/// </summary>
public sealed class IncrementalCheckpointTests : IDisposable
{
    private readonly CrashImages _dir = new();

    public void Dispose() => _dir.Dispose();

    private static FasterFeatureStoreOptions Options(string dir, long indexEvery) => FasterTestOptions.Small(dir) with
    {
        MemoryBudgetBytes = 16L << 20,
        LogSegmentBytes = 1L << 20,
        LogCompactionThresholdBytes = 0,
        IndexCheckpointLogBytes = indexEvery,
    };

    private static ItemMetadata Item(long id, int round) => new()
    {
        Categories = [(int)(id % 11), round], Tags = ["t" + (id % 30), "r" + round], PublishedAtMs = 1_700_000_000_000 + round,
    };

    /// <summary>About 0.3 MB of log per round: 4,000 items, each overwritten every round (<paramref name="evenOnly"/>: the even ones), and one event per user.</summary>
    private static async Task Round(IFeatureStore store, int round, bool evenOnly = false)
    {
        await store.BulkUpsertItemsAsync(Enumerable.Range(0, 4_000).Where(i => !evenOnly || i % 2 == 0).Select(i => KeyValuePair.Create((long)i, Item(i, round))));
        await store.AppendEventsAsync(Enumerable.Range(0, 50).Select(u => new UserEvent(u, 100_000 + round * 50 + u, EventType.Click, 1f, 1_700_000_000_000 + round)).ToArray());
    }

    /// <summary>Every item holds its round-<paramref name="round"/> value (odd ones <paramref name="oddRound"/>'s when given) and every user every event up to the round.</summary>
    private static async Task AssertRound(IFeatureStore store, int round, string when, int? oddRound = null)
    {
        var ids = Enumerable.Range(0, 4_000).Select(i => (long)i).ToArray();
        var got = new ItemMetadata?[ids.Length];
        await store.GetItemsAsync(ids, got);
        for (int i = 0; i < ids.Length; i++)
        {
            int expected = i % 2 == 1 && oddRound is { } odd ? odd : round;
            Assert.True(Item(i, expected).Equals(got[i]), $"{when}: item {i} is not its round-{expected} value");
        }
        for (int u = 0; u < 50; u++)
        {
            var history = (await store.GetRecentHistoryAsync(u, 1000)).Select(h => h.ItemId).ToHashSet();
            for (int r = 0; r <= round; r++)
                Assert.True(history.Contains(100_000 + r * 50 + u), $"{when}: user {u} lost the event of round {r}");
        }
    }

    private static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    [Fact]
    public async Task IndexCheckpointedOnlyWhenTheLogGrewEnough_IncrementalOnesWriteNoCopyOfTheLog_CrashRecoversEverything()
    {
        const long IndexEvery = 1L << 20;
        string checkpoints = Path.Combine(_dir.Path, "kv", "checkpoints");
        await using var store = await FasterFeatureStore.OpenAsync(Options(_dir.Path, IndexEvery));
        Assert.Equal(1, store.IndexCheckpoints); // the new store's first checkpoint
        int incremental = 0;
        for (int round = 0; round < 12; round++)
        {
            await Round(store, round);
            int indexBefore = store.IndexCheckpoints;
            await store.CheckpointAsync();
            var latest = CheckpointManifest.TryRead(_dir.Path)!.Checkpoints[0];
            if (store.IndexCheckpoints == indexBefore)
            {
                incremental++;
                Assert.NotEqual(Guid.Empty, latest.IndexToken);
                Assert.True(store.LogTailAddress - latest.IndexTailAddress < IndexEvery,
                    $"round {round}: an incremental checkpoint {store.LogTailAddress - latest.IndexTailAddress} bytes of log past its index checkpoint");
                // A fold-over checkpoint's own files are metadata: the records are in the log files, not copied.
                long own = FolderBytes(CheckpointManifest.LogFolder(latest.Token, checkpoints));
                Assert.True(own < 64 << 10, $"round {round}: an incremental checkpoint wrote {own} bytes of its own");
            }
            else
            {
                Assert.Equal(Guid.Empty, latest.IndexToken);
            }
            // Index folders no kept entry names are gone.
            var named = CheckpointManifest.TryRead(_dir.Path)!.Checkpoints.Select(c => c.IndexCheckpoint.ToString()).ToHashSet();
            Assert.All(Directory.GetDirectories(Path.Combine(checkpoints, CheckpointManifest.IndexRoot)), d => Assert.Contains(Path.GetFileName(d), named));
        }
        Assert.True(incremental >= 6, $"only {incremental} of 12 checkpoints were incremental");
        Assert.True(store.IndexCheckpoints >= 1 + store.LogTailAddress / IndexEvery - 1,
            $"only {store.IndexCheckpoints} index checkpoints over {store.LogTailAddress} bytes of log with one due every {IndexEvery}");

        // Make sure the latest is incremental, then crash with a round in the write-ahead log only.
        if (CheckpointManifest.TryRead(_dir.Path)!.Checkpoints[0].IndexToken == Guid.Empty)
        {
            await store.AppendEventAsync(new UserEvent(0, 999, EventType.Click, 1f, 1));
            await store.CheckpointAsync();
        }
        var before = CheckpointManifest.TryRead(_dir.Path)!.Checkpoints[0];
        Assert.NotEqual(Guid.Empty, before.IndexToken);
        // Only the even items again: the odd ones' round-11 values must come from the checkpoint, not from replay.
        await Round(store, 12, evenOnly: true);
        string image = _dir.Take();
        await using var recovered = await FasterFeatureStore.OpenAsync(Options(image, IndexEvery));
        Assert.Equal(before.Token, recovered.RecoveredCheckpoint);
        Assert.True(recovered.RecoveredWithIndex);
        Assert.True(recovered.ReplayedAtOpen > 0);
        await AssertRound(recovered, 12, "crash after an incremental checkpoint", oddRound: 11);
    }

    /// <summary>
    /// Records written while a checkpoint is in progress belong to the next version; a later incremental checkpoint
    /// that recovers with an older index must keep them (none of them is replayed: they precede its replay address).
    /// </summary>
    [Fact]
    public async Task WritesDuringCheckpoints_SurviveACrashAfterAnIncrementalOne()
    {
        var reports = new List<FeatureStoreCheckpointReport>();
        await using var store = await FasterFeatureStore.OpenAsync(Options(_dir.Path, indexEvery: 1L << 20) with { CheckpointCompleted = reports.Add });
        // Each round's writes run while a checkpoint is taken.
        for (int round = 0; round < 12; round++)
            await Task.WhenAll(Task.Run(() => Round(store, round)), store.CheckpointAsync());
        int incremental = reports.Count(r => !r.WithIndex);
        Assert.True(incremental >= 4, $"{reports.Count} checkpoints, only {incremental} incremental");
        // The latest must be incremental, with no write since its start: the crash recovers it with no replay.
        await store.CheckpointAsync();
        if (CheckpointManifest.TryRead(_dir.Path)!.Checkpoints[0].IndexToken == Guid.Empty)
            await store.CheckpointAsync();
        var latest = CheckpointManifest.TryRead(_dir.Path)!.Checkpoints[0];
        Assert.NotEqual(Guid.Empty, latest.IndexToken);

        string image = _dir.Take();
        await using var recovered = await FasterFeatureStore.OpenAsync(Options(image, 1L << 20));
        Assert.Equal(latest.Token, recovered.RecoveredCheckpoint);
        Assert.Equal(0, recovered.ReplayedAtOpen);
        await AssertRound(recovered, 11, "crash after incremental checkpoints taken during writes");
    }

    [Fact]
    public async Task EveryCheckpoint_IsReported_WithWhatItDid()
    {
        var reports = new List<FeatureStoreCheckpointReport>();
        // A 4 MiB budget and ~6 MB of log, so part of it is on disk for the compaction at the end.
        var options = Options(_dir.Path, indexEvery: 1L << 20) with { MemoryBudgetBytes = 4L << 20, CheckpointCompleted = reports.Add };
        await using (var store = await FasterFeatureStore.OpenAsync(options))
        {
            for (int round = 0; round < 20; round++)
            {
                await Round(store, round);
                await store.CheckpointAsync();
            }
            await store.CompactAsync();
            Assert.Equal(1, store.Compactions);
            Assert.Equal(store.IndexCheckpoints, reports.Count(r => r.WithIndex));
        }
        Assert.Equal(23, reports.Count); // open, 20 rounds, the compaction, dispose
        var manifest = CheckpointManifest.TryRead(_dir.Path)!;
        Assert.Equal(manifest.Checkpoints[0].Token, reports[^1].Token);
        Assert.True(reports[0].WithIndex, "a new store's first checkpoint takes the index");
        Assert.Contains(reports[1..21], r => !r.WithIndex && r.LogBytesSincePrevious > 100_000);
        Assert.True(reports[21].Compacted && reports[21].WithIndex, "the checkpoint that compacts takes the index");
        Assert.False(reports[22].WithIndex);
        Assert.All(reports, r => Assert.True(r.Total >= r.FasterTime && r.FasterTime > TimeSpan.Zero));
        Assert.Contains("incremental", reports[1..21].First(r => !r.WithIndex).ToString());
        // Every checkpoint was traced; what the trace saw depends on timing (CheckpointPhaseTraceTests checks the text).
        Assert.All(reports, r =>
        {
            Assert.False(string.IsNullOrEmpty(r.Phases));
            Assert.Contains(r.Phases!, r.ToString());
        });
    }

    [Fact]
    public async Task IndexCheckpointLogBytesZero_EveryCheckpointTakesTheIndex()
    {
        await using var store = await FasterFeatureStore.OpenAsync(Options(_dir.Path, indexEvery: 0));
        for (int round = 0; round < 3; round++)
        {
            await Round(store, round);
            await store.CheckpointAsync();
            Assert.Equal(Guid.Empty, CheckpointManifest.TryRead(_dir.Path)!.Checkpoints[0].IndexToken);
        }
        Assert.Equal(4, store.IndexCheckpoints);
    }

    [Fact]
    public async Task FormatOneManifest_StillOpens_AndTheNextCheckpointTakesTheIndex()
    {
        await using (var store = await FasterFeatureStore.OpenAsync(Options(_dir.Path, indexEvery: 0)))
            await Round(store, 0);
        // What an earlier build wrote: format 1, entries without the index fields.
        string path = Path.Combine(_dir.Path, CheckpointManifest.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["Format"] = 1;
        foreach (var c in json["Checkpoints"]!.AsArray())
        {
            c!.AsObject().Remove("IndexToken");
            c.AsObject().Remove("IndexTailAddress");
        }
        File.WriteAllText(path, json.ToJsonString());

        await using var reopened = await FasterFeatureStore.OpenAsync(Options(_dir.Path, indexEvery: 1L << 30));
        Assert.True(reopened.RecoveredWithIndex);
        await AssertRound(reopened, 0, "format-1 manifest");
        await Round(reopened, 1);
        await reopened.CheckpointAsync();
        Assert.Equal(1, reopened.IndexCheckpoints); // the unknown index position is not guessed
        var latest = CheckpointManifest.TryRead(_dir.Path)!;
        Assert.Equal(CheckpointManifest.CurrentFormat, latest.Format);
        Assert.True(latest.Checkpoints[0].IndexTailAddress > 0);
    }
}
