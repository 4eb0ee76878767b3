namespace RecSys.Engine.Pipeline.Sources;

/// <summary>The names of the built-in candidate sources, as surfaces list them and responses report them.</summary>
public static class SourceNames
{
    /// <summary>The user's CF vector against the index of ALS item factors.</summary>
    public const string Collaborative = "collaborative";

    /// <summary>Neighbours (CF index) of the user's most recent items.</summary>
    public const string ItemToItem = "item2item";

    /// <summary>Sequence neighbours ("watched next") of the user's newest items: precomputed lists, no index.</summary>
    public const string Sequence = "sequence";

    /// <summary>The user's content profile (history + onboarding) against the content index.</summary>
    public const string Content = "content";

    /// <summary>Search: the query vector against the content index.</summary>
    public const string Query = "query";

    /// <summary>Popular within the user's demographic segment (overall without one): the cold-start backbone.</summary>
    public const string Popular = "popular";

    /// <summary>Time-decayed popularity within the segment, refreshed from the store's counters.</summary>
    public const string Trending = "trending";

    /// <summary>Recently added items still under-exposed, by content match when the user has a profile.</summary>
    public const string NewItems = "new-items";

    /// <summary>Item page: neighbours of the page's item in the CF index.</summary>
    public const string SimilarCf = "similar-cf";

    /// <summary>Item page: neighbours of the page's item in the content index (new items, before they have interactions).</summary>
    public const string SimilarContent = "similar-content";

    /// <summary>The two-tower model's user tower (per request) against the index of its item-tower vectors.</summary>
    public const string TwoTower = "twotower";

    /// <summary>The search surface's personal re-rank column: the user's CF score of each candidate.</summary>
    public const string Personal = "personal";

    /// <summary>Every built-in name above (an embedding set's source is <see cref="SimilarByEmbedding"/> of its name).</summary>
    public static readonly IReadOnlyList<string> BuiltIn = [Collaborative, ItemToItem, Sequence, Content, Query, Popular, Trending, NewItems, SimilarCf, SimilarContent, Personal];

    /// <summary>Item page: neighbours of the page's item among bulk-loaded embeddings <paramref name="embedding"/> ("embedding:item-tower").</summary>
    public static string SimilarByEmbedding(string embedding) => "embedding:" + embedding;
}
