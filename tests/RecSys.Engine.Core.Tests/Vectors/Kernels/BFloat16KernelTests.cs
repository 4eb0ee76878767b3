using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Kernels;

/// <summary>
/// The float32-query x bfloat16-row kernel on every rung and awkward length, against a float64 reference
/// computed on the same (widened) bf16 values: the kernel's only rounding is its float32 accumulation.
/// </summary>
public class BFloat16KernelTests
{
    public static IEnumerable<object[]> Cases() => DistanceKernelTests.Cases();

    private static (float[] Query, ushort[] Row, float[] Widened) Inputs(Random rng, int n)
    {
        var q = VectorTestData.RandomVector(rng, n, 10f);
        var r = VectorTestData.RandomVector(rng, n, 10f);
        var bits = new ushort[n];
        BFloat16.FromSingle(r, bits);
        var widened = bits.Select(BFloat16.ToSingle).ToArray();
        return (q, bits, widened);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dot_matches_float64_reference_on_the_bf16_values(SimdPath path, int n)
    {
        var rng = new Random(n * 13 + (int)path);
        for (int trial = 0; trial < 5; trial++)
        {
            var (q, row, widened) = Inputs(rng, n);
            double expected = DotProduct.Reference(q, widened);
            double magnitude = 0;
            for (int i = 0; i < n; i++)
                magnitude += Math.Abs((double)q[i] * widened[i]);
            float actual = BFloat16PairwiseKernel.Run<DotOperator>(q, row, path);
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * magnitude + 1e-6, $"{path} n={n}: got {actual}, expected {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SquaredL2_matches_float64_reference_on_the_bf16_values(SimdPath path, int n)
    {
        var rng = new Random(n * 7 + (int)path);
        for (int trial = 0; trial < 5; trial++)
        {
            var (q, row, widened) = Inputs(rng, n);
            double expected = SquaredL2.Reference(q, widened);
            float actual = BFloat16PairwiseKernel.Run<SquaredL2Operator>(q, row, path);
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * expected + 1e-6, $"{path} n={n}: got {actual}, expected {expected}");
        }
    }

    [Fact]
    public void Lengths_must_match()
    {
        var ex = Assert.Throws<ArgumentException>(() => BFloat16PairwiseKernel.Run<DotOperator>(new float[8], new ushort[7], SimdPath.Auto));
        Assert.Contains("8", ex.Message);
    }
}
