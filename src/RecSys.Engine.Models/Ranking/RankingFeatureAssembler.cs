namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The one feature assembler: writes the [candidates x features] tensor (row-major, schema order) of one request from a
/// <see cref="RankingFeatureInput"/>, whoever filled it (serving or offline training). Column by column: a per-request
/// value is broadcast down its column, a per-candidate span is scaled into it. No allocation; thread-safe (no state
/// besides the schema's offsets).
/// </summary>
public sealed class RankingFeatureAssembler
{
    // Column where each group starts; -1 when the schema leaves the group out.
    private readonly int _user, _item, _context, _sources, _affinity;

    public RankingFeatureAssembler(RankingFeatureSchema schema)
    {
        Schema = schema;
        _user = Start(schema, RankingFeatureGroups.User);
        _item = Start(schema, RankingFeatureGroups.Item);
        _context = Start(schema, RankingFeatureGroups.Context);
        _sources = Start(schema, RankingFeatureGroups.Sources);
        _affinity = Start(schema, RankingFeatureGroups.Affinity);
    }

    public RankingFeatureSchema Schema { get; }

    /// <summary>Floats one request of <paramref name="candidates"/> needs.</summary>
    public int TensorLength(int candidates) => candidates * Schema.Count;

    /// <summary>
    /// Writes <paramref name="candidates"/> rows into <paramref name="destination"/> (at least candidates x features).
    /// Per-candidate spans of a group in the schema must hold at least <paramref name="candidates"/> values.
    /// </summary>
    public void Assemble(scoped in RankingFeatureInput input, int candidates, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(candidates);
        int stride = Schema.Count;
        if (destination.Length < candidates * stride)
            throw new ArgumentException($"destination holds {destination.Length} floats, {candidates} candidates x {stride} features need {candidates * stride}", nameof(destination));
        if (_user >= 0)
            WriteUser(input.User, candidates, destination[_user..], stride);
        if (_item >= 0)
            WriteItem(input, candidates, destination[_item..], stride);
        if (_context >= 0)
            WriteContext(input.Context, candidates, destination[_context..], stride);
        if (_sources >= 0)
            WriteSources(input, candidates, destination[_sources..], stride);
        if (_affinity >= 0)
            WriteAffinity(input, candidates, destination[_affinity..], stride);
    }

    private static int Start(RankingFeatureSchema schema, RankingFeatureGroups group)
    {
        // A group's features are contiguous (the schema appends group by group).
        for (int f = 0; f < schema.Count; f++)
        {
            if (schema.Features[f].Group == group)
                return f;
        }
        return -1;
    }

    private static void WriteUser(RankingUserFeatures user, int n, Span<float> d, int stride)
    {
        Broadcast(d, 0, stride, n, Log1p(user.HistoryLength));
        Broadcast(d, 1, stride, n, user.AgeBucket / 7f);
        Broadcast(d, 2, stride, n, user.Gender == UserGender.Female ? 1f : 0f);
        Broadcast(d, 3, stride, n, user.Gender == UserGender.Male ? 1f : 0f);
        Broadcast(d, 4, stride, n, user.AgeBucket > 0 || user.Gender != UserGender.Unknown ? 1f : 0f);
    }

    private void WriteItem(scoped in RankingFeatureInput input, int n, Span<float> d, int stride)
    {
        ReadOnlySpan<float> trend = Column(input.ItemTrend, n, nameof(input.ItemTrend));
        float mean = MeanLog1p(trend);
        ReadOnlySpan<float> age = Column(input.ItemAgeHours, n, nameof(input.ItemAgeHours));
        for (int c = 0; c < n; c++)
        {
            Span<float> row = d.Slice(c * stride, 3);
            row[0] = Log1p(trend[c]) - mean;
            bool known = age[c] >= 0;
            row[1] = known ? Log1p(age[c] / 24f) : 0f;
            row[2] = known ? 1f : 0f;
        }
        int categories = Schema.Categories.Count;
        if (categories == 0)
            return;
        ReadOnlySpan<ulong> masks = Column(input.ItemCategoryMask, n, nameof(input.ItemCategoryMask));
        for (int c = 0; c < n; c++)
        {
            Span<float> row = d.Slice(c * stride + 3, categories);
            ulong mask = masks[c];
            for (int k = 0; k < row.Length; k++)
                row[k] = (mask >> k & 1) != 0 ? 1f : 0f;
        }
    }

    private static void WriteContext(RankingContext context, int n, Span<float> d, int stride)
    {
        for (int s = 0; s < RankingFeatureSchema.SurfaceNames.Count; s++)
            Broadcast(d, s, stride, n, (int)context.Surface == s ? 1f : 0f);
        int o = RankingFeatureSchema.SurfaceNames.Count;
        double hour = 2 * Math.PI * context.Hour / 24.0, day = 2 * Math.PI * (int)context.Weekday / 7.0;
        Broadcast(d, o, stride, n, (float)Math.Sin(hour));
        Broadcast(d, o + 1, stride, n, (float)Math.Cos(hour));
        Broadcast(d, o + 2, stride, n, (float)Math.Sin(day));
        Broadcast(d, o + 3, stride, n, (float)Math.Cos(day));
    }

