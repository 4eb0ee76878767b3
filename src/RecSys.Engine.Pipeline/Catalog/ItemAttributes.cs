using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Pipeline.Catalog;

/// <summary>An item as a catalog upsert gives it: what the store keeps and what the content encoder reads.</summary>
public sealed record ItemAttributes
{
    /// <summary>
    /// The most UTF-8 bytes the title, category names and tags may take together: the store keeps them in one record
    /// (64 KiB, far above any real item, and far below a store record's limit), so an upsert or a load refuses more up
    /// front, naming the item, instead of the store refusing it with a batch half applied.
    /// </summary>
    public const int MaxTextBytes = 64 * 1024;

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
