#:project ../../../src/RecSys.Engine.Features/RecSys.Engine.Features.csproj
#:property PublishAot=false
// How long an incremental (fold-over) checkpoint takes inside FASTER with nothing else running: opens a copy of a
// generated catalog's store with the server's settings (1 GiB, 4M buckets), then rounds of N events (spread over the
// users) each followed by a checkpoint, printing the store's checkpoint reports; with READERS > 0 that many tasks
// read histories and counters of random users and items (500 per call, as a request does) all along. Usage:
// dotnet run -c Release foldover.cs STORE_DIR [rounds] [events per round] [readers]
using System.Diagnostics;
using RecSys.Engine.Features;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;

string dir = args[0];
int rounds = args.Length > 1 ? int.Parse(args[1]) : 6;
int perRound = args.Length > 2 ? int.Parse(args[2]) : 10_000;
int readers = args.Length > 3 ? int.Parse(args[3]) : 0;
var sw = Stopwatch.StartNew();
await using var store = await FasterFeatureStore.OpenAsync(new FasterFeatureStoreOptions
{
    DataDirectory = dir, MemoryBudgetBytes = 1L << 30, IndexBuckets = 1L << 22, CheckpointInterval = TimeSpan.Zero,
    CheckpointCompleted = r => Console.WriteLine($"  {r}"),
});
Console.WriteLine($"open: {sw.Elapsed.TotalSeconds:F1} s, replayed {store.ReplayedAtOpen}, with index {store.RecoveredWithIndex}");
var rng = new Random(7);
using var stop = new CancellationTokenSource();
long reads = 0;
var readerTasks = Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
{
    var local = new Random(100 + r);
    var ids = new long[500];
    var counters = new double[500];
    while (!stop.IsCancellationRequested)
    {
        for (int i = 0; i < ids.Length; i++) ids[i] = 1 + local.Next(1_000_000);
        await store.GetRecentHistoryAsync(ids[0], int.MaxValue);
        await store.GetItemCountersAsync(ids, -1, 1_796_000_000_000, counters);
        Interlocked.Increment(ref reads);
    }
})).ToArray();
for (int round = 0; round < rounds; round++)
{
    sw.Restart();
    var events = new UserEvent[perRound];
    for (int i = 0; i < perRound; i++)
        events[i] = new UserEvent(1 + rng.Next(1_000_000), 1 + rng.Next(1_000_000), EventType.Click, 1f, 1_796_000_000_000 + round * 1000 + i, rng.Next(12));
    for (int i = 0; i < perRound; i += 100) await store.AppendEventsAsync(events.AsMemory(i, Math.Min(100, perRound - i)));
    Console.WriteLine($"round {round}: {perRound} events in {sw.Elapsed.TotalSeconds:F1} s, {Interlocked.Read(ref reads)} read calls so far; checkpoint:");
    await store.CheckpointAsync();
}
stop.Cancel();
await Task.WhenAll(readerTasks);
