using System.Text.Json.Nodes;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// Incremental checkpoints: a checkpoint flushes the log pages appended since the last one (fold-over) instead of
/// copying the whole in-memory log, and checkpoints the hash index only once the log grew
/// <see cref="FasterFeatureStoreOptions.IndexCheckpointLogBytes"/> since the last index checkpoint. A crash after an
/// incremental checkpoint recovers with the older index, rebuilding the rest from the log; nothing is lost.
/// </summary>
public sealed class IncrementalCheckpointTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<TempDirectory> _images = [];

    public void Dispose()
    {
        _dir.Dispose();
        foreach (var d in _images) d.Dispose();
    }

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

    /// <summary>About 0.3 MB of log per round: 4,000 items, each overwritten every round, and one event per item.</summary>
    private static async Task Round(IFeatureStore store, int round)
    {
        await store.BulkUpsertItemsAsync(Enumerable.Range(0, 4_000).Select(i => KeyValuePair.Create((long)i, Item(i, round))));
        await store.AppendEventsAsync(Enumerable.Range(0, 50).Select(u => new UserEvent(u, 100_000 + round * 50 + u, EventType.Click, 1f, 1_700_000_000_000 + round)).ToArray());
    }

    private static async Task AssertRound(IFeatureStore store, int round, string when)
    {
        var ids = Enumerable.Range(0, 4_000).Select(i => (long)i).ToArray();
        var got = new ItemMetadata?[ids.Length];
        await store.GetItemsAsync(ids, got);
        for (int i = 0; i < ids.Length; i++)
            Assert.True(Item(i, round).Equals(got[i]), $"{when}: item {i} is not its round-{round} value");
        for (int u = 0; u < 50; u++)
        {
            var history = (await store.GetRecentHistoryAsync(u, 1000)).Select(h => h.ItemId).ToHashSet();
            for (int r = 0; r <= round; r++)
                Assert.True(history.Contains(100_000 + r * 50 + u), $"{when}: user {u} lost the event of round {r}");
        }
    }

    private string CrashImage()
    {
        var image = new TempDirectory();
        _images.Add(image);
        foreach (string f in Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(image.Path, Path.GetRelativePath(_dir.Path, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        return image.Path;
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
        await Round(store, 12);
        string image = CrashImage();
        await using var recovered = await FasterFeatureStore.OpenAsync(Options(image, IndexEvery));
        Assert.Equal(before.Token, recovered.RecoveredCheckpoint);
        Assert.True(recovered.RecoveredWithIndex);
        Assert.True(recovered.ReplayedAtOpen > 0);
        await AssertRound(recovered, 12, "crash after an incremental checkpoint");
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
