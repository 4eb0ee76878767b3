using System.Collections.Concurrent;
using RecSys.Engine.Core.Threading;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Registry;

/// <summary>Activation and rollback while requests run: none fails, each finishes on its version, old files are released after the last.</summary>
public sealed class SwapTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    [Fact]
    public async Task Activate_and_rollback_under_concurrent_load_fail_no_request()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync();
        rig.AddVersion("v2", cfIndex: "Flat");
        var failures = new ConcurrentQueue<Exception>();
        var versionsSeen = new ConcurrentDictionary<string, int>();
        long requests = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            int n = 0;
            while (!stop.IsCancellationRequested)
            {
                int user = random.Next(rig.Planted.Users);
                try
                {
                    if (w == 0 && n % 5 == 4)
                    {
                        // Events during swaps too (the fold-in, the popularity sources of whichever version serves).
                        await state.Pipeline.RecordEventsAsync([new InteractionEvent(PlantedCatalog.UserId(user), PlantedCatalog.ItemId(random.Next(rig.Planted.Items)), EventType.Click, 1, rig.NowMs)]);
                    }
                    var surface = n % 3 == 2 ? "item-page" : "home";
                    var request = rig.Request(user, surface, $"w{w}-{n}") with { ItemId = surface == "item-page" ? PlantedCatalog.ItemId(random.Next(rig.Planted.Items)) : null };
                    var response = await state.Pipeline.RecommendAsync(request);
                    Assert.NotEmpty(response.Items);
                    versionsSeen.AddOrUpdate(response.Version, 1, (_, c) => c + 1);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
                n++;
                Interlocked.Increment(ref requests);
                // A pause between requests, as a client has. Without it the six loops never leave the pool threads'
                // local queues (each request's continuations are queued there), and an item in the pool's global
                // queue can wait behind them for good: a CI run hung here for 9+ minutes with FASTER's commit and
                // checkpoint blocked in DeviceLogCommitCheckpointManager.WriteInto (sync over async) while the file
                // write they waited for (SafeFileHandle+ThreadPoolValueTaskSource) and the timer queue sat in the
                // global queue (dotnet-dump threadpool -wi), so the swap it awaited never finished.
                await Task.Delay(1);
            }
        })).ToArray();

        // Items change while versions swap: each must reach whichever version serves after it.
        var upserted = new List<long>();
        var served = new List<PipelineVersion> { state.Pipeline.Version };
        for (int swap = 0; swap < 10; swap++)
        {
            long before = Interlocked.Read(ref requests);
            if (swap % 2 == 0)
                await state.ActivateAsync("v2");
            else
                await state.RollbackAsync();
            served.Add(state.Pipeline.Version);
            long item = 800_000 + swap;
            await state.Pipeline.UpsertItemAsync(item, new Catalog.ItemAttributes { Title = $"{PlantedCatalog.Words[swap % 8]} live item {swap}", Categories = [PlantedCatalog.Category(swap % 8)] });
            upserted.Add(item);
            // Let requests run on the new version before the next swap (progress, not time).
            while (Interlocked.Read(ref requests) < before + 30 && failures.IsEmpty)
                await Task.Yield();
        }
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.Empty(failures);
        Assert.True(versionsSeen.ContainsKey("default/v1") && versionsSeen.ContainsKey("default/v2"), string.Join(", ", versionsSeen));
        Assert.Equal(["v2", "v1", "v2", "v1", "v2", "v1", "v2", "v1", "v2", "v1"], served.Skip(1).Select(v => v.Models.Version));
        // Every version swapped out is released once its requests are done; the serving one is not.
        Assert.All(served.SkipLast(1), v => Assert.True(v.IsReleased, v.Name));
        Assert.False(served[^1].IsReleased);
        // Every item upserted along the way is in the serving version's content index (live upserts, or the catch-up at attach).
        // (Items of one category share a title's words, so their vectors tie: look among the best few.)
        var index = state.Pipeline.Version.Models.ContentIndex!;
        foreach (long item in upserted)
        {
            Assert.True(state.Catalog.Items.TryGetOrdinal(item, out int ordinal));
            var ids = new long[upserted.Count + 2];
            index.Search(state.Catalog.Content!.Row(ordinal), ids.Length, ids, new float[ids.Length]);
            Assert.Contains(ordinal, ids);
        }
    }

    [Fact]
    public async Task A_swapped_out_version_is_released_after_its_last_request_and_not_before()
    {
        using var rig = new RegistryRig(trained);
        string rankerFile = Path.Combine(Path.GetTempPath(), $"gate-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(rankerFile, "a ranker the test loader reads"u8.ToArray());
        var loader = new TestRankerLoader(gated: true);
        try
        {
            await using var state = await rig.CreateAsync(options: RegistryRig.Options(loader), ranker: rankerFile);
            rig.AddVersion("v2");
            var v1 = state.Pipeline.Version;
            var gate = Assert.Single(loader.Loaded);
            Assert.Equal("test", v1.Ranker.Name);
            Assert.Equal(Path.Combine(state.Registry.Get("v1").Directory, "ranker", "ranker.onnx"), gate.Path);
            string mapped = Path.Combine(state.Registry.Get("v1").Directory, "indexes", "cf", "vectors.rsv");
            MappedFiles.AssertMapped(mapped, expected: true);

            // A request on v1 held inside its ranker while v2 is activated.
            var inFlight = state.Pipeline.RecommendAsync(rig.Request(5)).AsTask();
            await gate.Entered.Task;
            await state.ActivateAsync("v2");
            var during = await state.Pipeline.RecommendAsync(rig.Request(6));
            Assert.Equal("default/v2", during.Version);
            Assert.Equal("rrf", during.Ranker);
            Assert.False(v1.IsReleased);
            Assert.False(gate.Disposed);
            MappedFiles.AssertMapped(mapped, expected: true);
            var ids = new long[1];
            v1.Models.CfIndex!.Search(new float[16], 1, ids, new float[1]); // still searchable

            gate.Open.SetResult();
            var answer = await inFlight;
            Assert.Equal("default/v1", answer.Version);
            Assert.NotEmpty(answer.Items);
            Assert.True(v1.IsReleased);
            Assert.True(gate.Disposed);
            MappedFiles.AssertMapped(mapped, expected: false);
            Assert.Throws<ObjectDisposedException>(() => v1.Models.CfIndex!.Search(new float[16], 1, ids, new float[1]));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => state.Pipeline.RecommendAsync(rig.Request(5), v1).AsTask());
        }
        finally
        {
            File.Delete(rankerFile);
        }
    }
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_version_activated_while_serving_loads_at_the_lowest_priority_unless_told_otherwise(bool lowPriority)
    {
        Assert.True(OperatingSystem.IsLinux(), "CI runs on Linux; the nice value is what this test reads");
        using var rig = new RegistryRig(trained);
        // The loader calls OnMapped on the thread that maps the version's rows: the nice value there is the load's.
        var nices = new ConcurrentQueue<int?>();
        // The ranker loader stands for an ONNX one: its session starts threads, which inherit the loading thread's nice.
        var rankers = new TestRankerLoader();
        string rankerFile = Path.Combine(Path.GetTempPath(), $"nice-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(rankerFile, "a ranker the test loader reads"u8.ToArray());
        var options = RegistryRig.Options(rankers) with
        {
            LowPriorityLoads = lowPriority,
            Load = new VersionLoadOptions { RankerLoader = rankers, OnMapped = _ => nices.Enqueue(LowPriorityTaskScheduler.CurrentThreadNice()) },
        };
        await using var state = await rig.CreateAsync(options: options, ranker: rankerFile);
        rig.AddVersion("v2", ranker: rankerFile);
        File.Delete(rankerFile);
        int callerNice = LowPriorityTaskScheduler.CurrentThreadNice()!.Value;
        Assert.NotEmpty(nices); // the first version's load (the start), at the caller's priority either way
        Assert.All(nices, n => Assert.Equal(callerNice, n));
        nices.Clear();
        rankers.LoadNices.Clear();

        await state.ActivateAsync("v2");

        Assert.NotEmpty(nices);
        Assert.All(nices, n => Assert.Equal(lowPriority ? LowPriorityTaskScheduler.LinuxNice : callerNice, n));
        // The ranker loads at the caller's priority in both modes (CallerPriorityRankerLoader).
        Assert.Equal([callerNice], rankers.LoadNices);
        // Once the load's own threads have ended, no thread of the process is left at nice 19: a thread started from a
        // low-priority one (a pool worker, a session's pool) would inherit it and serve requests at the lowest priority.
        var lingering = ThreadsAtNice(LowPriorityTaskScheduler.LinuxNice);
        for (int wait = 0; wait < 100 && lingering.Count > 0; wait++)
        {
            await Task.Delay(50);
            lingering = ThreadsAtNice(LowPriorityTaskScheduler.LinuxNice);
        }
        Assert.Empty(lingering);
        Assert.Equal("v2", state.Pipeline.Version.Models.Version);
        var response = await state.Pipeline.RecommendAsync(rig.Request(3));
        Assert.Equal("default/v2", response.Version);
        Assert.NotEmpty(response.Items);
    }

    /// <summary>This process's threads (id and name) whose nice value is <paramref name="nice"/>, from /proc/self/task/*/stat.</summary>
    private static List<string> ThreadsAtNice(int nice)
    {
        var found = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // ended meanwhile
            }
            // "tid (name) state ppid ...": the name may hold spaces, so split after its closing parenthesis; nice is field 19.
            int close = stat.LastIndexOf(')');
            string[] fields = stat[(close + 2)..].Split(' ');
            if (int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture) == nice)
                found.Add($"{Path.GetFileName(dir)} {stat[(stat.IndexOf('(') + 1)..close]}");
        }
        return found;
    }
}
