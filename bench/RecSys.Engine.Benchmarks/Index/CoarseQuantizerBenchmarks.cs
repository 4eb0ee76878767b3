using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Index.IvfPq;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// The coarse step of one IVF-PQ query on one thread: the 16 nearest of nlist 96-d centroids by an exact
/// scan (ExactScan, the flat index's loop). How far a flat scan of the centroids carries as nlist grows.
/// </summary>
public unsafe class CoarseQuantizerBenchmarks
{
    private const int Dim = 96;
    private CoarseQuantizer _coarse = null!;
    private float[] _query = [];
    private readonly long[] _lists = new long[16];
    private readonly float[] _keys = new float[16];

    [Params(1024, 4096, 65536)]
    public int NList { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(5);
        var centroids = new float[NList * Dim];
        for (int i = 0; i < centroids.Length; i++)
            centroids[i] = rng.NextSingle() * 2 - 1;
        _coarse = new CoarseQuantizer(centroids, Dim, innerProduct: false);
        _query = centroids.AsSpan(0, Dim).ToArray();
    }

    [Benchmark]
    public long Probe16()
    {
        fixed (float* q = _query)
        fixed (long* l = _lists)
        fixed (float* k = _keys)
            _coarse.Search(q, 1, 16, l, k);
        return _lists[0];
    }
}
