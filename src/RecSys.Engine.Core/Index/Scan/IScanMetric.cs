namespace RecSys.Engine.Core.Index.Scan;

/// <summary>
/// A metric as the scan loop sees it: a "key" where smaller is closer. Struct implementations make the
/// scan generic (one loop, JIT-specialised per metric, no virtual call per row).
/// </summary>
internal interface IScanMetric
{
    static abstract float Score(ReadOnlySpan<float> query, ReadOnlySpan<float> row);

    static abstract void ScoreMany(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int rowStride, Span<float> keys);
}
