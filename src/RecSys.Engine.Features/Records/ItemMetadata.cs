namespace RecSys.Engine.Features.Records;

/// <summary>What the merge, filter and ranking stages need to know about an item.</summary>
public sealed record ItemMetadata
{
    public int[] Categories { get; init; } = [];

    /// <summary>
    /// The title, kept so that any content or item-tower encoder can encode the item again as its upsert did (a version
    /// of another vocabulary swapped in, a restart); empty: none. Records written before it was kept read as empty.
    /// </summary>
    public string Title { get; init; } = "";

    public string[] Tags { get; init; } = [];

    public long PublishedAtMs { get; init; }

    public ItemPolicyFlags PolicyFlags { get; init; }

    /// <summary>Soft delete: the item stays readable so the filter stage can drop it from candidates.</summary>
    public bool Deleted { get; init; }

    public bool Equals(ItemMetadata? other) =>
        other is not null && PublishedAtMs == other.PublishedAtMs && PolicyFlags == other.PolicyFlags &&
        Deleted == other.Deleted && string.Equals(Title, other.Title, StringComparison.Ordinal) &&
        Categories.AsSpan().SequenceEqual(other.Categories) && Tags.AsSpan().SequenceEqual(other.Tags);

    public override int GetHashCode() => HashCode.Combine(PublishedAtMs, PolicyFlags, Deleted, Categories.Length, Tags.Length);
}
