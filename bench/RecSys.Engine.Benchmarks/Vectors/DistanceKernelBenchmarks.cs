using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Benchmarks.Vectors;

/// <summary>
/// Our dot / squared-L2 kernels against TensorPrimitives and a plain scalar loop, at embedding sizes.
/// TensorPrimitives has no squared L2, so its Distance (with the square root) stands in: one sqrt is
/// noise next to the sum at these lengths.
/// </summary>
public class DistanceKernelBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];

    [Params(64, 96, 128, 256, 768)]
    public int Dim { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _a = Enumerable.Range(0, Dim).Select(_ => rng.NextSingle() * 2 - 1).ToArray();
        _b = Enumerable.Range(0, Dim).Select(_ => rng.NextSingle() * 2 - 1).ToArray();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("dot")]
    public float Dot_TensorPrimitives() => TensorPrimitives.Dot(_a, _b);

    [Benchmark, BenchmarkCategory("dot")]
    public float Dot_Ours() => DotProduct.Compute(_a, _b);

    [Benchmark, BenchmarkCategory("dot")]
    public float Dot_ScalarLoop()
    {
        float s = 0;
        for (int i = 0; i < _a.Length; i++)
            s += _a[i] * _b[i];
        return s;
    }

    [Benchmark, BenchmarkCategory("l2")]
    public float L2_TensorPrimitivesDistance() => TensorPrimitives.Distance(_a, _b);

    [Benchmark, BenchmarkCategory("l2")]
    public float L2_Ours() => SquaredL2.Compute(_a, _b);

    [Benchmark, BenchmarkCategory("l2")]
    public float L2_ScalarLoop()
    {
        float s = 0;
        for (int i = 0; i < _a.Length; i++)
        {
            float d = _a[i] - _b[i];
            s += d * d;
        }
        return s;
    }
}
