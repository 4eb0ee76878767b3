#:project ../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using System.Diagnostics;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;
// The common event call at 1M, on any build (before and after the item fold-in): one click on a trained item per
// RecordEventsAsync call (the user's fold-in, now over gathered rows), p50 / p99 of 4,800 after 300 to warm up, and
// the time to open the state (the version load computes the users' Gram matrix now too). args: catalog dir (a copy).
string root = args[0];
var options = new ServingStateOptions
{
    SaveOnDispose = false,
    Store = new FasterFeatureStoreOptions { DataDirectory = Path.Combine(root, "store"), MemoryBudgetBytes = 1L << 30, IndexBuckets = 4_194_304, CheckpointInterval = TimeSpan.Zero },
    Load = new RecSys.Engine.Pipeline.Registry.VersionLoadOptions { IgnoreRanker = true },
    Pipeline = new PipelineOptions { ParallelSources = false },
    Config = models => RecSys.Engine.Pipeline.Config.PipelineDefaults.Config(models).WithSourceBudget(TimeSpan.FromSeconds(1)),
};
var open = Stopwatch.StartNew();
await using var state = await ServingState.OpenAsync(Path.Combine(root, "registry"), Path.Combine(root, "store"), options);
double openS = open.Elapsed.TotalSeconds;
var users = state.Pipeline.Version.Models.AlsUsers!;
var rng = new Random(11);
long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
async Task<double> ClickAsync()
{
    var e = new InteractionEvent(users.ExternalId(rng.Next(users.Count)), state.Catalog.Items.ExternalId(rng.Next(1_000_000)), EventType.Click, 1f, now);
    var sw = Stopwatch.StartNew();
    await state.Pipeline.RecordEventsAsync([e]);
    return sw.Elapsed.TotalMicroseconds;
}
for (int i = 0; i < 300; i++) await ClickAsync();
var t = new double[4800];
for (int i = 0; i < t.Length; i++) t[i] = await ClickAsync();
Array.Sort(t);
Console.WriteLine($"open {openS:F1} s | click on a trained item: p50 {t[t.Length / 2]:F0} us  p99 {t[(int)(t.Length * 0.99)]:F0} us  (n {t.Length})");
