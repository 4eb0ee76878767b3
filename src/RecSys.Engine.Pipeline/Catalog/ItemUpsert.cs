using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Pipeline.Catalog;

/// <summary>One item of <see cref="RecommendationPipeline.UpsertItemsAsync"/>: its id and attributes.</summary>
/// <param name="Key">The catalog key: the int64 id, or <see cref="CatalogIdMap.KeyOf"/> of the string id.</param>
/// <param name="Name">The string id (the catalog keeps it, so responses give it back); null for an int64 id.</param>
/// <param name="Attributes">What the item is.</param>
public readonly record struct ItemUpsert(long Key, string? Name, ItemAttributes Attributes)
{
    /// <summary>An item with an int64 id.</summary>
    public static ItemUpsert Of(long itemId, ItemAttributes attributes) => new(itemId, null, attributes);

    /// <summary>An item with a string id ("42" is the int64 id 42).</summary>
    public static ItemUpsert Of(string itemId, ItemAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        return new(CatalogIdMap.KeyOf(itemId), itemId, attributes);
    }
}
