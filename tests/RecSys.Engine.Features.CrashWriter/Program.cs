using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.CrashWriter;

// The child process of the crash test: opens the store under args[0] and writes forever from several concurrent
// writers, printing "ACK <seq>" to stdout after each write is acknowledged, until the parent kills it with SIGKILL.
// Write number n (seed = args[1]) is fully determined by n, so the parent can check it after recovery:
//   n % 3 == 0: profile of user n;  n % 3 == 1: event on user (n % 50) with item n;  n % 3 == 2: item n upsert.
// Checkpoints run every 200 ms, so kills land before, during and after checkpoints.
if (args.Length < 2) { Console.Error.WriteLine("usage: CrashWriter <data-dir> <start-seq>"); return 2; }
string dir = args[0];
long start = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);

await using var store = await FasterFeatureStore.OpenAsync(new FasterFeatureStoreOptions
{
    DataDirectory = dir,
    MemoryBudgetBytes = 16L << 20,
    IndexBuckets = 1 << 12,
    CheckpointInterval = TimeSpan.FromMilliseconds(200),
    HistoryCapacity = 1000,
});
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
await Task.WhenAll(writers);
return 0;
