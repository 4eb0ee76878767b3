using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Synthetic;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// One HNSW query on one thread, cycling through 1,000 queries, over 100k x 128 cosine vectors of the
/// SYNTHETIC.md recipe (seed 42: the data of `recsys bench ann` on syn100k and of the hnswlib anchors).
/// In-process and repeated, so it is the number to compare when changing the search loop; the memory
/// diagnoser checks that a search allocates nothing. Setup builds the graph (~20 CPU-seconds).
/// </summary>
[BenchmarkCategory(BenchCategories.Index)]
public class HnswSearchBenchmarks
{
    private const int N = 100_000;
    private const int Dim = 128;
    private const int Queries = 1000;
    private HnswIndex _index = null!;
    private float[] _queries = [];
    private readonly long[] _ids = new long[10];
    private readonly float[] _dists = new float[10];
    private SearchParameters _parameters = null!;
    private int _next;

    [Params(16, 32, 64)]
    public int Ef { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var gen = new SyntheticVectorGenerator(Dim, 42);
        var rows = gen.GenerateBase(N);
        _queries = gen.GenerateQueries(Queries);
        var ids = new long[N];
        for (int i = 0; i < N; i++)
            ids[i] = i;
        _index = new HnswIndex(Dim, DistanceMetric.Cosine, new HnswOptions { M = 16, EfConstruction = 200 });
        _index.Add(ids, rows);
        _parameters = new SearchParameters { Ef = Ef, MaxDegreeOfParallelism = 1 };
    }

    [GlobalCleanup]
    public void Cleanup() => _index.Dispose();

    [Benchmark]
    public long SearchTop10()
    {
        int q = _next;
        _next = q + 1 == Queries ? 0 : q + 1;
        _index.Search(_queries.AsSpan(q * Dim, Dim), 10, _ids, _dists, _parameters);
        return _ids[0];
    }
}
