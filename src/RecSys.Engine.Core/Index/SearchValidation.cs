namespace RecSys.Engine.Core.Index;

/// <summary>Argument checks every <see cref="IVectorIndex.Search"/> shares, with messages that name the argument.</summary>
public static class SearchValidation
{
    /// <summary>Returns the number of queries, or throws naming what does not fit.</summary>
    public static int QueryCount(ReadOnlySpan<float> queries, int dimension, int k, Span<long> ids, Span<float> distances)
    {
        CheckK(k);
        if (queries.Length % dimension != 0)
            throw new ArgumentException($"queries holds {queries.Length} floats, not a multiple of the dimension {dimension}", nameof(queries));
        int nq = queries.Length / dimension;
        long needed = (long)nq * k;
        if (ids.Length < needed)
            throw new ArgumentException($"ids holds {ids.Length} entries; {nq} queries x k={k} need {needed}", nameof(ids));
        if (distances.Length < needed)
            throw new ArgumentException($"distances holds {distances.Length} entries; {nq} queries x k={k} need {needed}", nameof(distances));
        foreach (float v in queries)
        {
            if (!float.IsFinite(v))
                throw new ArgumentException("queries contain a NaN or infinite value", nameof(queries));
        }
        return nq;
    }

    /// <summary>The rule for k, the one every search and every edge (a CLI option, a request field) applies.</summary>
    public static void CheckK(int k)
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1");
    }
}
