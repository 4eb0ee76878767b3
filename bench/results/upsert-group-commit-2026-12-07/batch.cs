#:project ../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using System.Diagnostics;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;
// Live item upserts at 1M through the group commit: 2,000 new items and 2,000 edits, one call per item (what the
// UpsertItems stream did before) and in batches of 100 and 1,000 (UpsertItemsAsync, what one stream call does now).
// args: catalog dir, id offset (fresh ids each run).
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
var attrs = new ItemAttributes { Title = "bulk item", Categories = ["c3"], Tags = ["t"] };
for (int i = 0; i < 50; i++) await state.Pipeline.UpsertItemAsync(off + i, attrs);
await state.Pipeline.UpsertItemsAsync([.. Enumerable.Range(50, 100).Select(i => ItemUpsert.Of(off + i, attrs))]);

double Us(TimeSpan t) => t.TotalMilliseconds * 1000 / N;
async Task<double> OneByOne(long first, ItemAttributes a)
{
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < N; i++) await state.Pipeline.UpsertItemAsync(first + i, a);
    return Us(sw.Elapsed);
}
async Task<double> Batches(long first, ItemAttributes a, int size)
{
    var sw = Stopwatch.StartNew();
    for (int b = 0; b < N; b += size)
        await state.Pipeline.UpsertItemsAsync([.. Enumerable.Range(b, size).Select(i => ItemUpsert.Of(first + i, a))]);
    return Us(sw.Elapsed);
}
var edited = attrs with { Title = "edited" };
double newOne = await OneByOne(off + 100_000, attrs);
double new100 = await Batches(off + 200_000, attrs, 100);
double new1000 = await Batches(off + 300_000, attrs, 1000);
double editOne = await OneByOne(1, edited);
double edit100 = await Batches(1, attrs with { Title = "edited again" }, 100);
double edit1000 = await Batches(1, edited, 1000);
Console.WriteLine($"new items us/item: one-by-one {newOne:F0}  batch100 {new100:F1}  batch1000 {new1000:F1} | edits us/item: one-by-one {editOne:F0}  batch100 {edit100:F1}  batch1000 {edit1000:F1}");