    private void WriteSources(scoped in RankingFeatureInput input, int n, Span<float> d, int stride)
    {
        int sources = Schema.Sources.Count;
        ReadOnlySpan<float> scores = Column(input.SourceScores, sources * n, nameof(input.SourceScores));
        ReadOnlySpan<int> ranks = Column(input.SourceRanks, sources * n, nameof(input.SourceRanks));
        for (int s = 0; s < sources; s++)
        {
            int o = 3 * s;
            WriteStandardized(scores.Slice(s * n, n), d, o, stride);
            ReadOnlySpan<int> rank = ranks.Slice(s * n, n);
            for (int c = 0; c < n; c++)
                d[c * stride + o + 2] = rank[c] > 0 ? 1f / rank[c] : 0f;
        }
    }

    private void WriteAffinity(scoped in RankingFeatureInput input, int n, Span<float> d, int stride)
    {
        ReadOnlySpan<ulong> masks = Schema.Categories.Count == 0 ? default : Column(input.ItemCategoryMask, n, nameof(input.ItemCategoryMask));
        ReadOnlySpan<float> share = input.UserCategoryShare;
        if (!share.IsEmpty && share.Length != Schema.Categories.Count)
            throw new ArgumentException($"{nameof(input.UserCategoryShare)} has {share.Length} values, the schema {Schema.Categories.Count} categories", nameof(input));
        ReadOnlySpan<float> similarity = Column(input.ContentSimilarity, n, nameof(input.ContentSimilarity));
        for (int c = 0; c < n; c++)
        {
            float sum = 0, max = 0;
            int count = 0;
            if (!share.IsEmpty)
            {
                for (ulong mask = masks[c]; mask != 0; mask &= mask - 1)
                {
                    int k = System.Numerics.BitOperations.TrailingZeroCount(mask);
                    if (k >= share.Length)
                        break;
                    float v = share[k];
                    sum += v;
                    max = Math.Max(max, v);
                    count++;
                }
            }
            d[c * stride] = count == 0 ? 0f : sum / count;
            d[c * stride + 1] = max;
            d[c * stride + 2] = float.IsNaN(similarity[c]) ? 0f : similarity[c];
        }
        WriteStandardized(Column(input.CfScore, n, nameof(input.CfScore)), d, 3, stride);
    }

    /// <summary>
    /// Column <paramref name="column"/>: (x - mean) / std, column + 1: (x - max) / std, over the known (non-NaN) values of
    /// <paramref name="score"/>; 0 for an unknown value, and everywhere when the known values are all equal (no spread
    /// to measure against, so the score says nothing within the request).
    /// </summary>
    private static void WriteStandardized(ReadOnlySpan<float> score, Span<float> d, int column, int stride)
    {
        double sum = 0, squares = 0;
        float best = float.NegativeInfinity;
        int known = 0;
        foreach (float v in score)
        {
            if (float.IsNaN(v))
                continue;
            known++;
            sum += v;
            squares += (double)v * v;
            best = Math.Max(best, v);
        }
        double mean = known == 0 ? 0 : sum / known;
        double variance = known == 0 ? 0 : Math.Max(squares / known - mean * mean, 0);
        float inv = variance > 1e-12 * Math.Max(1, mean * mean) ? (float)(1 / Math.Sqrt(variance)) : 0f;
        for (int c = 0; c < score.Length; c++)
        {
            float v = score[c];
            bool isKnown = !float.IsNaN(v);
            d[c * stride + column] = isKnown ? (float)((v - mean) * inv) : 0f;
            d[c * stride + column + 1] = isKnown ? (v - best) * inv : 0f;
        }
    }

    private static ReadOnlySpan<T> Column<T>(ReadOnlySpan<T> values, int needed, string name)
    {
        if (values.Length < needed)
            throw new ArgumentException($"{name} has {values.Length} values, the request needs {needed}", name);
        return values[..needed];
    }

    private static void Broadcast(Span<float> d, int column, int stride, int n, float value)
    {
        for (int c = 0; c < n; c++)
            d[c * stride + column] = value;
    }

    private static float MeanLog1p(ReadOnlySpan<float> raw)
    {
        double sum = 0;
        foreach (float x in raw)
            sum += Log1p(x);
        return raw.IsEmpty ? 0f : (float)(sum / raw.Length);
    }

    /// <summary>
    /// log(1 + x) for counts; a negative or non-finite count (never valid) reads as 0 rather than produce NaN: one bad
    /// counter would otherwise make the request's mean NaN, and with it the trend of every candidate.
    /// </summary>
    private static float Log1p(float x) => x > 0f && float.IsFinite(x) ? MathF.Log(1f + x) : 0f;
}
