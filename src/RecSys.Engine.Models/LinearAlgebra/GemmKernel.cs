using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Models.LinearAlgebra;

/// <summary>
/// The 6 x 8 double micro-kernel of <see cref="PackedGemm"/>: C[6 x 8] (+)= alpha * sum_p a[p][0..6] (x) b[p][0..8]
/// over packed panels (a: 6 values per p, b: 8 values per p, both contiguous). Twelve Vector256 accumulators,
/// two B loads and six broadcasts per p: 12 FMAs against 8 loads, so the two FMA pipes of a core are the
/// bound, not the load ports, and the 12 independent chains cover the FMA latency (4 cycles x 2 pipes = 8
/// needed). 6 x 8 is the shape BLIS uses for double on AVX2 (15 of the 16 ymm registers).
/// On AVX-512 the same packed panels feed <see cref="ComputeVector512"/>: one zmm per row of C (6 chains, one
/// B load and six broadcasts per p), so the packing is shared by both widths.
/// <see cref="ComputeScalar"/> is the reference and the fallback where neither is accelerated.
/// </summary>
internal static unsafe class GemmKernel
{
    public const int MR = 6;
    public const int NR = 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute(int kc, double* a, double* b, double* c, nint ldc, double alpha, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
            ComputeVector512(kc, a, b, c, ldc, alpha, accumulate);
        else if (Vector256.IsHardwareAccelerated)
            ComputeVector256(kc, a, b, c, ldc, alpha, accumulate);
        else
            ComputeScalar(kc, a, b, c, ldc, alpha, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ComputeVector256(int kc, double* a, double* b, double* c, nint ldc, double alpha, bool accumulate)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<double> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<double> b0 = Vector256.Load(b);
            Vector256<double> b1 = Vector256.Load(b + 4);
            Vector256<double> ai = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(ai, b1, c51);
            a += MR;
            b += NR;
        }
        Vector256<double> va = Vector256.Create(alpha);
        Store(c, c00, c01, va, accumulate);
        Store(c + ldc, c10, c11, va, accumulate);
        Store(c + 2 * ldc, c20, c21, va, accumulate);
        Store(c + 3 * ldc, c30, c31, va, accumulate);
        Store(c + 4 * ldc, c40, c41, va, accumulate);
        Store(c + 5 * ldc, c50, c51, va, accumulate);
    }

    /// <summary>The 6 x 8 tile with one Vector512 per row of C (same packed panels as the Vector256 kernel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ComputeVector512(int kc, double* a, double* b, double* c, nint ldc, double alpha, bool accumulate)
    {
        Vector512<double> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<double> bv = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), bv, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), bv, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), bv, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), bv, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), bv, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), bv, c5);
            a += MR;
            b += NR;
        }
        Vector512<double> va = Vector512.Create(alpha);
        Store512(c, c0, va, accumulate);
        Store512(c + ldc, c1, va, accumulate);
        Store512(c + 2 * ldc, c2, va, accumulate);
        Store512(c + 3 * ldc, c3, va, accumulate);
        Store512(c + 4 * ldc, c4, va, accumulate);
        Store512(c + 5 * ldc, c5, va, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(double* row, Vector512<double> v, Vector512<double> alpha, bool accumulate)
    {
        if (accumulate)
            Vector512.FusedMultiplyAdd(alpha, v, Vector512.Load(row)).Store(row);
        else
            (alpha * v).Store(row);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(double* row, Vector256<double> lo, Vector256<double> hi, Vector256<double> alpha, bool accumulate)
    {
        if (accumulate)
        {
            Vector256.FusedMultiplyAdd(alpha, lo, Vector256.Load(row)).Store(row);
            Vector256.FusedMultiplyAdd(alpha, hi, Vector256.Load(row + 4)).Store(row + 4);
        }
        else
        {
            (alpha * lo).Store(row);
            (alpha * hi).Store(row + 4);
        }
    }

    /// <summary>The reference: the same sums in the same order (p ascending), one scalar at a time.</summary>
    public static void ComputeScalar(int kc, double* a, double* b, double* c, nint ldc, double alpha, bool accumulate)
    {
        double* acc = stackalloc double[MR * NR];
        new Span<double>(acc, MR * NR).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < MR; r++)
            {
                double ar = a[r];
                for (int j = 0; j < NR; j++)
                    acc[r * NR + j] += ar * b[j];
            }
            a += MR;
            b += NR;
        }
        for (int r = 0; r < MR; r++)
        {
            for (int j = 0; j < NR; j++)
                c[r * ldc + j] = accumulate ? c[r * ldc + j] + alpha * acc[r * NR + j] : alpha * acc[r * NR + j];
        }
    }
}
