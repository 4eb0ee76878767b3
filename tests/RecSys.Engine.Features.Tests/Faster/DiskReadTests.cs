using System.Diagnostics;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Testing;
using Xunit.Abstractions;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// Reads of records evicted to disk (a real FASTER store on a real disk log, 4 MiB memory budget): every read API
/// returns what was written, many concurrent readers on pool threads all finish (no thread waits on the disk), and
/// the same holds after a checkpoint and reopen.
/// </summary>
public sealed class DiskReadTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task EvictedRecords_ReadBackCorrectly_ThroughEveryApi_SingleAndBatch()
    {
        await using var store = await FasterFeatureStore.OpenAsync(EvictedDataset.Options(_dir.Path));
        await EvictedDataset.WriteAsync(store);
        EvictedDataset.AssertMostlyOnDisk(store);
        await EvictedDataset.VerifyEveryApiAsync(store);
    }

    /// <summary>
    /// Far more readers than pool threads, each reading evicted records. A reader that blocked its thread until the
    /// disk read completed would hold a pool thread that the read's own I/O completion needs: the pool then has to
    /// grow to about one thread per reader before anything moves, at a few threads a second. Against the synchronous
    /// wait (main before this change) 256 readers took 66 s (the pool at 202 threads), so 512 readers keep that well
    /// past the bound; reads that await the disk finish in a few seconds. No timing beyond the generous bound is asserted.
    /// </summary>
    [Fact]
    public async Task ManyConcurrentReadersOfEvictedRecords_AllFinish_WithCorrectValues()
    {
        const int readers = 512;
        const int readsPerReader = 16;
        await using var store = await FasterFeatureStore.OpenAsync(EvictedDataset.Options(_dir.Path));
        await EvictedDataset.WriteAsync(store);
        EvictedDataset.AssertMostlyOnDisk(store);

        // Items are written first, so the older ones are the furthest below the in-memory part of the log.
        int onDisk = EvictedDataset.Items / 2;
        var sw = Stopwatch.StartNew();
        var tasks = new Task<int>[readers];
        for (int r = 0; r < readers; r++)
        {
            int reader = r;
            tasks[r] = Task.Run(async () =>
            {
                var rng = new Random(reader);
                var ids = new long[8];
                var batch = new Records.ItemMetadata?[ids.Length];
                int wrong = 0;
                for (int n = 0; n < readsPerReader; n++)
                {
                    if (n % 2 == 0)
                    {
                        long id = rng.Next(onDisk);
                        if (!EvictedDataset.Item(id).Equals(await store.GetItemAsync(id))) wrong++;
                    }
                    else
                    {
                        for (int j = 0; j < ids.Length; j++) ids[j] = rng.Next(onDisk);
                        await store.GetItemsAsync(ids, batch);
                        for (int j = 0; j < ids.Length; j++) if (!EvictedDataset.Item(ids[j]).Equals(batch[j])) wrong++;
                    }
                }
                return wrong;
            });
        }
        var all = Task.WhenAll(tasks);
        bool finishedInTime = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) == all;
        // Even when late, wait for the readers before the store is disposed under them.
        int[] wrongs = await all;
        output.WriteLine($"{readers} readers x {readsPerReader} reads of evicted items: {sw.Elapsed.TotalSeconds:F1} s, pool threads {ThreadPool.ThreadCount}");
        Assert.True(finishedInTime, $"{readers} concurrent readers of evicted records took {sw.Elapsed.TotalSeconds:F0} s (bound 60 s): reads are holding pool threads while they wait for the disk");
        Assert.Equal(0, wrongs.Sum());
    }

    [Fact]
    public async Task AfterCheckpointAndReopen_EveryRecordReadsBack()
    {
        await using (var store = await FasterFeatureStore.OpenAsync(EvictedDataset.Options(_dir.Path)))
        {
            await EvictedDataset.WriteAsync(store);
            await store.CheckpointAsync();
        }
        await using (var store = await FasterFeatureStore.OpenAsync(EvictedDataset.Options(_dir.Path)))
        {
            Assert.NotEqual(Guid.Empty, store.RecoveredCheckpoint);
            Assert.Equal(0, store.ReplayedAtOpen); // everything came back from the checkpoint and the KV log on disk
            EvictedDataset.AssertMostlyOnDisk(store);
            await EvictedDataset.VerifyEveryApiAsync(store);
        }
    }
}
