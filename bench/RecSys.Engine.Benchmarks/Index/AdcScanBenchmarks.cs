using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Index.IvfPq;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// The IVF-PQ inner loop on one thread: summing M lookup-table entries per code over 4,096 codes (a long
/// inverted list), scalar (4 codes interleaved) against AVX2 gathers; and building one M x 256 table from
/// a 96-d residual. ns per code = mean / 4096. FastScan4: the same 4,096 vectors at the same code bytes
/// as 4-bit codes (2M sub-quantizers of 16 centroids, FAISS PQ4 layout, byte-shuffle lookups, uint16 sums),
/// and the per-list cost of quantizing its 2M x 16 float table to bytes.
/// </summary>
[BenchmarkCategory(BenchCategories.Kernels)]
public unsafe class AdcScanBenchmarks
{
    private const int Codes = 4096;
    private byte[] _codes = [];
    private float[] _table = [];
    private float[] _out = [];
    private float[] _residual = [];
    private ProductQuantizer _pq = null!;
    private byte[] _blocks4 = [];
    private byte[] _lut4 = [];
    private float[] _table4 = [];
    private ushort[] _out4 = [];

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
        int m4 = 2 * M;
        var codes4 = new byte[Codes * m4];
        for (int i = 0; i < codes4.Length; i++)
            codes4[i] = (byte)rng.Next(16);
        _blocks4 = new byte[Codes / FastScan4.BlockVectors * FastScan4.BlockBytes(m4)];
        FastScan4.Pack(codes4, Codes, m4, _blocks4);
        _table4 = new float[m4 * FastScan4.Centroids];
        for (int i = 0; i < _table4.Length; i++)
            _table4[i] = rng.NextSingle();
        _lut4 = new byte[m4 * FastScan4.Centroids];
        FastScan4.QuantizeTable(_table4, m4, _lut4, out _, out _);
        _out4 = new ushort[Codes];
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
    public void Scan4Bit()
    {
        fixed (byte* b = _blocks4)
        fixed (byte* l = _lut4)
        fixed (ushort* o = _out4)
            FastScan4.Scan(b, Codes / FastScan4.BlockVectors, 2 * M, l, o);
    }

    [Benchmark]
    public float QuantizeTable4Bit()
    {
        FastScan4.QuantizeTable(_table4, 2 * M, _lut4, out float bias, out float scale);
        return bias + scale;
    }

    [Benchmark]
    public void BuildTable()
    {
        _pq.ComputeL2Table(_residual, _table);
    }
}
