using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.CrashWriter;

// The child process of the crash test: opens the store under args[0] and writes forever from several concurrent
// writers, printing "ACK <seq>" to stdout after each write is acknowledged, until the parent kills it with SIGKILL.
// Write number n (seed = args[1]) is fully determined by n, so the parent can check it after recovery:
//   n % 3 == 0: profile of user n;  n % 3 == 1: event on user (n % 50) with item n;  n % 3 == 2: item n upsert.
// Checkpoints run every 200 ms, so kills land before, during and after checkpoints. With a third argument
// "compaction" the store compacts its log at those checkpoints (CrashWorkload.Options) and the child first overwrites
// the churn items once, so there is garbage to compact and log files to delete while the kills land.
if (args.Length < 2) { Console.Error.WriteLine("usage: CrashWriter <data-dir> <start-seq> [compaction]"); return 2; }
string dir = args[0];
long start = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
bool compaction = args.Length > 2 && args[2] == "compaction";

await using var store = await FasterFeatureStore.OpenAsync(CrashWorkload.Options(dir, compaction, TimeSpan.FromMilliseconds(200)));
if (compaction) await CrashWorkload.ChurnAsync(store, start);
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
