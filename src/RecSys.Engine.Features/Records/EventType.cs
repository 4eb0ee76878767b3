namespace RecSys.Engine.Features.Records;

/// <summary>What a user did to an item. Stored as one byte; values are part of the on-disk format.</summary>
public enum EventType : byte
{
    Impression = 1,
    View = 2,
    Click = 3,
    AddToCart = 4,
    Purchase = 5,
    Like = 6,
    Dislike = 7,
    Share = 8,
    Rating = 9,
}
