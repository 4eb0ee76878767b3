#:project ../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;
// The answers to Recommend at 1M with an allow list of 6 items: every item on the list, and which sources found them.
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
int total = 0;
var counts = new Dictionary<string,int>();
for (int i = 0; i < 200; i++)
{
    var r = await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = 1 + rng.Next(1_000_000), K = 10, NowMs = now, Filters = new RequestFilters { AllowItems = allow }, Debug = i < 3 });
    total += r.Items.Length;
    foreach (var it in r.Items) { if (!allow.Contains(it.ItemId)) throw new Exception("not allowed"); counts[it.Source] = counts.GetValueOrDefault(it.Source) + 1; }
    if (i < 3) foreach (var st in r.Trace!.Stages) Console.WriteLine($"  {st.Stage}: {string.Join(",", st.ItemIds)}");
}
Console.WriteLine($"items per filtered response: {total / 200.0:F2}; by source: {string.Join(", ", counts.Select(kv => kv.Key + "=" + kv.Value))}");
