using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Index.IvfPq;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// The IVF-PQ inner loop on one thread: summing M lookup-table entries per code over 4,096 codes (a long
/// inverted list), scalar (4 codes interleaved) against AVX2 gathers; and building one M x 256 table from
/// a 96-d residual. ns per code = mean / 4096.
/// </summary>
public unsafe class AdcScanBenchmarks
{
    private const int Codes = 4096;
    private byte[] _codes = [];
    private float[] _table = [];
    private float[] _out = [];
    private float[] _residual = [];
    private ProductQuantizer _pq = null!;

    [Params(16, 24, 32)]
    public int M { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3);
        _codes = new byte[Codes * M];
        rng.NextBytes(_codes);
        _table = new float[M * 256];
        for (int i = 0; i < _table.Length; i++)
            _table[i] = rng.NextSingle();
        _out = new float[Codes];
        int dim = 96;
        _pq = new ProductQuantizer(dim, M);
        var train = new float[4096 * dim];
        for (int i = 0; i < train.Length; i++)
            train[i] = rng.NextSingle();
        _pq.Train(train, new KMeansOptions { Iterations = 2 });
        _residual = new float[dim];
        for (int i = 0; i < dim; i++)
            _residual[i] = rng.NextSingle();
    }

    [Benchmark(Baseline = true)]
    public void Scalar()
    {
        fixed (byte* c = _codes)
        fixed (float* t = _table)
        fixed (float* o = _out)
            AdcScan.DistancesScalar(c, Codes, M, t, 0, o);
    }

    [Benchmark]
    public void Gather()
    {
        fixed (byte* c = _codes)
        fixed (float* t = _table)
        fixed (float* o = _out)
            AdcScan.DistancesGather(c, Codes, M, t, 0, o);
    }

    [Benchmark]
    public void BuildTable()
    {
        _pq.ComputeL2Table(_residual, _table);
    }
}
