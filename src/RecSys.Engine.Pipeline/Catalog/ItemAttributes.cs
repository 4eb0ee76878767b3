using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Pipeline.Catalog;

/// <summary>An item as a catalog upsert gives it: what the store keeps and what the content encoder reads.</summary>
public sealed record ItemAttributes
{
    public string Title { get; init; } = "";

    /// <summary>Category names (numbered by the catalog's category table for the store).</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Unix milliseconds; 0 = unknown (no freshness boost, no age limit).</summary>
    public long PublishedAtMs { get; init; }

    public ItemPolicyFlags PolicyFlags { get; init; }

    /// <summary>
    /// A content vector from the caller's own encoder (the content dimension; finite, checked at the edge), used instead of
    /// encoding title, categories and tags with the saved vocabulary; null or empty = encode.
    /// </summary>
    public IReadOnlyList<float>? ContentVector { get; init; }
}
