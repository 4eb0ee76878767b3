#:project ../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using System.Diagnostics;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;
// Recommend latency at 1M with category filters (include 1, 2 or 4 of the 16 categories, exclude 1) against no filter.
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
var gen = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "gen.json")));
long now = gen.RootElement.GetProperty("end_seconds").GetInt64() * 1000;
var rng = new Random(3);
string[] names = state.Catalog.Categories.Keys();
var share = new int[names.Length];
for (int o = 0; o < state.Catalog.Length; o++) foreach (int c in state.Catalog.CategoriesOf(o)) share[c]++;
Console.WriteLine($"{names.Length} categories; items per category min {share.Min()} max {share.Max()}");
int rare = Array.IndexOf(share, share.Min());
async Task<(double, double, double)> Run(RequestFilters? filters, int n)
{
    var ms = new double[n]; double items = 0;
    for (int i = 0; i < n; i++)
    {
        var t = Stopwatch.StartNew();
        var r = await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = 1 + rng.Next(1_000_000), K = 10, NowMs = now, Filters = filters });
        ms[i] = t.Elapsed.TotalMilliseconds; items += r.Items.Length;
    }
    Array.Sort(ms);
    return (ms[n / 2], ms[(int)(n * 0.99)], items / n);
}
var cases = new (string, RequestFilters?)[]
{
    ("none", null),
    ($"include 1 category ({share[rare]} items)", new RequestFilters { IncludeCategories = [names[rare]] }),
    ($"include 1 category ({share[0]} items)", new RequestFilters { IncludeCategories = [names[0]] }),
    ("include 2 categories", new RequestFilters { IncludeCategories = [names[0], names[1]] }),
    ("include 4 categories", new RequestFilters { IncludeCategories = [names[0], names[1], names[2], names[3]] }),
    ("exclude 1 category", new RequestFilters { ExcludeCategories = [names[0]] }),
};
foreach (var (name, f) in cases) await Run(f, 30);
for (int round = 0; round < 2; round++)
    foreach (var (name, f) in cases)
    {
        var (p50, p99, items) = await Run(f, name == "none" ? 500 : 100);
        Console.WriteLine($"round {round + 1} {name}: p50 {p50:F2} ms p99 {p99:F2} ms, {items:F1} items");
    }
