using HdrHistogram;

namespace RecSys.Engine.LoadGen;

/// <summary>Percentiles of one latency histogram, in milliseconds (0 when it is empty).</summary>
public readonly record struct LatencySummary(long Count, double P50Ms, double P95Ms, double P99Ms, double P999Ms, double MaxMs, double MeanMs)
{
    public static LatencySummary Empty { get; } = default;

    /// <summary>Reads <paramref name="micros"/>, a histogram of microseconds.</summary>
    public static LatencySummary Of(HistogramBase micros)
    {
        if (micros.TotalCount == 0)
            return Empty;
        // HdrHistogram reports the highest value equivalent to the percentile's bucket: at 3 significant digits within 0.1%.
        return new LatencySummary(
            micros.TotalCount,
            Ms(micros.GetValueAtPercentile(50)),
            Ms(micros.GetValueAtPercentile(95)),
            Ms(micros.GetValueAtPercentile(99)),
            Ms(micros.GetValueAtPercentile(99.9)),
            Ms(micros.GetMaxValue()),
            Math.Round(micros.GetMean() / 1000.0, 3));
    }

    private static double Ms(long micros) => micros / 1000.0;
}
