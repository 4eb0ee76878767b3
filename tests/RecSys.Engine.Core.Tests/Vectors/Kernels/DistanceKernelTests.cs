using System.Runtime.Intrinsics;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Kernels;

/// <summary>
/// Every rung of the SIMD ladder against the float64 scalar reference, on every awkward length
/// (empty, below one vector, one vector +/- 1, several vectors plus a tail). .ci/run re-runs these with
/// AVX2 and AVX-512 disabled so the Auto path takes the Vector128 and scalar rungs too.
/// </summary>
public class DistanceKernelTests
{
    public static readonly int[] Lengths = [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 95, 96, 128, 768, 1000];

    public static IEnumerable<object[]> Cases()
    {
        foreach (SimdPath path in Enum.GetValues<SimdPath>())
            foreach (int n in Lengths)
                yield return [path, n];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dot_matches_float64_reference(SimdPath path, int n)
    {
        var rng = new Random(n * 31 + (int)path);
        for (int trial = 0; trial < 5; trial++)
        {
            var a = VectorTestData.RandomVector(rng, n, 10f);
            var b = VectorTestData.RandomVector(rng, n, 10f);
            double expected = DotProduct.Reference(a, b);
            float actual = DotProduct.Compute(a, b, path);
            // Rounding error of a float sum grows with the sum of |terms|, not with the (cancelling) result.
            double magnitude = 0;
            for (int i = 0; i < n; i++)
                magnitude += Math.Abs((double)a[i] * b[i]);
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * magnitude + 1e-6,
                $"{path} n={n}: got {actual}, expected {expected} (|terms| {magnitude})");
            if (path == SimdPath.Auto)
                Assert.Equal(actual, DotProduct.Compute(a, b));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SquaredL2_matches_float64_reference(SimdPath path, int n)
    {
        var rng = new Random(n * 17 + (int)path);
        for (int trial = 0; trial < 5; trial++)
        {
            var a = VectorTestData.RandomVector(rng, n, 10f);
            var b = VectorTestData.RandomVector(rng, n, 10f);
            double expected = SquaredL2.Reference(a, b);
            float actual = SquaredL2.Compute(a, b, path);
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * expected + 1e-6, $"{path} n={n}: got {actual}, expected {expected}");
            if (path == SimdPath.Auto)
                Assert.Equal(actual, SquaredL2.Compute(a, b));
        }
    }

    [Fact]
    public void Tail_lanes_are_not_counted_twice()
    {
        // All ones: any lane counted twice (or missed) in the overlapping tail changes the integer result.
        foreach (SimdPath path in Enum.GetValues<SimdPath>())
        {
            foreach (int n in Lengths)
            {
                var ones = Enumerable.Repeat(1f, n).ToArray();
                var zeros = new float[n];
                Assert.Equal(n, DotProduct.Compute(ones, ones, path));
                Assert.Equal(n, SquaredL2.Compute(ones, zeros, path));
            }
        }
    }

    [Fact]
    public void Fallback_runs_really_take_the_narrower_paths()
    {
        // .ci/run re-runs this suite with these switches; if the runtime ignored them, the fallback runs
        // would silently test the AVX2 path again.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
            Assert.False(Vector256.IsHardwareAccelerated);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F") == "0")
            Assert.False(Vector512.IsHardwareAccelerated);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
            Assert.False(Vector128.IsHardwareAccelerated);
    }

    [Fact]
    public void Length_mismatch_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => DotProduct.Compute(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => SquaredL2.Compute(new float[3], new float[4]));
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(7, 16)]
    [InlineData(96, 96)]
    [InlineData(96, 112)]
    [InlineData(100, 112)]
    [InlineData(768, 768)]
    public void ComputeMany_equals_one_row_at_a_time(int dim, int stride)
    {
        var rng = new Random(dim);
        const int rows = 37;
        var block = new float[(rows - 1) * stride + dim];
        for (int i = 0; i < block.Length; i++)
            block[i] = (float)(rng.NextDouble() * 2 - 1);
        var q = VectorTestData.RandomVector(rng, dim);
        var dots = new float[rows];
        var l2s = new float[rows];
        DotProduct.ComputeMany(q, block, stride, dots);
        SquaredL2.ComputeMany(q, block, stride, l2s);
        for (int r = 0; r < rows; r++)
        {
            var row = block.AsSpan(r * stride, dim);
            Assert.Equal(DotProduct.Compute(q, row), dots[r]);
            Assert.Equal(SquaredL2.Compute(q, row), l2s[r]);
        }
    }

    [Fact]
    public void ComputeMany_rejects_a_short_block()
    {
        var ex = Assert.Throws<ArgumentException>(() => DotProduct.ComputeMany(new float[8], new float[20], 16, new float[2]));
        Assert.Contains("rows", ex.Message);
    }

    [Fact]
    public void Cosine_matches_reference_and_normalize_gives_unit_length()
    {
        var rng = new Random(5);
        foreach (int n in Lengths.Where(n => n > 0))
        {
            var a = VectorTestData.RandomVector(rng, n, 4f);
            var b = VectorTestData.RandomVector(rng, n, 4f);
            Assert.Equal(CosineSimilarity.Reference(a, b), CosineSimilarity.Compute(a, b), 4);
            Assert.True(CosineSimilarity.Normalize(a));
            Assert.Equal(1.0, DotProduct.Reference(a, a), 5);
        }
        Assert.False(CosineSimilarity.Normalize(new float[4]));
        Assert.Equal(0f, CosineSimilarity.Compute(new float[4], [1f, 2f, 3f, 4f]));
    }
}
