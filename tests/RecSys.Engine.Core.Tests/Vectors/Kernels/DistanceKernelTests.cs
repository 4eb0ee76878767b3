using System.Runtime.Intrinsics;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Kernels;

/// <summary>
/// The public float32 kernels (dot, squared L2, cosine) and their one-query-many-rows form. The loop behind them is
/// swept on every length, element type and rung in <see cref="PairwiseKernelTests"/>. .ci/run re-runs these with
/// AVX2 and all SIMD disabled so the Auto path takes the Vector128 and scalar rungs too.
/// </summary>
public class DistanceKernelTests
{
    public static readonly int[] Lengths = [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 95, 96, 128, 768, 1000];

    [Fact]
    public void Fallback_runs_really_take_the_narrower_paths()
    {
        // .ci/run re-runs this suite with these switches; if the runtime ignored them, the fallback runs
        // would silently test the AVX2 path again.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
            Assert.False(Vector256.IsHardwareAccelerated);
        // .NET 10 switches AVX-512 off as one group (DOTNET_EnableAVX512); the older per-ISA DOTNET_EnableAVX512F is ignored.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
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
