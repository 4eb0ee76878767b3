using RecSys.Engine.Models.Content;

namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// The dense inputs of the two towers, written the same way in training and at serving (so a request's user and a
/// live-added item land where training put their kind):
/// <code>
///  user  user_activity                     log(1 + history length) / log(1 + max history)
///        user_demographics_known           1 when the user has a segment
///        user_demographic_hash_&lt;b&gt;        age bucket, gender and occupation tokens of the segment key, hashed (FNV-1a)
///        user_segment_hash_&lt;b&gt;            the whole segment key, hashed
///  item  item_category_&lt;c&gt;                multi-hot over the content vocabulary's categories
///        item_popularity_&lt;b&gt;              one-hot, b = min(15, floor(log2(1 + training interactions)))
///        item_age_unknown                  1 when the item's age is not known
///        item_age_&lt;b&gt;                     one-hot, b = min(11, floor(log2(1 + days since published / first seen)))
///        item_content_&lt;d&gt;                 the content vector (ContentVocabulary: categories + hashed title and tags, idf, L2)
/// </code>
/// The pooled history (user) and the id embedding (item) are the towers' other input, from the learned table.
/// Segment keys are <see cref="Popularity.UserSegments.Key"/>'s ("25-34|F|student"): the one segment definition of
/// the store's profiles and the popularity model. Immutable; thread-safe.
/// </summary>
public sealed class TwoTowerFeatures
{
    public const int PopularityBuckets = 16;

    public const int AgeBuckets = 12;

    private static readonly string[] SegmentParts = ["age:", "gender:", "occupation:"];
    private static readonly uint SegmentSeed = ContentEncoder.Fnv1a("segment:");

    private readonly string[] _categories;
    private readonly int _popularityStart;
    private readonly int _ageUnknown;
    private readonly int _contentStart;

    public TwoTowerFeatures(ContentVocabulary? content, int maxHistory, int demographicBuckets, int segmentBuckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHistory, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(demographicBuckets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBuckets, 1);
        Content = content;
        MaxHistory = maxHistory;
        DemographicBuckets = demographicBuckets;
        SegmentBuckets = segmentBuckets;
        UserCount = 2 + demographicBuckets + segmentBuckets;
        _categories = content is null ? [] : [.. content.Categories];
        _popularityStart = _categories.Length;
        _ageUnknown = _popularityStart + PopularityBuckets;
        _contentStart = _ageUnknown + 1 + AgeBuckets;
        ItemCount = _contentStart + (content?.Dimension ?? 0);
    }

    /// <summary>Encodes item metadata into the content block; null when the training data had none (no content block).</summary>
    public ContentVocabulary? Content { get; }

    public int MaxHistory { get; }

    public int DemographicBuckets { get; }

    public int SegmentBuckets { get; }

    /// <summary>Width of a user row.</summary>
    public int UserCount { get; }

    /// <summary>Width of an item row.</summary>
    public int ItemCount { get; }

    public int ContentDimension => Content?.Dimension ?? 0;

    /// <summary>The user columns' names, in order (the tower schema).</summary>
    public IEnumerable<string> UserNames()
    {
        yield return "user_activity";
        yield return "user_demographics_known";
        for (int b = 0; b < DemographicBuckets; b++)
            yield return $"user_demographic_hash_{b}";
        for (int b = 0; b < SegmentBuckets; b++)
            yield return $"user_segment_hash_{b}";
    }

    /// <summary>The item columns' names, in order (the tower schema).</summary>
    public IEnumerable<string> ItemNames()
    {
        foreach (string c in _categories)
            yield return $"item_category_{c}";
        for (int b = 0; b < PopularityBuckets; b++)
            yield return $"item_popularity_{b}";
        yield return "item_age_unknown";
        for (int b = 0; b < AgeBuckets; b++)
            yield return $"item_age_{b}";
        for (int d = 0; d < ContentDimension; d++)
            yield return $"item_content_{d}";
    }

    /// <summary>The activity column's value for a history of <paramref name="historyLength"/> items (capped at <see cref="MaxHistory"/>).</summary>
    public float Activity(int historyLength) => MathF.Log(1 + Math.Min(historyLength, MaxHistory)) / MathF.Log(1 + MaxHistory);

    /// <summary>
    /// Writes a user row: <paramref name="segmentKey"/> empty = no demographics. Allocates nothing (the key is hashed
    /// part by part in place).
    /// </summary>
    public void WriteUser(ReadOnlySpan<char> segmentKey, int historyLength, Span<float> row)
    {
        row = row[..UserCount];
        row.Clear();
        row[0] = Activity(historyLength);
        if (segmentKey.IsEmpty)
            return;
        row[1] = 1f;
        int part = 0;
        foreach (Range range in segmentKey.Split('|'))
        {
            ReadOnlySpan<char> value = segmentKey[range];
            string prefix = part < SegmentParts.Length ? SegmentParts[part] : "part:";
            part++;
            if (value.IsEmpty || value is "?")
                continue; // unknown in the key: no token
            row[2 + (int)(ContentEncoder.Fnv1a(value, ContentEncoder.Fnv1a(prefix)) % (uint)DemographicBuckets)] = 1f;
        }
        row[2 + DemographicBuckets + (int)(ContentEncoder.Fnv1a(segmentKey, SegmentSeed) % (uint)SegmentBuckets)] = 1f;
    }

    /// <summary>
    /// Writes an item row. <paramref name="ageDays"/> NaN = unknown; <paramref name="content"/> is the item's content
    /// vector (empty when it has none).
    /// </summary>
    public void WriteItem(IReadOnlyList<string> categories, int interactions, double ageDays, ReadOnlySpan<float> content, Span<float> row)
    {
        row = row[..ItemCount];
        row.Clear();
        for (int c = 0; c < categories.Count; c++)
        {
            int d = Content?.CategoryDimension(categories[c]) ?? -1;
            if (d >= 0)
                row[d] = 1f;
        }
        row[_popularityStart + Bucket(interactions, PopularityBuckets)] = 1f;
        if (double.IsNaN(ageDays))
            row[_ageUnknown] = 1f;
        else
            row[_ageUnknown + 1 + Bucket(Math.Max(ageDays, 0), AgeBuckets)] = 1f;
        if (!content.IsEmpty && ContentDimension > 0)
            content[..ContentDimension].CopyTo(row[_contentStart..]);
    }

    /// <summary>min(buckets - 1, floor(log2(1 + value))).</summary>
    private static int Bucket(double value, int buckets) => (int)Math.Min(buckets - 1, Math.Floor(Math.Log2(1 + value)));
}
