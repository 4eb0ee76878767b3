#:project ../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using System.Diagnostics;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;
// Recommend latency at 1M with an allow-list filter of 6 items (the exact fallback over every node) against no filter.
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
long[] allow = [.. Enumerable.Range(0, 6).Select(_ => state.Catalog.Items.ExternalId(rng.Next(state.Catalog.Length)))];
async Task<double[]> Run(RequestFilters? filters, int n)
{
    var ms = new double[n];
    for (int i = 0; i < n; i++)
    {
        var t = Stopwatch.StartNew();
        var r = await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = 1 + rng.Next(1_000_000), K = 10, NowMs = now, Filters = filters });
        ms[i] = t.Elapsed.TotalMilliseconds;
    }
    Array.Sort(ms);
    return ms;
}
await Run(null, 500); await Run(new RequestFilters { AllowItems = allow }, 200); // warm
for (int round = 0; round < 2; round++)
{
    var plain = await Run(null, 1000);
    var filtered = await Run(new RequestFilters { AllowItems = allow }, 300);
    Console.WriteLine($"round {round + 1}: no filter p50 {plain[500]:F2} ms p99 {plain[990]:F2} ms; allow-list of 6: p50 {filtered[150]:F2} ms p99 {filtered[297]:F2} ms");
}
