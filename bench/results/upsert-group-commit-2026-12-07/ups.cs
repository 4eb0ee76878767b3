#:project ../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using System.Diagnostics;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;
// Live item upserts at 1M: 2,000 new items, then 2,000 edits of existing items (no new key), one at a time; args: catalog dir, id offset.
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
const int N = 2000;
long off = long.Parse(args[1]);
var attrs = new RecSys.Engine.Pipeline.Catalog.ItemAttributes { Title = "bulk item", Categories = ["c3"], Tags = ["t"] };
for (int i = 0; i < 50; i++) await state.Pipeline.UpsertItemAsync(off + i, attrs);
var sw = Stopwatch.StartNew();
for (int i = 0; i < N; i++) await state.Pipeline.UpsertItemAsync(off + 100_000 + i, attrs);
double newMs = sw.Elapsed.TotalMilliseconds;
sw.Restart();
for (int i = 0; i < N; i++) await state.Pipeline.UpsertItemAsync(1 + i, attrs with { Title = "edited" });
double editMs = sw.Elapsed.TotalMilliseconds;
Console.WriteLine($"new items: {newMs * 1000 / N:F0} us per upsert; edits of existing items (no new key): {editMs * 1000 / N:F0} us per upsert");
