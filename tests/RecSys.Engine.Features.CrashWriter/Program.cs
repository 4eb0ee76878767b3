using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.CrashWriter;

// The child process of the crash test: opens the store under args[0] and writes forever from several concurrent
// writers, printing "ACK <seq>" to stdout after each write is acknowledged, until the parent kills it with SIGKILL.
// Write number n (seed = args[1]) is fully determined by n, so the parent can check it after recovery:
//   n % 3 == 0: profile of user n;  n % 3 == 1: event on user (n % 50) with item n;  n % 3 == 2: item n upsert.
// Checkpoints run every 200 ms, so kills land before, during and after checkpoints. With a third argument
// "compaction" the store compacts its log at those checkpoints (CrashWorkload.Options) and the child first overwrites
// the churn items once, so there is garbage to compact and log files to delete while the kills land, and forces a
// compaction once before its first write and every 250 ms after.
if (args.Length < 2) { Console.Error.WriteLine("usage: CrashWriter <data-dir> <start-seq> [compaction]"); return 2; }
string dir = args[0];
long start = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
bool compaction = args.Length > 2 && args[2] == "compaction";

await using var store = await FasterFeatureStore.OpenAsync(CrashWorkload.Options(dir, compaction, TimeSpan.FromMilliseconds(200)));
if (compaction)
{
    await CrashWorkload.ChurnAsync(store, start);
    // Before the first acknowledgement, so every run's recovered store has compacted at least once.
    await store.CompactAsync();
}
Console.Out.WriteLine("READY");
Console.Out.Flush();

var stdout = Console.Out;
var outLock = new object();
long next = start;
var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
{
    while (true)
    {
        long n = Interlocked.Increment(ref next) - 1;
        await CrashWorkload.WriteAsync(store, n);
        lock (outLock) { stdout.WriteLine($"ACK {n} OK"); stdout.Flush(); }
    }
})).ToArray();
// With compaction: also compact every 250 ms. The threshold rule alone compacts only once the log doubled since the
// store opened, which a child killed within a second may never reach; these are the same checkpoint-and-compact path.
if (compaction)
    _ = Task.Run(async () =>
    {
        while (true)
        {
            await Task.Delay(250);
            try { await store.CompactAsync(); }
            catch (Exception e) { Console.Error.WriteLine($"compaction: {e.Message}"); }
        }
    });
await Task.WhenAll(writers);
return 0;
