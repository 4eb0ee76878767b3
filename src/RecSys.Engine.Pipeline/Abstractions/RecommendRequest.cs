namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// One "what should this user see next" call. An unknown user is a cold-start user, not an error. Validated
/// by the pipeline at the door (the surface must exist; K within the surface's limit).
/// </summary>
public sealed record RecommendRequest
{
    /// <summary>External user id (the feature store's key).</summary>
    public long UserId { get; init; }

    /// <summary>A surface of the pipeline config ("home", "search", "email", "item-page"); anything else is an <see cref="ArgumentException"/> naming "surface".</summary>
    public string Surface { get; init; } = "home";

    /// <summary>Items wanted; 0 = the surface's default. At most the surface's MaxK.</summary>
    public int K { get; init; }

    public RequestFilters? Filters { get; init; }

    /// <summary>Echoed in the response and carried by the events it leads to; a fresh one is made when null.</summary>
    public string? RequestId { get; init; }

    /// <summary>"Now" in unix milliseconds (decay, freshness, context features); null = the pipeline's clock.</summary>
    public long? NowMs { get; init; }

    /// <summary>Return each stage's candidates and scores in <see cref="RecommendResponse.Trace"/>.</summary>
    public bool Debug { get; init; }

    /// <summary>Search surface: the query text, encoded by the content encoder.</summary>
    public string? QueryText { get; init; }

    /// <summary>Search surface: a query vector in the content space (instead of text).</summary>
    public float[]? QueryVector { get; init; }

    /// <summary>Item page: the item whose similar items are wanted (external id).</summary>
    public long? ItemId { get; init; }
}
