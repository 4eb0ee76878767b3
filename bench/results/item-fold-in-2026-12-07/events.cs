#:project ../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using System.Diagnostics;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;
// The item fold-in's cost at 1M items x 1M users (96 factors, HNSW CF index): one click per RecordEventsAsync call,
// p50 / p99 per kind of call, and the shared term a version load now also computes (the users' Gram matrix).
// args: catalog dir (a copy: events and items are written into its store), id offset (fresh item ids each run).
string root = args[0];
long off = long.Parse(args[1]);
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
Console.WriteLine($"open {open.Elapsed.TotalSeconds:F1} s");
var models = state.Pipeline.Version.Models;
var als = models.Als!;
var users = models.AlsUsers!;
{
    var copy = ImplicitAls.FromFactors(als.Options, als.UserFactors.ToArray(), als.ItemFactors.ToArray(), als.UserCount, als.ItemCount);
    var g = Stopwatch.StartNew();
    copy.PrepareItemFoldIn();
    Console.WriteLine($"users' Gram ({als.UserCount:N0} x {als.Factors}): {g.Elapsed.TotalSeconds:F2} s (computed once per version load, beside the items' Gram)");
}
const int Items = 300;
const int PerItem = 16;
var rng = new Random(7);
long User() => users.ExternalId(rng.Next(users.Count));
long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
var attrs = new ItemAttributes { Title = "live item", Categories = ["c3"], Tags = ["t"] };
await state.Pipeline.UpsertItemsAsync([.. Enumerable.Range(0, Items).Select(i => ItemUpsert.Of(off + i, attrs))]);

async Task<double> ClickAsync(long user, long item)
{
    var sw = Stopwatch.StartNew();
    await state.Pipeline.RecordEventsAsync([new InteractionEvent(user, item, EventType.Click, 1f, now)]);
    return sw.Elapsed.TotalMicroseconds;
}
// Warm-up: trained items and a few new ones (JIT, store pages).
for (int i = 0; i < 300; i++) await ClickAsync(User(), state.Catalog.Items.ExternalId(rng.Next(1_000_000)));
var trained = new List<double>();
var byCount = new Dictionary<string, List<double>>();
void Note(string kind, double us) { if (!byCount.TryGetValue(kind, out var l)) byCount[kind] = l = []; l.Add(us); }
// Round r: user r of every new item, interleaved with clicks on trained items (the common call).
for (int r = 1; r <= PerItem; r++)
{
    for (int i = 0; i < Items; i++)
    {
        trained.Add(await ClickAsync(User(), state.Catalog.Items.ExternalId(rng.Next(1_000_000))));
        double us = await ClickAsync(User(), off + i);
        string kind = r < 3 ? "new item, user 1-2 (below the threshold: noted only)"
            : r == 3 ? "new item, user 3 (first fold-in + HNSW insert)"
            : System.Numerics.BitOperations.IsPow2(r) ? "new item, user 4/8/16 (fold-in + HNSW move)"
            : "new item, other users 5-15 (fold-in, row only)";
        Note(kind, us);
    }
}
string P(List<double> l) { var s = l.Order().ToArray(); return $"p50 {s[s.Length / 2],8:F0} us  p99 {s[(int)(s.Length * 0.99)],8:F0} us  (n {s.Length})"; }
Console.WriteLine($"{"click on a trained item",-56} {P(trained)}");
foreach (var (k, l) in byCount.OrderBy(e => e.Key))
    Console.WriteLine($"{k,-56} {P(l)}");
Console.WriteLine($"item fold-ins {state.Pipeline.Stats.ItemFoldIns}, items with users {state.Catalog.Interactors.ItemCount}");
