using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Pipeline.Catalog;

/// <summary>What the request path knows about one item, by ordinal, in memory: filters, diversity and features read it without a store call.</summary>
internal struct ItemRecord
{
    public int[]? Categories;
    public long PublishedAtMs;
    public ItemPolicyFlags Policy;
    public bool Deleted;
    public int Impressions;
}
