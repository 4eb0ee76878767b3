#:project ../../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Serving;
// The one-off ~2.2 MB of two `bench pipeline` runs: is it one HNSW visited set (a ushort per node, per thread,
// HnswScratch) allocated on a thread that had not searched yet? Prints each HNSW index's node count, the bytes such a
// set takes, and the allocation of a first search on a fresh thread against a second one on it.
string root = args[0];
var options = new ServingStateOptions
{
    SaveOnDispose = false,
    Store = CatalogStore(root),
    Load = new RecSys.Engine.Pipeline.Registry.VersionLoadOptions { IgnoreRanker = true },
};
await using var state = await ServingState.OpenAsync(Path.Combine(root, "registry"), Path.Combine(root, "store"), options);
var models = state.Pipeline.Version.Models;
foreach (var (name, index) in new[] { ("cf", models.CfIndex), ("content", models.ContentIndex) })
{
    if (index is RecSys.Engine.Core.Index.Hnsw.HnswIndex h)
        Console.WriteLine($"{name}: HNSW, {h.NodeCount:N0} nodes -> a visited set of {2L * h.NodeCount:N0} bytes per thread");
    else
        Console.WriteLine($"{name}: {index?.Kind ?? "none"}");
}
var query = new float[models.Als!.Factors];
query[0] = 1;
long First()
{
    long before = GC.GetAllocatedBytesForCurrentThread();
    models.CfIndex!.Search(query, 10, new long[10], new float[10]);
    return GC.GetAllocatedBytesForCurrentThread() - before;
}
long first = 0, second = 0;
var t = new Thread(() => { first = First(); second = First(); });
t.Start();
t.Join();
Console.WriteLine($"CF search on a new thread: first {first:N0} B, second {second:N0} B");

// The same sizes as the generated catalog's serve.json (what CatalogGenerator.ReadStoreOptions reads).
static FasterFeatureStoreOptions CatalogStore(string root) =>
    new() { DataDirectory = Path.Combine(root, "store"), MemoryBudgetBytes = 1L << 30, IndexBuckets = 4_194_304, CheckpointInterval = TimeSpan.Zero };
