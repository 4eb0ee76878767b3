namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>A call named an item the catalog does not have (the server answers NOT_FOUND).</summary>
public sealed class UnknownItemException(long itemId, string field)
    : KeyNotFoundException($"{field}: unknown item {itemId}")
{
    public long ItemId { get; } = itemId;

    /// <summary>The request field that named it ("ItemId", "events[3].ItemId").</summary>
    public string Field { get; } = field;
}
