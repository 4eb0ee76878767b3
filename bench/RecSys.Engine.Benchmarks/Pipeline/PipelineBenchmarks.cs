using BenchmarkDotNet.Attributes;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Benchmarks.Pipeline;

/// <summary>
/// One whole recommendation in process: the pipeline over the planted catalog the tests use (400 items, 240 users,
/// ALS + content + popularity / trending, HNSW16 indexes, FASTER store in memory, rank fusion), home surface, k = 10,
/// users in turn. What the request path costs without gRPC; the server's figures over the wire are in slo.md.
/// The item page (SimilarItems) runs beside it.
/// </summary>
[BenchmarkCategory(BenchCategories.Pipeline)]
public class PipelineBenchmarks
{
    private PipelineHarness _harness = null!;
    private int _user;
    private long _item;

    [GlobalSetup]
    public void Setup()
    {
        _harness = PipelineHarness.CreateAsync().GetAwaiter().GetResult();
        _item = _harness.Catalog.Items.ExternalId(0);
    }

    [GlobalCleanup]
    public void Cleanup() => _harness.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private long NextUser() => PlantedCatalog.UserId(_user = (_user + 1) % _harness.Planted.Users);

    [Benchmark(Baseline = true)]
    public async Task<int> RecommendHome() => (await _harness.RecommendAsync(NextUser())).Items.Length;

    [Benchmark]
    public async Task<int> SimilarItems() =>
        (await _harness.Pipeline.RecommendAsync(new RecommendRequest { UserId = NextUser(), Surface = "item-page", K = 10, ItemId = _item, NowMs = _harness.NowMs })).Items.Length;
}
