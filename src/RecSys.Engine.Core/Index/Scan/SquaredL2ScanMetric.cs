using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.Scan;

/// <summary>Key = squared L2 distance.</summary>
internal readonly struct SquaredL2ScanMetric : IScanMetric
{
    public static float Score(ReadOnlySpan<float> query, ReadOnlySpan<float> row) => SquaredL2.Compute(query, row);

    public static void ScoreMany(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int rowStride, Span<float> keys) =>
        SquaredL2.ComputeMany(query, rows, rowStride, keys);
}
