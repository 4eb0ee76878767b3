namespace RecSys.Engine.Core.Index.Scan;

/// <summary>
/// The filter planner's input, one rule for every index (Qdrant's: estimate the filter's cardinality; below a
/// threshold, scan the allowed items exactly): the fraction of live items a filter allows. Exact for a bitset (one
/// popcount pass); for any other filter, from <see cref="SampleCount"/> evenly spaced slots, so the estimate costs the
/// same at any catalog size. A filter allowing a handful of items in a large catalog samples as 0, which is the case
/// that matters: approximate search cannot find items it is unlikely to pass by.
/// </summary>
internal static class FilterSelectivity
{
    /// <summary>
    /// Default of HnswOptions / IvfPqOptions.ExactFilterThreshold: below this allowed fraction, the exact scan.
    /// Measured for HNSW (bench/results/hnsw.md: exact wins at 2% allowed, the graph at 5%).
    /// </summary>
    public const double DefaultExactThreshold = 0.03;

    /// <summary>Filter tests a predicate estimate costs.</summary>
    public const int SampleCount = 1024;

    public static double AllowedFraction<TSlots>(IdFilter filter, long live, ref TSlots slots)
        where TSlots : struct, IFilterSampleSlots
    {
        if (live == 0)
            return 0;
        if (filter is AllowBitset bits)
            return Math.Min(1.0, (double)bits.CountAllowed() / live);
        long count = slots.Count;
        int samples = (int)Math.Min(count, SampleCount);
        if (samples == 0)
            return 0;
        int allowed = 0, seen = 0;
        for (int i = 0; i < samples; i++)
        {
            if (!slots.TryGetId(i * count / samples, out long id))
                continue;
            seen++;
            if (filter.Allows(id))
                allowed++;
        }
        return seen == 0 ? 0 : (double)allowed / seen;
    }
}
