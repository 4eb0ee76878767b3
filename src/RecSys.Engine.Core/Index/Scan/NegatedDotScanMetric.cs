using System.Numerics.Tensors;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.Scan;

/// <summary>
/// Key = -dot: inner product and cosine (on normalised vectors). Negation is exact, so ordering and
/// ties are those of the dot product itself; "1 - dot" would round distinct dots together.
/// </summary>
internal readonly struct NegatedDotScanMetric : IScanMetric
{
    public static float Score(ReadOnlySpan<float> query, ReadOnlySpan<float> row) => -DotProduct.Compute(query, row);

    public static void ScoreMany(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int rowStride, Span<float> keys)
    {
        DotProduct.ComputeMany(query, rows, rowStride, keys);
        TensorPrimitives.Negate(keys, keys);
    }
}
