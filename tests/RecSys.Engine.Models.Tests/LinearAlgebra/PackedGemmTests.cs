using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.LinearAlgebra;

namespace RecSys.Engine.Models.Tests.LinearAlgebra;

/// <summary>The packed product against a plain triple loop, for every operand layout and triangle flag, on ragged sizes.</summary>
public sealed unsafe class PackedGemmTests
{
    private static double[] Random(int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var v = new double[count];
        for (int i = 0; i < v.Length; i++) v[i] = rng.NextGaussian();
        return v;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 3)]
    [InlineData(6, 8, 256)]
    [InlineData(197, 13, 257)] // ragged row block, ragged micro-tiles, two k-blocks
    [InlineData(13, 1100, 300)] // few rows: columns split across workers; two column blocks
    [InlineData(200, 200, 40)]
    public void Multiply_MatchesTripleLoop(int m, int n, int k)
    {
        foreach (GemmOptions layout in new[] { GemmOptions.None, GemmOptions.TransposeA, GemmOptions.TransposeB, GemmOptions.TransposeA | GemmOptions.TransposeB })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                foreach (GemmOptions triangle in new[] { GemmOptions.None, GemmOptions.LowerC, GemmOptions.LowerTriangularA })
                {
                    if (triangle == GemmOptions.LowerTriangularA && (layout & GemmOptions.TransposeA) != 0)
                        continue;
                    Check(m, n, k, layout | triangle | (accumulate ? GemmOptions.Accumulate : 0));
                }
            }
        }
    }

    private static void Check(int m, int n, int k, GemmOptions options)
    {
        bool ta = (options & GemmOptions.TransposeA) != 0, tb = (options & GemmOptions.TransposeB) != 0;
        bool lowerA = (options & GemmOptions.LowerTriangularA) != 0, lowerC = (options & GemmOptions.LowerC) != 0;
        // Leading dimensions wider than the operands, so strides are exercised.
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5;
        double[] a = Random((ta ? k : m) * lda, 1), b = Random((tb ? n : k) * ldb, 2), c = Random(m * ldc, 3);
        double OpA(int i, int p) => ta ? a[p * lda + i] : a[i * lda + p];
        double OpB(int p, int j) => tb ? b[j * ldb + p] : b[p * ldb + j];
        if (lowerA)
        {
            for (int i = 0; i < m; i++)
                for (int p = i + 1; p < k; p++)
                    a[i * lda + p] = 0;
        }
        double[] expected = (double[])c.Clone();
        const double alpha = -0.75;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += OpA(i, p) * OpB(p, j);
                expected[i * ldc + j] = ((options & GemmOptions.Accumulate) != 0 ? c[i * ldc + j] : 0) + alpha * s;
            }
        fixed (double* pa = a, pb = b, pc = c)
            PackedGemm.Multiply(m, n, k, alpha, pa, lda, pb, ldb, pc, ldc, options, new GemmWorkspace(), -1);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                if (lowerC && j > i)
                    continue; // undefined above the diagonal
                Assert.True(Math.Abs(expected[i * ldc + j] - c[i * ldc + j]) <= 1e-12 * (k + 1) * 4,
                    $"{options} {m}x{n}x{k}: C[{i},{j}] = {c[i * ldc + j]}, expected {expected[i * ldc + j]}");
            }
        // Padding columns of C (j >= n) are never written.
        var untouched = Random(m * ldc, 3);
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++)
                Assert.Equal(untouched[i * ldc + j], c[i * ldc + j]);
    }

    [Fact]
    public void Kernel_Vector256_MatchesScalar()
    {
        const int kc = 37;
        double[] a = Random(kc * GemmKernel.MR, 5), b = Random(kc * GemmKernel.NR, 6);
        foreach (bool accumulate in new[] { false, true })
        {
            double[] c1 = Random(GemmKernel.MR * 10, 7), c2 = (double[])c1.Clone();
            fixed (double* pa = a, pb = b, p1 = c1, p2 = c2)
            {
                GemmKernel.Compute(kc, pa, pb, p1, 10, 1.5, accumulate);
                GemmKernel.ComputeScalar(kc, pa, pb, p2, 10, 1.5, accumulate);
            }
            for (int i = 0; i < c1.Length; i++)
                Assert.True(Math.Abs(c1[i] - c2[i]) <= 1e-12 * kc, $"{i}: {c1[i]} vs {c2[i]}");
        }
    }

    // Each explicit width against the scalar reference, whatever this CPU accelerates: Vector512 and Vector256
    // operations run in software where the hardware lacks them, so the AVX-512 kernel is checked here too.
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    public void Kernel_EachWidth_MatchesScalar(int width)
    {
        const int kc = 29;
        double[] a = Random(kc * GemmKernel.MR, 11), b = Random(kc * GemmKernel.NR, 12);
        foreach (bool accumulate in new[] { false, true })
        {
            double[] c1 = Random(GemmKernel.MR * 9, 13), c2 = (double[])c1.Clone();
            fixed (double* pa = a, pb = b, p1 = c1, p2 = c2)
            {
                if (width == 512)
                    GemmKernel.ComputeVector512(kc, pa, pb, p1, 9, -0.5, accumulate);
                else
                    GemmKernel.ComputeVector256(kc, pa, pb, p1, 9, -0.5, accumulate);
                GemmKernel.ComputeScalar(kc, pa, pb, p2, 9, -0.5, accumulate);
            }
            for (int i = 0; i < c1.Length; i++)
            {
                if (i % 9 >= GemmKernel.NR)
                    Assert.Equal(c2[i], c1[i]); // columns past the tile stay untouched
                else
                    Assert.True(Math.Abs(c1[i] - c2[i]) <= 1e-12 * kc, $"{width}: {i}: {c1[i]} vs {c2[i]}");
            }
        }
    }
}
