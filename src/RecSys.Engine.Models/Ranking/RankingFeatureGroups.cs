namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The feature groups of the ranking schema. A schema holds any subset (the ablation study trains one model per
/// subset); the layout inside a group never changes, and groups always appear in this order.
/// </summary>
[Flags]
public enum RankingFeatureGroups
{
    None = 0,

    /// <summary>Who the user is: activity, recent activity, demographics, taste for popular items.</summary>
    User = 1,

    /// <summary>What the item is: popularity and trend counters, age since publish, categories (multi-hot).</summary>
    Item = 2,

    /// <summary>Where and when the request comes: surface (one-hot), hour and weekday (on the unit circle).</summary>
    Context = 4,

    /// <summary>Cross: each candidate source's score, gap to the request's best score, and inverse rank.</summary>
    Sources = 8,

    /// <summary>Cross: the user's affinity to the item's categories and content similarity to recent history.</summary>
    Affinity = 16,

    All = User | Item | Context | Sources | Affinity,
}
