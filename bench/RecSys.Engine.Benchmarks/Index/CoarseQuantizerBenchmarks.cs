using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Synthetic;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// The coarse step of one IVF-PQ query on one thread: the 16 nearest of nlist 96-d centroids, by the exact
/// scan (ExactScan, the flat index's loop) and by the HNSW graph over the centroids (M 32, ef construction
/// 100, the IvfPqOptions defaults) at ef 16 / 64. Centroids are normalised generated rows (seed 42, the
/// SYNTHETIC.md recipe), which is what k-means centroids of our cosine data look like; uniform random
/// centroids would flatter the exact scan (no structure) and handicap the graph. Queries cycle through 256
/// generated query rows. The probe-overlap of the graph against the exact scan is in bench/results/ivfpq.md.
/// </summary>
[BenchmarkCategory(BenchCategories.Index)]
public unsafe class CoarseQuantizerBenchmarks
{
    private const int Dim = 96;
    private const int NProbe = 16;
    private const int QueryCount = 256;
    private CoarseQuantizer _coarse = null!;
    private float[] _queries = [];
    private int _next;
    private readonly long[] _lists = new long[NProbe];
    private readonly float[] _keys = new float[NProbe];

    [Params(1024, 4096, 65536)]
    public int NList { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var gen = new SyntheticVectorGenerator(Dim, 42);
        var centroids = gen.GenerateBase(NList);
        for (int i = 0; i < NList; i++)
            CosineSimilarity.Normalize(centroids.AsSpan(i * Dim, Dim));
        _queries = gen.GenerateQueries(QueryCount);
        for (int i = 0; i < QueryCount; i++)
            CosineSimilarity.Normalize(_queries.AsSpan(i * Dim, Dim));
        _coarse = new CoarseQuantizer(centroids, Dim, innerProduct: false);
        var options = new IvfPqOptions();
        _coarse.BuildGraph(options.CoarseGraphM, options.CoarseGraphEfConstruction, options.Seed + 2);
    }

    [GlobalCleanup]
    public void Cleanup() => _coarse.Dispose();

    private float* NextQuery(float* q)
    {
        int i = _next;
        _next = (i + 1) & (QueryCount - 1);
        return q + i * Dim;
    }

    [Benchmark(Baseline = true)]
    public long Exact16()
    {
        fixed (float* q = _queries)
        fixed (long* l = _lists)
        fixed (float* k = _keys)
            _coarse.SearchExact(NextQuery(q), 1, NProbe, l, k);
        return _lists[0];
    }

    [Benchmark]
    public long GraphEf16() => Graph(16);

    [Benchmark]
    public long GraphEf64() => Graph(64);

    private long Graph(int ef)
    {
        fixed (float* q = _queries)
        fixed (long* l = _lists)
        fixed (float* k = _keys)
            _coarse.Search(NextQuery(q), 1, NProbe, l, k, ef);
        return _lists[0];
    }
}
