namespace RecSys.Engine.Features.Records;

/// <summary>
/// One interaction as recorded by RecordEvents: appended to the user's history and added to the item's
/// time-decayed counter, and to the item x segment counter when <see cref="Segment"/> is not negative.
/// </summary>
public readonly record struct UserEvent(long UserId, long ItemId, EventType Type, float Value, long TimestampMs, int Segment = -1)
{
    public HistoryEvent ToHistoryEvent() => new(ItemId, Type, Value, TimestampMs);
}
