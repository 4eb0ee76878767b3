#:project ../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using System.Diagnostics;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;
// Recommend at 1M with category filters (1, 2, 4 of 16 included): p50/p99, and every answer's ids written to args[1] (same users in every build: seeded).
string root = args[0];
var options = new ServingStateOptions
{
    SaveOnDispose = false,
    Store = new FasterFeatureStoreOptions { DataDirectory = Path.Combine(root, "store"), MemoryBudgetBytes = 1L << 30, IndexBuckets = 4_194_304, CheckpointInterval = TimeSpan.Zero },
    Load = new RecSys.Engine.Pipeline.Registry.VersionLoadOptions { IgnoreRanker = true },
    Pipeline = new PipelineOptions { ParallelSources = false },
    // CF_EF (optional): the collaborative source's ef; unset = the index's default (the first runs).
    Config = models => { var c = RecSys.Engine.Pipeline.Config.PipelineDefaults.Config(models).WithSourceBudget(TimeSpan.FromSeconds(1)); if (Environment.GetEnvironmentVariable("CF_EF") is not { } v) return c; int ef = int.Parse(v); return c with { Surfaces = [.. c.Surfaces.Select(s => s with { Sources = [.. s.Sources.Select(x => x.Name == "collaborative" ? x with { Ef = ef } : x)] })] }; },
};
await using var state = await ServingState.OpenAsync(Path.Combine(root, "registry"), Path.Combine(root, "store"), options);
var gen = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "gen.json")));
long now = gen.RootElement.GetProperty("end_seconds").GetInt64() * 1000;
string[] names = state.Catalog.Categories.Keys();
var share = new int[names.Length];
for (int o = 0; o < state.Catalog.Length; o++) foreach (int c in state.Catalog.CategoriesOf(o)) share[c]++;
Console.WriteLine($"{names.Length} categories; items per category min {share.Min()} max {share.Max()}; c0 {share[0]} c1 {share[1]}");
using var dump = new StreamWriter(args[1]);
async Task<(double, double, double)> Run(string name, RequestFilters? filters, int n, int seed, bool write)
{
    var rng = new Random(seed);
    var ms = new double[n]; double items = 0;
    for (int i = 0; i < n; i++)
    {
        long user = 1 + rng.Next(1_000_000);
        var t = Stopwatch.StartNew();
        var r = await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = user, K = 10, NowMs = now, Filters = filters });
        ms[i] = t.Elapsed.TotalMilliseconds; items += r.Items.Length;
        if (write) dump.WriteLine($"{name}\t{user}\t{string.Join(',', r.Items.Select(x => x.ItemId))}");
    }
    Array.Sort(ms);
    return (ms[n / 2], ms[(int)(n * 0.99)], items / n);
}
var cases = new (string, RequestFilters?)[]
{
    ("none", null),
    ("include 1 category", new RequestFilters { IncludeCategories = [names[0]] }),
    ("include 2 categories", new RequestFilters { IncludeCategories = [names[0], names[1]] }),
    ("include 4 categories", new RequestFilters { IncludeCategories = [names[0], names[1], names[2], names[3]] }),
};
foreach (var (name, f) in cases) await Run(name, f, 30, 1, false);
for (int round = 0; round < 2; round++)
    foreach (var (name, f) in cases)
    {
        var (p50, p99, items) = await Run(name, f, name == "none" ? 500 : 200, 100 + round, round == 0);
        Console.WriteLine($"round {round + 1} {name}: p50 {p50:F2} ms p99 {p99:F2} ms, {items:F1} items");
    }
