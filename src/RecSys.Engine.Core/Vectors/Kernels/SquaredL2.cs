using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// float32 squared Euclidean distance. No square root: it preserves order, and the root would
/// cost more than the rest of a 96-d comparison.
/// </summary>
public static class SquaredL2
{
    /// <summary>Sum of (a[i] - b[i])^2. The spans must have the same length. Allocates nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            PairwiseKernel.ThrowLengthMismatch(a.Length, b.Length);
        return PairwiseKernel.Run<Float32RowLoader, float, SquaredL2Operator>(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>The same sum on one pinned path of the ladder (tests, benchmarks).</summary>
    public static float Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b, SimdPath path) =>
        PairwiseKernel.Run<Float32RowLoader, float, SquaredL2Operator>(a, b, path);

    /// <summary>One query against many rows laid out every <paramref name="rowStride"/> floats.</summary>
    public static void ComputeMany(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int rowStride, Span<float> results) =>
        PairwiseKernel.RunMany<Float32RowLoader, float, SquaredL2Operator>(query, rows, rowStride, results);

    /// <summary>Scalar float64 reference.</summary>
    public static double Reference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            PairwiseKernel.ThrowLengthMismatch(a.Length, b.Length);
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}
