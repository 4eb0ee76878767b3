namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// Everything the assembler needs for one request, as raw columns (struct of arrays): the user's and the context's
/// values once, then one value per candidate in each span, candidates in the same order in every span. Two fillers,
/// one meaning (<see cref="RankingFeatureSchema"/>): the pipeline's feature writer from its ranker input (one batch
/// read of the feature store, the in-memory catalog, the request's sources), and <see cref="OfflineRankingFeatures"/>
/// from interaction data and the trained models. The assembler applies the schema's scaling.
/// </summary>
public ref struct RankingFeatureInput
{
    public RankingUserFeatures User;

    public RankingContext Context;

    /// <summary>
    /// [schema categories]: the share of the distinct items of the user's history window in each category (0..1);
    /// empty reads as all zero.
    /// </summary>
    public ReadOnlySpan<float> UserCategoryShare;

    /// <summary>[candidates]: the feature store's decayed counter of each candidate as of the request time.</summary>
    public ReadOnlySpan<float> ItemTrend;

    /// <summary>[candidates]: hours since the item was published; negative when unknown.</summary>
    public ReadOnlySpan<float> ItemAgeHours;

    /// <summary>[candidates]: bit c set when the item is in schema category c.</summary>
    public ReadOnlySpan<ulong> ItemCategoryMask;

    /// <summary>[candidates]: cosine of the item's content vector and the user's history profile; NaN when either is missing.</summary>
    public ReadOnlySpan<float> ContentSimilarity;

    /// <summary>[candidates]: the user's CF vector . the item's CF factors; NaN when either is missing.</summary>
    public ReadOnlySpan<float> CfScore;

    /// <summary>
    /// [schema sources x candidates], source-major (source s's scores at [s * candidates, (s + 1) * candidates)): the
    /// source's score for the candidate (schema v3: for every candidate where the source can score one item), NaN where unknown.
    /// </summary>
    public ReadOnlySpan<float> SourceScores;

    /// <summary>[schema sources x candidates], source-major: 1-based rank in that source's list, 0 when it did not retrieve the item.</summary>
    public ReadOnlySpan<int> SourceRanks;
}
