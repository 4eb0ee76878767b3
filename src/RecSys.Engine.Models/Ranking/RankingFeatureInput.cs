namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// Everything the assembler needs for one request, as plain columns (struct of arrays): the user's and the context's
/// values once, then one value per candidate in each span, candidates in the same order in every span. The pipeline
/// fills it from one batch read of the feature store plus the candidate sources' lists; offline training fills it from
/// <see cref="OfflineRankingFeatures"/>. Raw values: the assembler applies the schema's scaling.
/// </summary>
public ref struct RankingFeatureInput
{
    public RankingUserFeatures User;

    public RankingContext Context;

    /// <summary>[schema categories]: the share of the user's history in each category (0..1); empty reads as all zero.</summary>
    public ReadOnlySpan<float> UserCategoryShare;

    /// <summary>[candidates]: all-time interactions of each candidate item (the user group reads it too).</summary>
    public ReadOnlySpan<float> ItemInteractions;

    /// <summary>[candidates]: interactions in the last 7 days.</summary>
    public ReadOnlySpan<float> ItemInteractions7d;

    /// <summary>[candidates]: interactions in the last 30 days.</summary>
    public ReadOnlySpan<float> ItemInteractions30d;

    /// <summary>[candidates]: days since publish (negative reads as 0).</summary>
    public ReadOnlySpan<float> ItemAgeDays;

    /// <summary>[candidates]: bit c set when the item is in schema category c.</summary>
    public ReadOnlySpan<ulong> ItemCategoryMask;

    /// <summary>[candidates]: cosine of the item's content vector and the user's recent-history profile (0 without one).</summary>
    public ReadOnlySpan<float> ContentSimilarity;

    /// <summary>
    /// [schema sources x candidates], source-major (source s's scores at [s * candidates, (s + 1) * candidates)): the
    /// source's score for the candidate, NaN where the source cannot score it (written as 0).
    /// </summary>
    public ReadOnlySpan<float> SourceScores;

    /// <summary>[schema sources x candidates], source-major: 1-based rank in that source's list, 0 when it did not retrieve the item.</summary>
    public ReadOnlySpan<int> SourceRanks;
}
