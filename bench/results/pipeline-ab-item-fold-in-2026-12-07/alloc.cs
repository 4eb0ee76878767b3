#:project ../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;
// Which requests allocate more than the typical one? args: catalog dir.
string root = args[0];
var options = new ServingStateOptions
{
    SaveOnDispose = false,
    Store = new FasterFeatureStoreOptions { DataDirectory = Path.Combine(root, "store"), MemoryBudgetBytes = 1L << 30, IndexBuckets = 4_194_304, CheckpointInterval = TimeSpan.Zero },
    Load = new RecSys.Engine.Pipeline.Registry.VersionLoadOptions { IgnoreRanker = true },
    Pipeline = new PipelineOptions { ParallelSources = false },
    Config = models => RecSys.Engine.Pipeline.Config.PipelineDefaults.Config(models).WithSourceBudget(TimeSpan.FromSeconds(1)),
};
await using var state = await ServingState.OpenAsync(Path.Combine(root, "registry"), Path.Combine(root, "store"), options);
var rng = new Random(3);
long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
async Task<long> One(long user)
{
    long before = GC.GetAllocatedBytesForCurrentThread();
    await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = user, Surface = "home", K = 10, NowMs = now });
    return GC.GetAllocatedBytesForCurrentThread() - before;
}
for (int i = 0; i < 3000; i++) await One(1 + rng.Next(1_000_000));
var sizes = new List<(long Bytes, long User)>();
for (int i = 0; i < 5000; i++) { long u = 1 + rng.Next(1_000_000); sizes.Add((await One(u), u)); }
var sorted = sizes.OrderBy(s => s.Bytes).ToList();
Console.WriteLine($"median {sorted[sorted.Count / 2].Bytes} B, mean {sizes.Average(s => s.Bytes):F0} B, p99 {sorted[(int)(sorted.Count * 0.99)].Bytes} B, max {sorted[^1].Bytes} B");
foreach (var g in sizes.GroupBy(s => s.Bytes).OrderByDescending(g => g.Count()).Take(8))
    Console.WriteLine($"  {g.Key} B: {g.Count()} requests (e.g. user {g.First().User})");
