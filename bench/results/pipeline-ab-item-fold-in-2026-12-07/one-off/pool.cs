#:project ../../../../src/RecSys.Engine.Cli/RecSys.Engine.Cli.csproj
#:property PublishAot=false
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Serving;
// After 22ecf69 (HNSW working memory from a shared pool instead of one per thread): the same read as nodes.cs, with one
// search on the main thread first (as a warm server has searched), then first and second searches on each of four new
// threads, one after another. Before the pool, each new thread's first search made its own visited set.
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
Console.WriteLine($"CF search on the main thread (warm-up): {First():N0} B");
for (int i = 0; i < 4; i++)
{
    long first = 0, second = 0;
    var t = new Thread(() => { first = First(); second = First(); });
    t.Start();
    t.Join();
    Console.WriteLine($"CF search on new thread {i + 1}: first {first:N0} B, second {second:N0} B");
}

// The same sizes as the generated catalog's serve.json (what CatalogGenerator.ReadStoreOptions reads).
static FasterFeatureStoreOptions CatalogStore(string root) =>
    new() { DataDirectory = Path.Combine(root, "store"), MemoryBudgetBytes = 1L << 30, IndexBuckets = 4_194_304, CheckpointInterval = TimeSpan.Zero };
