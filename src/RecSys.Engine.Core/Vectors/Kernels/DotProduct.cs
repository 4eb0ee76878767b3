using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// float32 inner product: the kernel behind the inner-product and cosine metrics.
/// Vector512 -> Vector256 -> Vector128 -> scalar, see <see cref="PairwiseKernel"/>.
/// </summary>
public static class DotProduct
{
    /// <summary>Sum of a[i] * b[i]. The spans must have the same length. Allocates nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            PairwiseKernel.ThrowLengthMismatch(a.Length, b.Length);
        return PairwiseKernel.Run<Float32RowLoader, float, DotOperator>(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>The same sum on one pinned path of the ladder (tests, benchmarks).</summary>
    public static float Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b, SimdPath path) =>
        PairwiseKernel.Run<Float32RowLoader, float, DotOperator>(a, b, path);

    /// <summary>
    /// One query against many rows: results[i] = dot(query, rows[i * rowStride .. + query.Length]).
    /// The scan hot path; the width is picked once for the whole block.
    /// </summary>
    public static void ComputeMany(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int rowStride, Span<float> results) =>
        PairwiseKernel.RunMany<Float32RowLoader, float, DotOperator>(query, rows, rowStride, results);

    /// <summary>Scalar float64 reference: the oracle the SIMD paths are tested against.</summary>
    public static double Reference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            PairwiseKernel.ThrowLengthMismatch(a.Length, b.Length);
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += (double)a[i] * b[i];
        return sum;
    }
}
