using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
// Both namespaces, so this one file also builds against the tree before issue 11 (kernels in Core.Vectors, no
// Kernels namespace: the empty declaration below supplies it) and the lead can run the same benchmark before and
// after. Both can go once the before/after runs are recorded.
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Vectors.Kernels
{
}

namespace RecSys.Engine.Benchmarks.Vectors
{
    /// <summary>
    /// Our dot / squared-L2 kernels against TensorPrimitives and a plain scalar loop, at embedding sizes, and the
    /// float32-query x bfloat16-row kernel the HNSW bf16 traversal runs. TensorPrimitives has no squared L2, so its
    /// Distance (with the square root) stands in: one sqrt is noise next to the sum at these lengths. 100 (= 6 x 16 + 4)
    /// is the one dimension with a tail on the Vector512 and Vector256 rungs, where the masked overlapping load works.
    /// </summary>
    [BenchmarkCategory(BenchCategories.Kernels)]
    public class DistanceKernelBenchmarks
    {
        private float[] _a = [];
        private float[] _b = [];
        private ushort[] _bBFloat16 = [];

        [Params(64, 96, 100, 128, 256, 768)]
        public int Dim { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            var rng = new Random(42);
            _a = Enumerable.Range(0, Dim).Select(_ => rng.NextSingle() * 2 - 1).ToArray();
            _b = Enumerable.Range(0, Dim).Select(_ => rng.NextSingle() * 2 - 1).ToArray();
            _bBFloat16 = new ushort[Dim];
            BFloat16.FromSingle(_b, _bBFloat16);
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

        [Benchmark, BenchmarkCategory("dot")]
        public float Dot_OursBFloat16Row() =>
            BFloat16PairwiseKernel.Run<DotOperator>(ref MemoryMarshal.GetArrayDataReference(_a), ref MemoryMarshal.GetArrayDataReference(_bBFloat16), Dim);

        [Benchmark, BenchmarkCategory("l2")]
        public float L2_TensorPrimitivesDistance() => TensorPrimitives.Distance(_a, _b);

        [Benchmark, BenchmarkCategory("l2")]
        public float L2_Ours() => SquaredL2.Compute(_a, _b);

        [Benchmark, BenchmarkCategory("l2")]
        public float L2_OursBFloat16Row() =>
            BFloat16PairwiseKernel.Run<SquaredL2Operator>(ref MemoryMarshal.GetArrayDataReference(_a), ref MemoryMarshal.GetArrayDataReference(_bBFloat16), Dim);

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
}
